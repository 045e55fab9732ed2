#pragma once
// Byte layout of Paddock's snapshot files (FORMAT.md in this folder describes it for humans).
// All integers little-endian.
//   file     <dir>/snapshot.<16 lowercase hex digits of the zxid>   (temp: + ".tmp")
//   header   48 B: u32 magic "PDKS", u32 version, i64 zxid, u64 dbid, u32 compression,
//            u32 flags (0), i64 created_ms, u32 reserved (0), u32 crc32c of bytes 0..43
//   blocks   16 B block header {u32 stored_len, u32 raw_len, u32 crc32c(stored bytes),
//            u32 crc32c of these 12 bytes}, then stored_len bytes (a zstd frame, or the raw
//            bytes when compression is none); a header with stored_len 0 ends the blocks
//   trailer  64 B: u32 magic "PDKT", u32 reserved, u64 sessions, u64 acls, u64 nodes,
//            u64 raw_bytes, i64 end_zxid, i64 end_digest, u32 crc32c of all raw bytes,
//            u32 crc32c of trailer bytes 0..59; nothing may follow it
// The raw bytes (blocks decompressed, concatenated) are records; a record never spans two
// blocks:
//   'S' i64 session_id, i32 timeout_ms
//   'A' u32 acl_id (> 0), u32 count, count x {i32 perms, str scheme, str id}
//   'N' str path, str data (length 0xFFFFFFFF: null data, no bytes), u32 acl_id (0 = open
//       ACL), StatPersisted as i64 czxid, i64 mzxid,
//       i64 ctime, i64 mtime, i32 version, i32 cversion, i32 aversion, i64 ephemeral_owner,
//       i64 pzxid
//   str = u32 length + bytes
// An 'A' record comes before the first node that uses its id; nodes come parents first,
// starting with the root "/".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/types.h"
#include "util/result.h"

namespace paddock::storage {

inline constexpr char kSnapshotDirName[] = "paddock-snap";
inline constexpr uint32_t kSnapshotMagic = 0x534B4450;         // "PDKS" as little-endian bytes
inline constexpr uint32_t kSnapshotTrailerMagic = 0x544B4450;  // "PDKT"
inline constexpr uint32_t kSnapshotFormatVersion = 1;
inline constexpr size_t kSnapshotHeaderSize = 48;
inline constexpr size_t kSnapshotBlockHeaderSize = 16;
inline constexpr size_t kSnapshotTrailerSize = 64;
// Largest raw block a reader accepts (a block holds at least one whole node, and a node's
// data is bounded by jute.maxbuffer, 1 MiB by default).
inline constexpr uint32_t kMaxSnapshotBlockBytes = 256u << 20;

enum class SnapshotCompression : uint32_t { kNone = 0, kZstd = 1 };

// <data_dir>/paddock-snap
std::string snapshot_dir(const std::string& data_dir);

// "snapshot.00000001000000a3" <-> 0x1000000a3; the temp name adds ".tmp". parse returns
// nullopt for any other name (temp names included).
std::string snapshot_file_name(int64_t zxid);
std::string snapshot_temp_name(int64_t zxid);
std::optional<int64_t> parse_snapshot_file_name(std::string_view name);

struct SnapshotHeader {
  int64_t zxid = 0;  // every txn up to here was applied when the snapshot began
  uint64_t dbid = 0;
  SnapshotCompression compression = SnapshotCompression::kZstd;
  int64_t created_ms = 0;  // wall clock, informational
};
std::string encode_snapshot_header(const SnapshotHeader& header);
// Checks magic, version, compression and checksum; the message says which failed.
Result<SnapshotHeader> decode_snapshot_header(std::string_view bytes);

struct SnapshotBlockHeader {
  uint32_t stored_len = 0;  // 0: end of blocks
  uint32_t raw_len = 0;
  uint32_t crc = 0;  // crc32c of the stored bytes
};
std::string encode_block_header(const SnapshotBlockHeader& block);
Result<SnapshotBlockHeader> decode_block_header(std::string_view bytes);

struct SnapshotTrailer {
  uint64_t sessions = 0;
  uint64_t acls = 0;
  uint64_t nodes = 0;
  uint64_t raw_bytes = 0;
  // The tree's last zxid and digest when serialization ended. The snapshot is fuzzy (txns
  // above `zxid` may show in it); replaying the log up to end_zxid must give end_digest.
  // end_zxid 0: no digest recorded.
  int64_t end_zxid = 0;
  int64_t end_digest = 0;
  uint32_t raw_crc = 0;  // crc32c of every raw byte, in order
};
std::string encode_snapshot_trailer(const SnapshotTrailer& trailer);
Result<SnapshotTrailer> decode_snapshot_trailer(std::string_view bytes);

// Raw record types.
inline constexpr char kSessionRecord = 'S';
inline constexpr char kAclRecord = 'A';
inline constexpr char kNodeRecord = 'N';
inline constexpr uint32_t kNullDataLength = 0xFFFFFFFF;

// A block's worth of records, built by the serializer and handed to the file writer.
struct SnapshotChunk {
  std::string bytes;
  uint64_t sessions = 0;
  uint64_t acls = 0;
  uint64_t nodes = 0;

  void add_session(int64_t session_id, int32_t timeout_ms);
  void add_acl(uint32_t acl_id, const proto::AclList& acl);
  // nullopt data: ZooKeeper's null data (kept apart from empty data).
  void add_node(std::string_view path, std::optional<std::string_view> data, uint32_t acl_id,
                const proto::StatPersisted& stat);
  bool empty() const { return bytes.empty(); }
};

// One node record as read back; the views point into the reader's block buffer.
struct SnapshotNode {
  std::string_view path;
  std::optional<std::string_view> data;  // nullopt: null data
  uint32_t acl_id = 0;
  proto::StatPersisted stat;
};

class SnapshotVisitor {
 public:
  virtual ~SnapshotVisitor() = default;
  virtual Status on_session(int64_t session_id, int32_t timeout_ms) = 0;
  virtual Status on_acl(uint32_t acl_id, const proto::AclList& acl) = 0;
  virtual Status on_node(const SnapshotNode& node) = 0;
};

}  // namespace paddock::storage
