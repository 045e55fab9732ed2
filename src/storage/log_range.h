#pragma once
// What replication needs of the txn log besides appending (ZK-FORMATS.md section 2 step 4):
// - DIFF: the records after a zxid, read from the segment files while the writer goes on
//   appending. Only records up to a bound the caller knows to be durable are read, so a
//   half-written batch at the tail is never seen.
// - TRUNC: the log cut back to a zxid, dropping every record after it (txns a new leader's
//   quorum never committed). Only while nothing appends to the log.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"
#include "util/result.h"

namespace paddock::storage {

struct LoggedTxn {
  int64_t zxid = 0;
  std::string bytes;  // the txn as logged
};

struct LogRangeRead {
  std::vector<LoggedTxn> txns;
  // False when the log no longer holds the record right after `after_zxid` (purged, or the
  // log starts later): the caller must fall back to a snapshot (SNAP).
  bool contiguous = true;
  // The records' bytes would pass max_bytes: none are returned.
  bool over_limit = false;
  // The range was weighed (read without copying) before it was read: a second pass.
  bool weighed_first = false;
};

// Records with after_zxid < zxid <= up_to_zxid, oldest first, at most `max_txns` of them.
// With `max_bytes`, the range is weighed first without copying a record, up to the one
// that passes the limit: then none are returned and `over_limit` is set. A leader weighing
// a DIFF against a SNAP so copies nothing of a DIFF it will not send, and reads no further
// than the DIFF it could send (for a learner a million txns behind, copying them was most
// of the 0.7 s its pipeline stopped). Every record read is checked (length, checksum);
// damage is an error naming file and offset.
Result<LogRangeRead> read_log_range(Env& env, const std::string& dir, int64_t after_zxid,
                                    int64_t up_to_zxid, size_t max_txns,
                                    size_t max_bytes = SIZE_MAX);

struct LogTruncation {
  int64_t last_zxid = 0;  // the log's last record afterwards (<= the zxid asked for)
  uint64_t records_dropped = 0;
  uint64_t segments_removed = 0;
};

// Drops every record with zxid > `zxid`: later segments are removed, the segment holding
// the cut is shortened (and synced), the directory synced. Precondition: no writer is
// appending. A log whose records all lie above `zxid` keeps no segment.
Result<LogTruncation> truncate_log_after(Env& env, const std::string& dir, int64_t zxid);

}  // namespace paddock::storage
