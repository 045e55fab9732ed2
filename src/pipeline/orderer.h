#pragma once
// Orderer: where a prepared txn gets its place in the one history and becomes committed.
// Standalone uses LocalOrderer (next zxid, durable in the local log = committed); the
// ensemble's leader will use a ZAB orderer (propose to the quorum, commit on a quorum of
// acks) behind the same interface, so the pipeline does not change when replication lands.
#include <cstdint>
#include <functional>
#include <vector>

#include "proto/txn.h"

namespace paddock::pipeline {

class Orderer {
 public:
  virtual ~Orderer() = default;
  // The zxid the next prepared txn gets. Called on the pipeline thread, once per txn.
  virtual int64_t allocate_zxid() = 0;
  // The last zxid allocated (the tree's last zxid plus txns in flight).
  virtual int64_t last_allocated_zxid() const = 0;
  // Hands over a prepared txn whose header.zxid came from allocate_zxid(), in zxid order.
  virtual void propose(proto::Txn txn) = 0;
  // Txns committed since the last call, in zxid order. Called on the pipeline thread after
  // the wake-up below fired.
  virtual std::vector<proto::Txn> take_committed() = 0;
  // Number of txns proposed and not yet taken as committed.
  virtual size_t in_flight() const = 0;
  // Set once by the pipeline: called from any thread when take_committed() has work.
  virtual void set_wakeup(std::function<void()> wakeup) = 0;
};

}  // namespace paddock::pipeline
