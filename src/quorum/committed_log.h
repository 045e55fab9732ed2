#pragma once
// The leader's view of committed txns for DIFF: the last `capacity` (>= 500) committed txns
// in memory, as ZooKeeper's ZKDatabase.committedLog, and older ones read through
// CommittedTxnSource, which the durable layer implements over its log files.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "quorum/ready.h"
#include "util/result.h"

namespace paddock::quorum {

// Read-only access to the local log for syncing learners that are too far behind for the
// in-memory committed log. Called on the core's thread; may block briefly (reads files).
class CommittedTxnSource {
 public:
  virtual ~CommittedTxnSource() = default;
  // The zxid of the last txn in the log (durable or not).
  virtual Zxid last_logged_zxid() const = 0;
  // The logged txns from the last one with zxid <= `from` (inclusive; or from the first txn
  // of the log when there is none) onwards, in zxid order, stopping after `max_bytes` of txn
  // bytes: returns an error when more than that would be needed, or when the log no longer
  // holds txns that old (purged).
  virtual Result<std::vector<LoggedTxn>> txns_from(Zxid from, size_t max_bytes) const = 0;
  // The size of a snapshot of the current state, to weigh a DIFF from the log against SNAP
  // (zookeeper.snapshotSizeFactor).
  virtual int64_t snapshot_size_bytes() const = 0;
};

class CommittedLog {
 public:
  static constexpr size_t kMinCapacity = 500;
  explicit CommittedLog(size_t capacity);

  void add(LoggedTxn txn);     // zxid above every txn held
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
