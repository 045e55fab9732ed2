#include "storage/log_range.h"

#include "storage/log_format.h"
#include "storage/log_reader.h"

namespace paddock::storage {
namespace {

// Visits a segment's records in order through the reader recovery uses; `visit(zxid,
// payload, offset)` returns false to ignore the rest. Damage before the data ends is an
// error unless `visit` had already stopped.
template <typename Visit>
Status scan_segment(Env& env, const SegmentFile& seg, Visit visit) {
  bool stopped = false;
  auto scan = scan_segment_file(env, seg.path, [&](uint64_t offset, int64_t zxid,
                                                   std::string_view payload) {
    if (!stopped) stopped = !visit(zxid, payload, offset);
  });
  if (!scan) return scan.status();
  if (!scan->problem.empty() && !stopped) return Status::error(seg.path + ": " + scan->problem);
  return Status::ok();
}

// The same for reads that may stop early: the rest of the segment is not read.
template <typename Visit>
Status scan_segment_until(Env& env, const SegmentFile& seg, Visit visit) {
  auto scan = scan_segment_records(env, seg.path,
                                   [&](uint64_t offset, int64_t zxid, std::string_view payload) {
                                     return visit(zxid, payload, offset);
                                   });
  if (!scan) return scan.status();
  if (!scan->problem.empty()) return Status::error(seg.path + ": " + scan->problem);
  return Status::ok();
}

}  // namespace

namespace {

// Visits the records with after_zxid < zxid <= up_to_zxid in order until `visit(zxid,
// payload)` returns false; false in the result when the log does not reach back to the
// record right after after_zxid.
template <typename Visit>
Result<bool> walk_range(Env& env, const std::string& dir, int64_t after_zxid,
                        int64_t up_to_zxid, Visit visit) {
  auto segments = list_segments(env, dir);
  if (!segments) return segments.status();
  // Start with the last segment whose first zxid is <= after_zxid + 1.
  size_t first = 0;
  for (size_t i = 0; i < segments->size(); ++i) {
    if ((*segments)[i].first_zxid <= after_zxid + 1) first = i;
  }
  bool seen_first = false;
  bool contiguous = true;
  for (size_t i = first; i < segments->size(); ++i) {
    bool more = true;
    Status s = scan_segment_until(
        env, (*segments)[i], [&](int64_t zxid, std::string_view payload, uint64_t) {
          if (zxid > up_to_zxid) return more = false;
          if (zxid <= after_zxid) return true;
          if (!seen_first) {
            seen_first = true;
            // Contiguous when the first record is the one right after after_zxid, or starts
            // a new epoch right after it (counters restart at 1 with each epoch).
            contiguous = zxid == after_zxid + 1 || (zxid & 0xffffffffLL) == 1 || after_zxid == 0;
          }
          return more = visit(zxid, payload);
        });
    if (!s) return s;
    if (!more) break;
  }
  if (!seen_first && after_zxid < up_to_zxid) contiguous = false;
  return contiguous;
}

}  // namespace

Result<LogRangeRead> read_log_range(Env& env, const std::string& dir, int64_t after_zxid,
                                    int64_t up_to_zxid, size_t max_txns, size_t max_bytes) {
  LogRangeRead out;
  if (max_bytes != SIZE_MAX) {
    out.weighed_first = true;
    size_t bytes = 0;
    size_t count = 0;
    auto weighed = walk_range(env, dir, after_zxid, up_to_zxid,
                              [&](int64_t, std::string_view payload) {
                                bytes += payload.size();
                                out.over_limit = bytes > max_bytes;
                                return !out.over_limit && ++count < max_txns;
                              });
    if (!weighed) return weighed.status();
    out.contiguous = *weighed;
    if (!out.contiguous || out.over_limit) return out;
  }
  auto read = walk_range(env, dir, after_zxid, up_to_zxid,
                         [&](int64_t zxid, std::string_view payload) {
                           out.txns.push_back(LoggedTxn{zxid, std::string(payload)});
                           return out.txns.size() < max_txns;
                         });
  if (!read) return read.status();
  out.contiguous = *read;
  return out;
}

Result<LogTruncation> truncate_log_after(Env& env, const std::string& dir, int64_t zxid) {
  auto segments = list_segments(env, dir);
  if (!segments) return segments.status();
  LogTruncation out;
  for (auto it = segments->rbegin(); it != segments->rend(); ++it) {
    const SegmentFile& seg = *it;
    uint64_t cut = 0;  // offset of the first record to drop; 0: none in this segment
    uint64_t dropped = 0;
    int64_t last_kept = 0;
    Status s = scan_segment(env, seg, [&](int64_t record_zxid, std::string_view, uint64_t offset) {
      if (record_zxid > zxid) {
        if (cut == 0) cut = offset;
        ++dropped;
      } else {
        last_kept = record_zxid;
      }
      return true;
    });
    if (!s) return s;
    out.records_dropped += dropped;
    if (cut == kSegmentHeaderSize || (cut == 0 && last_kept == 0 && seg.first_zxid > zxid)) {
      if (Status r = env.remove(seg.path); !r) return r;  // nothing in it survives
      ++out.segments_removed;
      continue;
    }
    if (cut != 0) {
      if (Status t = env.truncate_file(seg.path, cut); !t) return t;
    }
    out.last_zxid = last_kept;
    break;  // every earlier segment lies wholly at or below zxid
  }
  if (Status s = env.sync_dir(dir); !s && env.file_exists(dir)) return s;
  return out;
}

}  // namespace paddock::storage
