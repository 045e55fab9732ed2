#include "quorum/committed_log.h"

#include <algorithm>

#include "util/assert.h"

namespace paddock::quorum {

// zookeeper.commitLogCount below 500 is ignored, as ZooKeeper does.
CommittedLog::CommittedLog(size_t capacity) : capacity_(std::max(capacity, kMinCapacity)) {}

void CommittedLog::add(LoggedTxn txn) {
  PADDOCK_ASSERT(txns_.empty() || txn.zxid > txns_.back().zxid);
  txns_.push_back(std::move(txn));
  while (txns_.size() > capacity_) txns_.pop_front();
}

void CommittedLog::drop_after(Zxid zxid) {
  while (!txns_.empty() && txns_.back().zxid > zxid) txns_.pop_back();
}

void CommittedLog::clear() { txns_.clear(); }

Zxid CommittedLog::min_zxid() const { return txns_.empty() ? 0 : txns_.front().zxid; }
Zxid CommittedLog::max_zxid() const { return txns_.empty() ? 0 : txns_.back().zxid; }

}  // namespace paddock::quorum
