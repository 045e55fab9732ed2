#include "quorum/committed_log.h"

#include <algorithm>

#include "util/assert.h"

namespace paddock::quorum {

// The server's configuration applies zookeeper.commitLogCount's floor of 500 (as ZooKeeper
// does); the simulator keeps fewer, so that its learners are synced from the log files too.
CommittedLog::CommittedLog(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void CommittedLog::add(LoggedTxn txn, std::optional<Zxid> keep_after) {
  PADDOCK_ASSERT(txns_.empty() || txn.zxid > txns_.back().zxid);
  txns_.push_back(std::move(txn));
  while (txns_.size() > capacity_ && (!keep_after || txns_.front().zxid <= *keep_after)) {
    txns_.pop_front();
  }
}

void CommittedLog::drop_after(Zxid zxid) {
  while (!txns_.empty() && txns_.back().zxid > zxid) txns_.pop_back();
}

void CommittedLog::clear() { txns_.clear(); }

Zxid CommittedLog::min_zxid() const { return txns_.empty() ? 0 : txns_.front().zxid; }
Zxid CommittedLog::max_zxid() const { return txns_.empty() ? 0 : txns_.back().zxid; }

}  // namespace paddock::quorum
