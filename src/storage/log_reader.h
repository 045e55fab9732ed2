#pragma once
// Reading the txn log back: recovery at start-up (replay every record after the snapshot's
// zxid, repair a torn tail), listing segments, and reading one segment for the tools.
//
// What recovery accepts (details in FORMAT.md):
// - End of data in a segment: a record header of 16 zero bytes at a record boundary, or end
//   of file exactly at a record boundary. Nothing valid may follow it in that file.
// - A torn or corrupt tail: the bad record is in the LAST segment and no valid record follows
//   it there. With `repair`, the file is truncated at the bad record (logged as a warning);
//   a last segment with no valid record at all is removed.
// - Fatal (an error naming file and offset; nothing is changed): a bad record with a valid
//   record after it, a bad record in any segment but the last, a bad segment header, a zxid
//   that does not increase, or a gap (same epoch, not previous + 1) among the records replayed.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"
#include "storage/log_format.h"
#include "util/result.h"

namespace paddock::storage {

struct SegmentFile {
  std::string path;
  int64_t first_zxid = 0;
};

// The segments in `dir`, ordered by first zxid. A missing dir is an empty log. Files that
// are not segments are ignored (names that look like segments but do not parse are logged).
Result<std::vector<SegmentFile>> list_segments(Env& env, const std::string& dir);

struct LogReadOptions {
  // Records with zxid <= after_zxid are checked but not visited (the snapshot holds them);
  // the first visited record must follow after_zxid without a gap.
  int64_t after_zxid = 0;
  // Truncate a torn tail / remove an empty last segment. Off: report only (tools).
  bool repair = true;
};

struct RecoveredLog {
  int64_t last_zxid = 0;         // last valid record in the log; 0 when it holds none
  uint64_t records_visited = 0;  // records passed to the visitor
  uint64_t truncated_bytes = 0;  // cut from a torn tail (0: the tail was clean)
  // Where appends continue: the last segment and the offset after its last valid record.
  // Empty path when no segment holds a record (the first append creates one).
  std::string tail_path;
  int64_t tail_first_zxid = 0;
  uint64_t tail_end = 0;
  uint64_t dbid = 0;  // from the last segment's header
};

// Called for each record with zxid > after_zxid, in zxid order. A failed Status stops
// recovery and is returned (with the file and offset added).
using RecordVisitor = std::function<Status(int64_t zxid, std::string_view payload)>;

Result<RecoveredLog> recover_txn_log(Env& env, const std::string& dir,
                                     const LogReadOptions& options, const RecordVisitor& visit);

// One segment read on its own (tools: `paddock log dump`, `snapshot verify`), read-only and
// without recovery's repair or cross-segment rules: every record up to the first problem,
// then the problem. The first record must carry the header's first zxid, later ones must
// increase.
struct SegmentScan {
  SegmentHeader header;
  uint64_t records = 0;
  uint64_t end_offset = 0;  // where valid data ends
  int64_t last_zxid = 0;
  std::string problem;  // empty: the data ends cleanly (zeros or end of file); names the offset
};

using SegmentRecordFn =
    std::function<void(uint64_t offset, int64_t zxid, std::string_view payload)>;

// An error only when the file cannot be read or its header is unreadable; damage after the
// header is SegmentScan::problem.
Result<SegmentScan> scan_segment_file(Env& env, const std::string& path,
                                      const SegmentRecordFn& visit);

// The same reader for replication's reads (DIFF): `visit` returns false to stop, and the
// preallocated tail after the data is not checked for stray bytes -- reading a 64 MB
// preallocation per segment made a DIFF of a few MB read hundreds of MB (recovery and the
// tools still check it).
using SegmentRecordUntilFn =
    std::function<bool(uint64_t offset, int64_t zxid, std::string_view payload)>;
Result<SegmentScan> scan_segment_records(Env& env, const std::string& path,
                                         const SegmentRecordUntilFn& visit);

}  // namespace paddock::storage
