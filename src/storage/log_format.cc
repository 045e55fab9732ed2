#include "storage/log_format.h"

#include <fmt/format.h>

#include <cstring>

#include "storage/env.h"
#include "util/crc32c.h"

namespace paddock::storage {

void put_u32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 4);
}

void put_u64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}

uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string txn_log_dir(const std::string& data_log_dir) {
  return join_path(data_log_dir, kTxnLogDirName);
}

std::string segment_file_name(int64_t first_zxid) {
  return fmt::format("log.{:016x}", static_cast<uint64_t>(first_zxid));
}

std::optional<int64_t> parse_zxid_file_name(std::string_view name, std::string_view prefix) {
  if (name.size() != prefix.size() + 16 || name.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : name.substr(prefix.size())) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(digit);
  }
  if (static_cast<int64_t>(v) < 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

std::optional<int64_t> parse_segment_file_name(std::string_view name) {
  return parse_zxid_file_name(name, "log.");
}

std::string encode_segment_header(const SegmentHeader& header) {
  std::string out;
  out.reserve(kSegmentHeaderSize);
  put_u32(out, kSegmentMagic);
  put_u32(out, kSegmentFormatVersion);
  put_u64(out, header.dbid);
  put_u64(out, static_cast<uint64_t>(header.first_zxid));
  put_u32(out, 0);  // flags
  put_u32(out, crc32c::value(out));
  return out;
}

Result<SegmentHeader> decode_segment_header(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderSize) {
    return Status::error(
        fmt::format("segment header is short ({} of {} bytes)", bytes.size(), kSegmentHeaderSize));
  }
  const uint32_t magic = get_u32(bytes.data());
  if (magic != kSegmentMagic) {
    return Status::error(fmt::format("bad segment magic 0x{:08x}", magic));
  }
  const uint32_t crc = get_u32(bytes.data() + 28);
  if (crc != crc32c::value(bytes.data(), 28)) {
    return Status::error("segment header checksum mismatch");
  }
  const uint32_t version = get_u32(bytes.data() + 4);
  if (version != kSegmentFormatVersion) {
    return Status::error(fmt::format("unsupported segment format version {}", version));
  }
  SegmentHeader h;
  h.dbid = get_u64(bytes.data() + 8);
  h.first_zxid = static_cast<int64_t>(get_u64(bytes.data() + 16));
  return h;
}

uint32_t record_crc(int64_t zxid, std::string_view payload) {
  char z[8];
  for (int i = 0; i < 8; ++i)
    z[i] = static_cast<char>((static_cast<uint64_t>(zxid) >> (8 * i)) & 0xff);
  return crc32c::extend(crc32c::value(z, sizeof(z)), payload.data(), payload.size());
}

void append_record(std::string& out, int64_t zxid, std::string_view payload) {
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, record_crc(zxid, payload));
  put_u64(out, static_cast<uint64_t>(zxid));
  out.append(payload);
}

RecordHeader decode_record_header(std::string_view bytes) {
  RecordHeader h;
  h.length = get_u32(bytes.data());
  h.crc = get_u32(bytes.data() + 4);
  h.zxid = static_cast<int64_t>(get_u64(bytes.data() + 8));
  return h;
}

}  // namespace paddock::storage
