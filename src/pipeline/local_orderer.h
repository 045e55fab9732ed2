#pragma once
// LocalOrderer: the standalone orderer. A txn is committed once the local log reports it
// durable (after the group commit's fdatasync, or at once when forceSync=no).
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "pipeline/orderer.h"

namespace paddock::pipeline {

class LocalOrderer final : public Orderer {
 public:
  // `append` hands encoded txn bytes to the log writer; it must not block on disk.
  using AppendFn = std::function<void(int64_t zxid, std::string bytes)>;
  LocalOrderer(int64_t last_zxid, AppendFn append);

  int64_t allocate_zxid() override;
  int64_t last_allocated_zxid() const override { return last_allocated_; }
  void propose(proto::Txn txn) override;
  std::vector<proto::Txn> take_committed() override;
  size_t in_flight() const override { return proposed_.size(); }
  void set_wakeup(std::function<void()> wakeup) override { wakeup_ = std::move(wakeup); }

  // Called by the log writer's thread: everything up to `zxid` is durable.
  void on_durable(int64_t zxid);

  // Pipeline thread, after the log failed: forgets the proposed txns that will never be
  // durable (the log keeps nothing after `durable_zxid`) and continues after durable_zxid.
  void reset(int64_t durable_zxid);

 private:
  AppendFn append_;
  std::function<void()> wakeup_;
  int64_t last_allocated_;
  std::deque<proto::Txn> proposed_;    // pipeline thread only
  std::atomic<int64_t> durable_zxid_;  // written by the log thread
};

}  // namespace paddock::pipeline
