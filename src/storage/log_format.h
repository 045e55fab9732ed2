#pragma once
// Byte layout of Paddock's txn log (FORMAT.md in this folder is the description for humans).
// All integers little-endian.
//   segment file  <dir>/log.<16 lowercase hex digits of the first zxid>
//   header (32 B) u32 magic "PDKL", u32 version, u64 dbid, i64 first_zxid, u32 flags (0),
//                 u32 crc32c of bytes 0..27
//   record        u32 length (payload bytes, > 0), u32 crc32c(zxid bytes ‖ payload),
//                 i64 zxid, payload
// A zero length at a record boundary marks the end of written data (the preallocated tail
// reads as zeros).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace paddock::storage {

inline constexpr char kTxnLogDirName[] = "paddock-log";
inline constexpr uint32_t kSegmentMagic = 0x4C4B4450;  // "PDKL" as little-endian bytes
inline constexpr uint32_t kSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 16;
// Largest payload a record may carry. Txns are bounded by jute.maxbuffer (1 MiB by default);
// this leaves room for a raised limit while letting the reader reject absurd lengths.
inline constexpr uint32_t kMaxRecordPayload = 64u << 20;

// <data_log_dir>/paddock-log
std::string txn_log_dir(const std::string& data_log_dir);

// "log.00000001000000a3" <-> 0x1000000a3. parse returns nullopt for any other name.
std::string segment_file_name(int64_t first_zxid);
std::optional<int64_t> parse_segment_file_name(std::string_view name);
// "<prefix><16 lowercase hex digits>" -> the zxid they spell; nullopt for any other name or
// a negative zxid. Shared by segment and snapshot file names.
std::optional<int64_t> parse_zxid_file_name(std::string_view name, std::string_view prefix);

struct SegmentHeader {
  uint64_t dbid = 0;
  int64_t first_zxid = 0;
};
std::string encode_segment_header(const SegmentHeader& header);
// Checks magic, version and checksum; the message says which failed.
Result<SegmentHeader> decode_segment_header(std::string_view bytes);

// Appends one record (header + payload) to `out`.
void append_record(std::string& out, int64_t zxid, std::string_view payload);
inline size_t record_size(size_t payload_size) { return kRecordHeaderSize + payload_size; }

struct RecordHeader {
  uint32_t length = 0;
  uint32_t crc = 0;
  int64_t zxid = 0;
};
// Precondition: bytes.size() >= kRecordHeaderSize.
RecordHeader decode_record_header(std::string_view bytes);
uint32_t record_crc(int64_t zxid, std::string_view payload);

// Little-endian helpers shared by the storage layer.
void put_u32(std::string& out, uint32_t v);
void put_u64(std::string& out, uint64_t v);
uint32_t get_u32(const char* p);
uint64_t get_u64(const char* p);

}  // namespace paddock::storage
