#include "storage/log_range.h"

#include <fmt/format.h>

#include "storage/log_format.h"
#include "storage/log_reader.h"

namespace paddock::storage {
namespace {

// One record at `offset` of a segment's bytes, or the end of written data.
struct SegmentRecord {
  bool end = false;
  int64_t zxid = 0;
  std::string_view payload;
  uint64_t next = 0;  // offset of the record after it
};

Result<SegmentRecord> record_at(std::string_view file, uint64_t offset, const std::string& path) {
  SegmentRecord out;
  if (offset + kRecordHeaderSize > file.size()) {
    out.end = true;
    return out;
  }
  const RecordHeader h = decode_record_header(file.substr(offset, kRecordHeaderSize));
  if (h.length == 0) {
    out.end = true;
    return out;
  }
  if (h.length > kMaxRecordPayload || offset + kRecordHeaderSize + h.length > file.size()) {
    return Status::error(
        fmt::format("{}: offset {}: record length {} runs past the file", path, offset, h.length));
  }
  out.payload = file.substr(offset + kRecordHeaderSize, h.length);
  if (record_crc(h.zxid, out.payload) != h.crc) {
    return Status::error(fmt::format("{}: offset {}: record checksum mismatch", path, offset));
  }
  out.zxid = h.zxid;
  out.next = offset + kRecordHeaderSize + h.length;
  return out;
}

// Visits a segment's records in order until `visit` returns false or the data ends.
// `visit(zxid, payload, offset)`.
template <typename Visit>
Status scan_segment(Env& env, const SegmentFile& seg, Visit visit) {
  auto bytes = env.read_file(seg.path);
  if (!bytes) return bytes.status();
  std::string_view file(*bytes);
  if (file.size() < kSegmentHeaderSize) return Status::ok();  // a segment being created
  auto header = decode_segment_header(file.substr(0, kSegmentHeaderSize));
  if (!header) return Status::error(seg.path + ": " + header.error());
  for (uint64_t offset = kSegmentHeaderSize;;) {
    auto record = record_at(file, offset, seg.path);
    if (!record) return record.status();
    if (record->end) return Status::ok();
    if (!visit(record->zxid, record->payload, offset)) return Status::ok();
    offset = record->next;
  }
}

}  // namespace

Result<LogRangeRead> read_log_range(Env& env, const std::string& dir, int64_t after_zxid,
                                    int64_t up_to_zxid, size_t max_txns) {
  auto segments = list_segments(env, dir);
  if (!segments) return segments.status();
  LogRangeRead out;
  // Start with the last segment whose first zxid is <= after_zxid + 1.
  size_t first = 0;
  for (size_t i = 0; i < segments->size(); ++i) {
    if ((*segments)[i].first_zxid <= after_zxid + 1) first = i;
  }
  bool seen_first = false;
  for (size_t i = first; i < segments->size() && out.txns.size() < max_txns; ++i) {
    bool more = true;
    Status s =
        scan_segment(env, (*segments)[i], [&](int64_t zxid, std::string_view payload, uint64_t) {
          if (zxid > up_to_zxid) return more = false;
          if (zxid <= after_zxid) return true;
          if (!seen_first) {
            seen_first = true;
            // Contiguous when the first record returned is the one right after after_zxid, or
            // starts a new epoch right after it (counters restart at 1 with each epoch).
            out.contiguous =
                zxid == after_zxid + 1 || (zxid & 0xffffffffLL) == 1 || after_zxid == 0;
          }
          out.txns.push_back(LoggedTxn{zxid, std::string(payload)});
          return more = out.txns.size() < max_txns;
        });
    if (!s) return s;
    if (!more) break;
  }
  if (!seen_first && after_zxid < up_to_zxid) out.contiguous = false;
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
