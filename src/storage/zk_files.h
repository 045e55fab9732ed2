#pragma once
// Reading Apache ZooKeeper 3.8's own data files (ZK-FORMATS.md sections 4 and 5), for
// `paddock import-zk` and tools. Pure parsing of bytes into plain values: nothing here knows
// Paddock's tree. Errors name the byte offset of what is wrong.
//   version-2/snapshot.<hex zxid>  sessions, ACL cache, nodes (pre-order, root path ""),
//                                  Adler32, optional tree digest
//   version-2/log.<hex zxid>       header ZKLG, records {long Adler32(txn), int length, txn,
//                                  byte 'B'}, preallocated zeros after the last record
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/types.h"
#include "storage/env.h"
#include "util/result.h"

namespace paddock::storage {

inline constexpr int32_t kZkSnapshotMagic = 0x5A4B534E;  // "ZKSN"
inline constexpr int32_t kZkLogMagic = 0x5A4B4C47;       // "ZKLG"
inline constexpr int32_t kZkFileVersion = 2;

// Adler-32 as java.util.zip.Adler32 computes it; start with adler = 1.
uint32_t adler32(uint32_t adler, const void* data, size_t n);
inline uint32_t adler32(std::string_view bytes) { return adler32(1, bytes.data(), bytes.size()); }

// ZooKeeper's file names: "<prefix>.<hex zxid>" (lowercase, unpadded). A compressed
// snapshot ("snapshot.<hex>.gz" / ".snappy") does not parse.
std::optional<int64_t> parse_zk_file_name(std::string_view name, std::string_view prefix);

struct ZkFile {
  std::string path;
  int64_t zxid = 0;
};
// Files named "<prefix>.<hex>" in `dir`, oldest first. Missing dir: none.
Result<std::vector<ZkFile>> list_zk_files(Env& env, const std::string& dir,
                                          std::string_view prefix);

// --- snapshots -----------------------------------------------------------------------------

struct ZkSnapshotNode {
  std::string path;                 // "" for the root, as ZooKeeper writes it
  std::optional<std::string> data;  // nullopt: null data (length -1)
  int64_t acl_id = -1;              // -1: open ACL (no cache entry)
  proto::StatPersisted stat;
};

struct ZkSnapshotDigest {
  int64_t zxid = 0;  // the tree digest is for the state after this zxid
  int32_t version = 0;
  int64_t value = 0;
};

struct ZkSnapshot {
  int64_t dbid = 0;
  std::vector<std::pair<int64_t, int32_t>> sessions;  // id, timeout
  std::map<int64_t, proto::AclList> acls;             // the ACL cache
  std::vector<ZkSnapshotNode> nodes;                  // file order: parents first
  std::optional<ZkSnapshotDigest> digest;
};

// Parses a whole snapshot file and checks its Adler32 checksum(s) and end markers.
Result<ZkSnapshot> parse_zk_snapshot(std::string_view bytes);

// ZooKeeper's own quick validity test (SnapStream.isValidSnapshot): at least 10 bytes and the
// last five are 00 00 00 01 2F (the string "/").
bool zk_snapshot_looks_complete(std::string_view bytes);

// --- transaction logs --------------------------------------------------------------------

struct ZkLogRecord {
  uint64_t offset = 0;  // of the record's checksum field
  int64_t zxid = 0;     // from the txn header
  std::string_view txn;
};

struct ZkLogScan {
  int64_t dbid = 0;
  uint64_t records = 0;
  uint64_t end_offset = 0;   // where valid data ends
  std::string tail_problem;  // non-empty: a partial last record was found there (ZooKeeper
                             // stops reading the file at it too)
};

// Visits every record of a log file in order. A checksum mismatch or a bad header is an
// error; a partial last record ends the scan (tail_problem says so).
Result<ZkLogScan> scan_zk_log(std::string_view bytes,
                              const std::function<Status(const ZkLogRecord&)>& visit);

}  // namespace paddock::storage
