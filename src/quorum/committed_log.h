#pragma once
// The leader's view of committed txns for DIFF: the last `capacity` committed txns in memory,
// as ZooKeeper's ZKDatabase.committedLog (paddockd keeps at least 500, as ZooKeeper does).
// Older ones are read from the log files by the adapter (Ready::log_reads).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "quorum/ready.h"
#include "util/result.h"

namespace paddock::quorum {

// The size of a snapshot of the current state, to weigh a DIFF from the log files against
// SNAP (zookeeper.snapshotSizeFactor). Called on the core's thread; must be cheap.
class StateSize {
 public:
  virtual ~StateSize() = default;
  virtual int64_t snapshot_size_bytes() const = 0;
};

class CommittedLog {
 public:
  static constexpr size_t kMinCapacity = 500;  // zookeeper.commitLogCount's floor
  explicit CommittedLog(size_t capacity);

  // `txn`'s zxid is above every txn held. Past the capacity the oldest are dropped, except
  // those above `keep_after`: a learner's DIFF being read from the log files joins the txns
  // committed meanwhile, so none of them may go until it does.
  void add(LoggedTxn txn, std::optional<Zxid> keep_after = std::nullopt);
  void drop_after(Zxid zxid);  // TRUNC
  void clear();                // SNAP
  bool empty() const { return txns_.empty(); }
  Zxid min_zxid() const;
  Zxid max_zxid() const;
  const std::deque<LoggedTxn>& txns() const { return txns_; }

 private:
  size_t capacity_;
  std::deque<LoggedTxn> txns_;
};

}  // namespace paddock::quorum
