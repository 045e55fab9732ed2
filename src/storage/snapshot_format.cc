#include "storage/snapshot_format.h"

#include <fmt/format.h>

#include "storage/env.h"
#include "storage/log_format.h"
#include "util/crc32c.h"

namespace paddock::storage {
namespace {

void put_i32(std::string& out, int32_t v) { put_u32(out, static_cast<uint32_t>(v)); }
void put_i64(std::string& out, int64_t v) { put_u64(out, static_cast<uint64_t>(v)); }
void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

Status checked_crc(std::string_view bytes, size_t covered, const char* what) {
  const uint32_t stored = get_u32(bytes.data() + covered);
  const uint32_t computed = crc32c::value(bytes.data(), covered);
  if (stored != computed) {
    return Status::error(fmt::format("{} checksum mismatch (stored 0x{:08x}, computed 0x{:08x})",
                                     what, stored, computed));
  }
  return Status::ok();
}

}  // namespace

std::string snapshot_dir(const std::string& data_dir) {
  return join_path(data_dir, kSnapshotDirName);
}

std::string snapshot_file_name(int64_t zxid) {
  return fmt::format("snapshot.{:016x}", static_cast<uint64_t>(zxid));
}

std::string snapshot_temp_name(int64_t zxid) { return snapshot_file_name(zxid) + ".tmp"; }

std::optional<int64_t> parse_snapshot_file_name(std::string_view name) {
  return parse_zxid_file_name(name, "snapshot.");
}

std::string encode_snapshot_header(const SnapshotHeader& h) {
  std::string out;
  out.reserve(kSnapshotHeaderSize);
  put_u32(out, kSnapshotMagic);
  put_u32(out, kSnapshotFormatVersion);
  put_i64(out, h.zxid);
  put_u64(out, h.dbid);
  put_u32(out, static_cast<uint32_t>(h.compression));
  put_u32(out, 0);  // flags
  put_i64(out, h.created_ms);
  put_u32(out, 0);  // reserved
  put_u32(out, crc32c::value(out));
  return out;
}

Result<SnapshotHeader> decode_snapshot_header(std::string_view bytes) {
  if (bytes.size() < kSnapshotHeaderSize) {
    return Status::error(
        fmt::format("header truncated ({} of {} bytes)", bytes.size(), kSnapshotHeaderSize));
  }
  const char* p = bytes.data();
  if (get_u32(p) != kSnapshotMagic) {
    return Status::error(fmt::format("bad magic 0x{:08x} (not a Paddock snapshot)", get_u32(p)));
  }
  if (Status st = checked_crc(bytes, kSnapshotHeaderSize - 4, "header"); !st) return st;
  if (get_u32(p + 4) != kSnapshotFormatVersion) {
    return Status::error(fmt::format("unsupported snapshot format version {}", get_u32(p + 4)));
  }
  SnapshotHeader h;
  h.zxid = static_cast<int64_t>(get_u64(p + 8));
  h.dbid = get_u64(p + 16);
  const uint32_t compression = get_u32(p + 24);
  if (compression > static_cast<uint32_t>(SnapshotCompression::kZstd)) {
    return Status::error(fmt::format("unknown compression {}", compression));
  }
  h.compression = static_cast<SnapshotCompression>(compression);
  h.created_ms = static_cast<int64_t>(get_u64(p + 32));
  return h;
}

std::string encode_block_header(const SnapshotBlockHeader& b) {
  std::string out;
  out.reserve(kSnapshotBlockHeaderSize);
  put_u32(out, b.stored_len);
  put_u32(out, b.raw_len);
  put_u32(out, b.crc);
  put_u32(out, crc32c::value(out));
  return out;
}

Result<SnapshotBlockHeader> decode_block_header(std::string_view bytes) {
  if (bytes.size() < kSnapshotBlockHeaderSize) {
    return Status::error(fmt::format("block header truncated ({} of {} bytes)", bytes.size(),
                                     kSnapshotBlockHeaderSize));
  }
  if (Status st = checked_crc(bytes, kSnapshotBlockHeaderSize - 4, "block header"); !st) {
    return st;
  }
  SnapshotBlockHeader b;
  b.stored_len = get_u32(bytes.data());
  b.raw_len = get_u32(bytes.data() + 4);
  b.crc = get_u32(bytes.data() + 8);
  if (b.raw_len > kMaxSnapshotBlockBytes || b.stored_len > kMaxSnapshotBlockBytes) {
    return Status::error(fmt::format("block of {} bytes ({} stored) exceeds the limit {}",
                                     b.raw_len, b.stored_len, kMaxSnapshotBlockBytes));
  }
  return b;
}

std::string encode_snapshot_trailer(const SnapshotTrailer& t) {
  std::string out;
  out.reserve(kSnapshotTrailerSize);
  put_u32(out, kSnapshotTrailerMagic);
  put_u32(out, 0);
  put_u64(out, t.sessions);
  put_u64(out, t.acls);
  put_u64(out, t.nodes);
  put_u64(out, t.raw_bytes);
  put_i64(out, t.end_zxid);
  put_i64(out, t.end_digest);
  put_u32(out, t.raw_crc);
  put_u32(out, crc32c::value(out));
  return out;
}

Result<SnapshotTrailer> decode_snapshot_trailer(std::string_view bytes) {
  if (bytes.size() < kSnapshotTrailerSize) {
    return Status::error(
        fmt::format("trailer truncated ({} of {} bytes)", bytes.size(), kSnapshotTrailerSize));
  }
  const char* p = bytes.data();
  if (get_u32(p) != kSnapshotTrailerMagic) {
    return Status::error(fmt::format("bad trailer magic 0x{:08x}", get_u32(p)));
  }
  if (Status st = checked_crc(bytes, kSnapshotTrailerSize - 4, "trailer"); !st) return st;
  SnapshotTrailer t;
  t.sessions = get_u64(p + 8);
  t.acls = get_u64(p + 16);
  t.nodes = get_u64(p + 24);
  t.raw_bytes = get_u64(p + 32);
  t.end_zxid = static_cast<int64_t>(get_u64(p + 40));
  t.end_digest = static_cast<int64_t>(get_u64(p + 48));
  t.raw_crc = get_u32(p + 56);
  return t;
}

void SnapshotChunk::add_session(int64_t session_id, int32_t timeout_ms) {
  bytes.push_back(kSessionRecord);
  put_i64(bytes, session_id);
  put_i32(bytes, timeout_ms);
  ++sessions;
}

void SnapshotChunk::add_acl(uint32_t acl_id, const proto::AclList& acl) {
  bytes.push_back(kAclRecord);
  put_u32(bytes, acl_id);
  put_u32(bytes, static_cast<uint32_t>(acl.size()));
  for (const proto::Acl& a : acl) {
    put_i32(bytes, a.perms);
    put_str(bytes, a.id.scheme);
    put_str(bytes, a.id.id);
  }
  ++acls;
}

void SnapshotChunk::add_node(std::string_view path, std::optional<std::string_view> data,
                             uint32_t acl_id, const proto::StatPersisted& s) {
  bytes.push_back(kNodeRecord);
  put_str(bytes, path);
  if (data) {
    put_str(bytes, *data);
  } else {
    put_u32(bytes, kNullDataLength);
  }
  put_u32(bytes, acl_id);
  put_i64(bytes, s.czxid);
  put_i64(bytes, s.mzxid);
  put_i64(bytes, s.ctime);
  put_i64(bytes, s.mtime);
  put_i32(bytes, s.version);
  put_i32(bytes, s.cversion);
  put_i32(bytes, s.aversion);
  put_i64(bytes, s.ephemeral_owner);
  put_i64(bytes, s.pzxid);
  ++nodes;
}

}  // namespace paddock::storage
