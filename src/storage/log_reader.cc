#include "storage/log_reader.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "storage/log_format.h"

namespace paddock::storage {
namespace {

constexpr size_t kReadChunk = 1 << 20;

// Buffered reads over one file, so recovery costs a syscall per MiB, not per record.
class ChunkReader {
 public:
  ChunkReader(RandomAccessFile& file, uint64_t size) : file_(file), size_(size) {}
  uint64_t size() const { return size_; }

  // Exactly [offset, offset+n), clipped to the file. Valid until the next call.
  Result<std::string_view> view(uint64_t offset, size_t n) {
    if (offset >= size_) return std::string_view();
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    if (offset < start_ || offset + n > start_ + buf_.size()) {
      if (Status st = fill(offset, std::max(n, kReadChunk)); !st) return st;
      n = std::min(n, buf_.size());
    }
    return std::string_view(buf_).substr(offset - start_, n);
  }

  // Whatever is buffered from `offset` on (at least a record header's worth, unless the
  // file ends sooner). Valid until the next call.
  Result<std::string_view> window(uint64_t offset) {
    if (offset >= size_) return std::string_view();
    const uint64_t want = std::min<uint64_t>(kRecordHeaderSize, size_ - offset);
    if (offset < start_ || offset + want > start_ + buf_.size()) {
      if (Status st = fill(offset, kReadChunk); !st) return st;
    }
    return std::string_view(buf_).substr(offset - start_);
  }

 private:
  Status fill(uint64_t offset, size_t n) {
    start_ = offset;
    return file_.read(offset, n, &buf_);
  }

  RandomAccessFile& file_;
  uint64_t size_;
  uint64_t start_ = 0;
  std::string buf_;
};

size_t first_nonzero(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w != 0) break;
  }
  for (; i < s.size(); ++i) {
    if (s[i] != 0) return i;
  }
  return std::string_view::npos;
}

struct RecordRead {
  bool end = false;     // end of written data at this boundary
  std::string problem;  // non-empty: not a valid record ("checksum mismatch")
  std::string detail;   // what was found, if there is more to say ("stored 0x.., ...")
  RecordHeader header;
  std::string_view payload;  // valid until the reader's next call

  std::string what() const { return detail.empty() ? problem : problem + " (" + detail + ")"; }
};

Result<RecordRead> read_record(ChunkReader& r, uint64_t offset) {
  RecordRead out;
  auto head = r.view(offset, kRecordHeaderSize);
  if (!head) return head.status();
  if (head->empty()) {
    out.end = true;
  } else if (head->size() < kRecordHeaderSize) {
    if (first_nonzero(*head) == std::string_view::npos) {
      out.end = true;
    } else {
      out.problem = "partial record header";
      out.detail = fmt::format("{} bytes before end of file", head->size());
    }
    return out;
  }
  if (out.end) return out;
  out.header = decode_record_header(*head);
  const RecordHeader& h = out.header;
  if (h.length == 0) {
    if (h.crc == 0 && h.zxid == 0) {
      out.end = true;
    } else {
      out.problem = "zero length in a non-zero record header";
    }
  } else if (h.length > kMaxRecordPayload) {
    out.problem = fmt::format("length {} exceeds the limit {}", h.length, kMaxRecordPayload);
  } else if (offset + record_size(h.length) > r.size()) {
    out.problem = fmt::format("length {} runs past the end of the file", h.length);
    out.detail = fmt::format("size {}", r.size());
  } else {
    auto whole = r.view(offset, record_size(h.length));
    if (!whole) return whole.status();
    out.payload = whole->substr(kRecordHeaderSize);
    const uint32_t crc = record_crc(h.zxid, out.payload);
    if (crc != h.crc) {
      out.problem = "checksum mismatch";
      out.detail = fmt::format("stored 0x{:08x}, computed 0x{:08x}", h.crc, crc);
    }
  }
  return out;
}

// A record at `offset` that checks out and whose zxid is above `min_zxid`.
Result<bool> valid_record_at(ChunkReader& r, uint64_t offset, int64_t min_zxid) {
  auto head = r.view(offset, kRecordHeaderSize);
  if (!head) return head.status();
  if (head->size() < kRecordHeaderSize) return false;
  const RecordHeader h = decode_record_header(*head);
  // Cheap filters first: most garbage offsets fail here without a checksum.
  if (h.length == 0 || h.length > kMaxRecordPayload || h.zxid <= min_zxid ||
      offset + record_size(h.length) > r.size()) {
    return false;
  }
  auto rec = read_record(r, offset);
  if (!rec) return rec.status();
  return !rec->end && rec->problem.empty();
}

// The first offset >= `from` holding a valid record (zxid above `min_zxid`), if any.
// Skips zero runs a chunk at a time; tries every offset inside non-zero bytes.
Result<std::optional<uint64_t>> find_valid_record(ChunkReader& r, uint64_t from, int64_t min_zxid) {
  uint64_t y = from;
  while (y + kRecordHeaderSize <= r.size()) {
    auto w = r.window(y);
    if (!w) return w.status();
    const size_t nz = first_nonzero(*w);
    if (nz == std::string_view::npos) {
      y += std::max<size_t>(1, w->size() > 3 ? w->size() - 3 : 1);
      continue;
    }
    // A record's length field is non-zero, so the first candidate starts at most 3 bytes
    // before the first non-zero byte.
    y += nz >= 3 ? nz - 3 : 0;
    auto ok = valid_record_at(r, y, min_zxid);
    if (!ok) return ok.status();
    if (*ok) return std::optional<uint64_t>(y);
    ++y;
  }
  return std::optional<uint64_t>();
}

Result<std::optional<uint64_t>> find_nonzero_byte(ChunkReader& r, uint64_t from) {
  for (uint64_t y = from; y < r.size();) {
    auto w = r.window(y);
    if (!w) return w.status();
    const size_t nz = first_nonzero(*w);
    if (nz != std::string_view::npos) return std::optional<uint64_t>(y + nz);
    y += std::max<size_t>(1, w->size());
  }
  return std::optional<uint64_t>();
}

// Power loss can leave any whole sectors of an unsynced write as zeros, in any order, so a
// torn batch may show a hole followed by intact records. A bad record that has a sector-
// aligned piece of all zeros is taken for such a torn write (etcd's WAL uses the same test).
constexpr uint64_t kSectorSize = 512;

Result<bool> torn_by_lost_sector(ChunkReader& r, uint64_t offset) {
  auto head = r.view(offset, kRecordHeaderSize);
  if (!head) return head.status();
  uint64_t len = head->size();
  if (len == kRecordHeaderSize) {
    const RecordHeader h = decode_record_header(*head);
    if (h.length <= kMaxRecordPayload && offset + record_size(h.length) <= r.size()) {
      len = record_size(h.length);
    }
  }
  auto bytes = r.view(offset, static_cast<size_t>(len));
  if (!bytes) return bytes.status();
  for (uint64_t pos = 0; pos < bytes->size();) {
    const uint64_t next = std::min<uint64_t>(
        bytes->size(), ((offset + pos) / kSectorSize + 1) * kSectorSize - offset);
    if (first_nonzero(bytes->substr(pos, next - pos)) == std::string_view::npos) return true;
    pos = next;
  }
  return false;
}

std::string hex(int64_t zxid) { return fmt::format("0x{:x}", zxid); }

}  // namespace

Result<std::vector<SegmentFile>> list_segments(Env& env, const std::string& dir) {
  std::vector<SegmentFile> segments;
  if (!env.file_exists(dir)) return segments;
  auto names = env.list_dir(dir);
  if (!names) return names.status();
  for (const auto& name : *names) {
    if (name.rfind("log.", 0) != 0) continue;
    auto zxid = parse_segment_file_name(name);
    if (!zxid) {
      spdlog::warn("txn log: ignoring file={} (not a segment name)", join_path(dir, name));
      continue;
    }
    segments.push_back(SegmentFile{join_path(dir, name), *zxid});
  }
  std::sort(segments.begin(), segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_zxid < b.first_zxid; });
  return segments;
}

namespace {

// One recovery run: walks the segments in order, carrying the last zxid across them.
class Recovery {
 public:
  Recovery(Env& env, const LogReadOptions& options, const RecordVisitor& visit)
      : env_(env), options_(options), visit_(visit) {}

  Result<RecoveredLog> run(const std::string& dir) {
    auto segments = list_segments(env_, dir);
    if (!segments) return segments.status();
    if (Status st = drop_empty_last_segment(*segments); !st) return st;
    if (segments->empty()) return out_;
    // Start with the segment that may hold after_zxid + 1: earlier ones hold only records
    // the snapshot already covers.
    size_t start = 0;
    for (size_t i = 0; i < segments->size(); ++i) {
      if ((*segments)[i].first_zxid - 1 <= options_.after_zxid) start = i;
    }
    for (size_t i = start; i < segments->size(); ++i) {
      if (Status st = scan_segment((*segments)[i], i + 1 == segments->size()); !st) return st;
    }
    out_.last_zxid = prev_zxid_;
    return out_;
  }

 private:
  static Status fatal(const SegmentFile& seg, uint64_t offset, const std::string& what) {
    return Status::error(fmt::format("txn log corrupt: file={} offset={}: {} (nothing was changed)",
                                     seg.path, offset, what));
  }

  // A last segment without any valid record was created but never received a durable
  // record (crash right after the roll): it carries no data, and its name would clash with
  // the next segment's, so it goes.
  Status drop_empty_last_segment(std::vector<SegmentFile>& segments) {
    if (segments.empty()) return Status::ok();
    const SegmentFile& last = segments.back();
    auto file = env_.open_readable(last.path);
    if (!file) return file.status();
    auto size = (*file)->size();
    if (!size) return size.status();
    ChunkReader r(**file, *size);
    auto head = r.view(0, kSegmentHeaderSize);
    if (!head) return head.status();
    auto header = decode_segment_header(*head);
    auto valid = find_valid_record(r, header ? kSegmentHeaderSize : 0, last.first_zxid - 1);
    if (!valid) return valid.status();
    if (*valid) return Status::ok();
    const SegmentFile dropped = last;
    segments.pop_back();
    return drop_segment(dropped, header ? "no record" : header.error());
  }

  Status drop_segment(const SegmentFile& seg, const std::string& why) {
    if (!options_.repair) {
      spdlog::warn("txn log: ignoring last segment holding no valid record file={} reason=\"{}\"",
                   seg.path, why);
      return Status::ok();
    }
    if (Status st = env_.remove(seg.path); !st) return st;
    if (Status st = env_.sync_dir(parent_dir(seg.path)); !st) return st;
    spdlog::warn("txn log: removed last segment holding no valid record file={} reason=\"{}\"",
                 seg.path, why);
    return Status::ok();
  }

  Status scan_segment(const SegmentFile& seg, bool is_last) {
    auto file = env_.open_readable(seg.path);
    if (!file) return file.status();
    auto size = (*file)->size();
    if (!size) return size.status();
    ChunkReader r(**file, *size);
    auto head = r.view(0, kSegmentHeaderSize);
    if (!head) return head.status();
    auto header = decode_segment_header(*head);
    if (!header) return fatal(seg, 0, header.error());
    if (header->first_zxid != seg.first_zxid) {
      return fatal(seg, 0, fmt::format("header names first zxid {}", hex(header->first_zxid)));
    }
    if (seg.first_zxid <= prev_zxid_) {
      return fatal(seg, 0,
                   fmt::format("segment starts at zxid {} but earlier records reach {}",
                               hex(seg.first_zxid), hex(prev_zxid_)));
    }
    std::string problem;
    auto end = scan_records(r, seg, &problem);
    if (!end) return end.status();
    if (Status st = check_tail(r, seg, is_last, *end, problem); !st) return st;
    if (is_last && *end == kSegmentHeaderSize) return drop_segment(seg, "no record left");
    if (is_last) {
      out_.tail_path = seg.path;
      out_.tail_first_zxid = seg.first_zxid;
      out_.tail_end = *end;
      out_.dbid = header->dbid;
    }
    return Status::ok();
  }

  // Visits records from the header on. Returns the offset where valid data ends; sets
  // *problem when that is a bad record rather than the end marker.
  Result<uint64_t> scan_records(ChunkReader& r, const SegmentFile& seg, std::string* problem) {
    uint64_t offset = kSegmentHeaderSize;
    for (bool first = true;; first = false) {
      auto rec = read_record(r, offset);
      if (!rec) return rec.status();
      if (rec->end) return offset;
      if (!rec->problem.empty()) {
        *problem = rec->what();
        return offset;
      }
      const int64_t zxid = rec->header.zxid;
      if (first && zxid != seg.first_zxid) {
        return fatal(seg, offset,
                     fmt::format("first record has zxid {} but the segment is named for {}",
                                 hex(zxid), hex(seg.first_zxid)));
      }
      if (Status st = accept(seg, offset, zxid, rec->payload); !st) return st;
      offset += record_size(rec->header.length);
    }
  }

  Status accept(const SegmentFile& seg, uint64_t offset, int64_t zxid, std::string_view payload) {
    if (zxid <= prev_zxid_) {
      return fatal(
          seg, offset,
          fmt::format("zxid {} does not increase (previous {})", hex(zxid), hex(prev_zxid_)));
    }
    if (zxid > options_.after_zxid) {
      // Within an epoch zxids are consecutive; a new epoch may start at any counter.
      const int64_t base = std::max(prev_zxid_, options_.after_zxid);
      if ((zxid >> 32) == (base >> 32) && zxid != base + 1) {
        return fatal(seg, offset, fmt::format("zxid gap: {} follows {}", hex(zxid), hex(base)));
      }
      if (Status st = visit_(zxid, payload); !st) {
        return Status::error(fmt::format("replaying txn log file={} offset={} zxid={}: {}",
                                         seg.path, offset, hex(zxid), st.message()));
      }
      ++out_.records_visited;
    }
    prev_zxid_ = zxid;
    return Status::ok();
  }

  // Decides what follows the valid data of a segment: nothing (clean), a torn tail to cut,
  // or corruption before the tail (fatal).
  Status check_tail(ChunkReader& r, const SegmentFile& seg, bool is_last, uint64_t end,
                    std::string problem) {
    if (problem.empty()) {
      auto nonzero = find_nonzero_byte(r, end);
      if (!nonzero) return nonzero.status();
      if (!*nonzero) return Status::ok();
      problem = fmt::format("non-zero bytes at offset {} after the end of data", **nonzero);
    }
    auto valid = find_valid_record(r, end + 1, prev_zxid_);
    if (!valid) return valid.status();
    if (!is_last) {
      if (*valid) problem += fmt::format("; a valid record follows at offset {}", **valid);
      return fatal(seg, end, problem + " (not the last segment)");
    }
    if (*valid) {
      auto torn = torn_by_lost_sector(r, end);
      if (!torn) return torn.status();
      if (!*torn) {
        return fatal(seg, end,
                     fmt::format("{}; a valid record follows at offset {}", problem, **valid));
      }
      // Records after a hole were never synced: fdatasync would have written the hole too.
      problem += fmt::format(
          "; zeroed sector (write torn by power loss), unsynced records from "
          "offset {} on are dropped",
          **valid);
    }
    return truncate_tail(seg, end, r.size(), problem);
  }

  Status truncate_tail(const SegmentFile& seg, uint64_t end, uint64_t size,
                       const std::string& why) {
    out_.truncated_bytes = size - end;
    if (!options_.repair) {
      spdlog::warn(
          "txn log: torn tail left in place (read-only) file={} offset={} bytes={} reason=\"{}\"",
          seg.path, end, size - end, why);
      return Status::ok();
    }
    if (Status st = env_.truncate_file(seg.path, end); !st) {
      return Status::error(fmt::format("truncating the torn tail of {} at offset {}: {}", seg.path,
                                       end, st.message()));
    }
    spdlog::warn("txn log: truncated torn tail file={} offset={} dropped_bytes={} reason=\"{}\"",
                 seg.path, end, size - end, why);
    return Status::ok();
  }

  Env& env_;
  LogReadOptions options_;
  const RecordVisitor& visit_;
  int64_t prev_zxid_ = 0;  // last valid record seen so far
  RecoveredLog out_;
};

}  // namespace

Result<RecoveredLog> recover_txn_log(Env& env, const std::string& dir,
                                     const LogReadOptions& options, const RecordVisitor& visit) {
  return Recovery(env, options, visit).run(dir);
}

// The same record reader as recovery, over one file and without its repair: the tools see
// a segment exactly as recovery would read it.
namespace {
Result<SegmentScan> scan_segment(Env& env, const std::string& path,
                                 const SegmentRecordUntilFn& visit, bool check_tail) {
  auto file = env.open_readable(path);
  if (!file) return file.status();
  auto size = (*file)->size();
  if (!size) return size.status();
  ChunkReader r(**file, *size);
  auto head = r.view(0, kSegmentHeaderSize);
  if (!head) return head.status();
  auto header = decode_segment_header(*head);
  if (!header) return Status::error("segment header: " + header.error());
  SegmentScan scan;
  scan.header = *header;
  for (uint64_t offset = kSegmentHeaderSize;;) {
    scan.end_offset = offset;
    auto rec = read_record(r, offset);
    if (!rec) return rec.status();
    if (rec->end) {
      if (!check_tail) return scan;
      auto nonzero = find_nonzero_byte(r, offset);
      if (!nonzero) return nonzero.status();
      if (*nonzero) {
        scan.problem = fmt::format("non-zero bytes at offset {} after the end of data", **nonzero);
      }
      return scan;
    }
    if (!rec->problem.empty()) {
      scan.problem = fmt::format("{} at offset {}", rec->problem, offset);
      if (!rec->detail.empty()) scan.problem += fmt::format(" ({})", rec->detail);
      return scan;
    }
    const int64_t zxid = rec->header.zxid;
    if (scan.records == 0 ? zxid != header->first_zxid : zxid <= scan.last_zxid) {
      scan.problem = fmt::format("zxid {} out of order at offset {}", hex(zxid), offset);
      return scan;
    }
    const bool go_on = visit(offset, zxid, rec->payload);
    ++scan.records;
    scan.last_zxid = zxid;
    offset += record_size(rec->header.length);
    if (!go_on) {
      scan.end_offset = offset;
      return scan;
    }
  }
}
}  // namespace

Result<SegmentScan> scan_segment_file(Env& env, const std::string& path,
                                      const SegmentRecordFn& visit) {
  return scan_segment(
      env, path,
      [&](uint64_t offset, int64_t zxid, std::string_view payload) {
        visit(offset, zxid, payload);
        return true;
      },
      /*check_tail=*/true);
}

Result<SegmentScan> scan_segment_records(Env& env, const std::string& path,
                                         const SegmentRecordUntilFn& visit) {
  return scan_segment(env, path, visit, /*check_tail=*/false);
}

}  // namespace paddock::storage
