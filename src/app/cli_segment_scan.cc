#include "app/cli_segment_scan.h"

#include <fmt/format.h>

namespace paddock::app {
namespace {
bool all_zero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }
}  // namespace

Result<SegmentScan> scan_paddock_segment(std::string_view bytes, const SegmentRecordFn& visit) {
  auto header = storage::decode_segment_header(bytes.substr(0, storage::kSegmentHeaderSize));
  if (!header) return Status::error("segment header: " + header.error());
  SegmentScan scan;
  scan.header = *header;
  uint64_t off = storage::kSegmentHeaderSize;
  for (;;) {
    scan.end_offset = off;
    const std::string_view rest = bytes.substr(std::min<uint64_t>(off, bytes.size()));
    if (rest.size() < storage::kRecordHeaderSize) {
      if (!all_zero(rest)) scan.problem = fmt::format("partial record header at offset {}", off);
      return scan;
    }
    const storage::RecordHeader h = storage::decode_record_header(rest);
    if (h.length == 0 && h.crc == 0 && h.zxid == 0) {
      if (!all_zero(rest)) {
        scan.problem = fmt::format("non-zero bytes after the end of data at offset {}", off);
      }
      return scan;
    }
    if (h.length == 0 || h.length > storage::kMaxRecordPayload ||
        storage::record_size(h.length) > rest.size()) {
      scan.problem = fmt::format("bad record length {} at offset {}", h.length, off);
      return scan;
    }
    const std::string_view payload = rest.substr(storage::kRecordHeaderSize, h.length);
    if (storage::record_crc(h.zxid, payload) != h.crc) {
      scan.problem = fmt::format("checksum mismatch at offset {} (zxid 0x{:x})", off, h.zxid);
      return scan;
    }
    if (scan.records == 0 ? h.zxid != header->first_zxid : h.zxid <= scan.last_zxid) {
      scan.problem = fmt::format("zxid 0x{:x} out of order at offset {}", h.zxid, off);
      return scan;
    }
    visit(off, h.zxid, payload);
    ++scan.records;
    scan.last_zxid = h.zxid;
    off += storage::record_size(h.length);
  }
}

}  // namespace paddock::app
