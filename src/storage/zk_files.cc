#include "storage/zk_files.h"

#include <fmt/format.h>

#include <algorithm>

#include "proto/jute.h"
#include "proto/records.h"
#include "storage/zk_snapshot_body.h"

namespace paddock::storage {
namespace {

// ZooKeeper reads snapshot buffers with jute.maxbuffer plus its extra size; accept far more
// so a server run with a raised jute.maxbuffer still imports.
constexpr size_t kMaxZkBuffer = 256u << 20;

Status malformed(const proto::JuteReader& r, const char* what) {
  return Status::error(fmt::format("{} malformed at offset {} ({})", what, r.failure_offset(),
                                   r.failure() != nullptr ? r.failure() : "bad value"));
}

// The zxid field of a TxnHeader {long clientId, int cxid, long zxid, ...}, big-endian.
int64_t txn_zxid(std::string_view txn) {
  uint64_t v = 0;
  for (size_t i = 12; i < 20; ++i) v = (v << 8) | static_cast<uint8_t>(txn[i]);
  return static_cast<int64_t>(v);
}

Status check_file_header(proto::JuteReader& r, int32_t magic, const char* what, int64_t* dbid) {
  const int32_t m = r.i32();
  const int32_t version = r.i32();
  *dbid = r.i64();
  if (!r.ok()) return Status::error(fmt::format("{} header truncated", what));
  if (m != magic) return Status::error(fmt::format("{}: bad magic 0x{:08x}", what, m));
  if (version != kZkFileVersion) {
    return Status::error(fmt::format("{}: unsupported version {}", what, version));
  }
  return Status::ok();
}

Status check_adler(proto::JuteReader& r, std::string_view bytes, const char* which) {
  const size_t covered = r.position();
  const auto stored = static_cast<uint64_t>(r.i64());
  const std::string end = r.string();
  if (!r.ok())
    return Status::error(fmt::format("{} checksum missing at offset {}", which, covered));
  const uint32_t computed = adler32(bytes.substr(0, covered));
  if (stored != computed) {
    return Status::error(
        fmt::format("{} Adler32 mismatch at offset {} (stored 0x{:x}, "
                    "computed 0x{:x})",
                    which, covered, stored, computed));
  }
  if (end != "/") return Status::error(fmt::format("no end marker after the {} checksum", which));
  return Status::ok();
}

// Fills a ZkSnapshot from the body's items.
class SnapshotCollector final : public ZkSnapshotBodyVisitor {
 public:
  explicit SnapshotCollector(ZkSnapshot& out) : out_(out) {}
  Status on_session(int64_t session_id, int32_t timeout_ms) override {
    out_.sessions.emplace_back(session_id, timeout_ms);
    return Status::ok();
  }
  Status on_acl(int64_t acl_id, proto::AclList acl) override {
    out_.acls[acl_id] = std::move(acl);
    return Status::ok();
  }
  Status on_node(ZkSnapshotNode node) override {
    if (node.acl_id != kZkOpenAclId && !out_.acls.contains(node.acl_id)) {
      return Status::error(fmt::format("node '{}' uses ACL id {} missing from the ACL cache",
                                       node.path, node.acl_id));
    }
    out_.nodes.push_back(std::move(node));
    return Status::ok();
  }

 private:
  ZkSnapshot& out_;
};

}  // namespace

uint32_t adler32(uint32_t adler, const void* data, size_t n) {
  constexpr uint32_t kMod = 65521;
  constexpr size_t kMaxRun = 5552;  // largest n with no uint32 overflow before the modulo
  uint32_t a = adler & 0xffff;
  uint32_t b = adler >> 16;
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const size_t run = std::min(n, kMaxRun);
    for (size_t i = 0; i < run; ++i) {
      a += p[i];
      b += a;
    }
    a %= kMod;
    b %= kMod;
    p += run;
    n -= run;
  }
  return (b << 16) | a;
}

std::optional<int64_t> parse_zk_file_name(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
      name[prefix.size()] != '.') {
    return std::nullopt;
  }
  std::string_view hex = name.substr(prefix.size() + 1);
  if (hex.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : hex) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = (v << 4) | static_cast<uint64_t>(digit);
  }
  return static_cast<int64_t>(v);
}

Result<std::vector<ZkFile>> list_zk_files(Env& env, const std::string& dir,
                                          std::string_view prefix) {
  std::vector<ZkFile> out;
  if (!env.file_exists(dir)) return out;
  auto names = env.list_dir(dir);
  if (!names) return names.status();
  for (const std::string& name : *names) {
    if (auto zxid = parse_zk_file_name(name, prefix))
      out.push_back(ZkFile{join_path(dir, name), *zxid});
  }
  std::sort(out.begin(), out.end(),
            [](const ZkFile& a, const ZkFile& b) { return a.zxid < b.zxid; });
  return out;
}

Result<ZkSnapshot> parse_zk_snapshot(std::string_view bytes) {
  proto::JuteReader r(bytes, kMaxZkBuffer);
  ZkSnapshot out;
  if (Status st = check_file_header(r, kZkSnapshotMagic, "snapshot", &out.dbid); !st) return st;
  const size_t body_start = r.position();
  SnapshotCollector collector(out);
  ZkSnapshotBodyParser parser(kMaxZkBuffer);
  auto done = parser.advance(bytes.substr(body_start), &collector);
  if (!done) {
    return Status::error(fmt::format("snapshot (body from offset {}): {}", body_start,
                                     done.error()));
  }
  if (!*done) {
    return Status::error(fmt::format("snapshot ends at offset {}, inside the body (offset {})",
                                     bytes.size(), body_start + parser.position()));
  }
  r.raw(parser.position());  // the checksum covers everything up to here
  if (Status st = check_adler(r, bytes, "snapshot"); !st) return st;
  if (r.at_end()) return out;  // written without a digest
  ZkSnapshotDigest digest;
  digest.zxid = r.i64();
  digest.version = r.i32();
  if (digest.version >= 2) {
    digest.value = r.i64();
  } else {
    // Older digest versions stored the value as a hex string.
    auto value = parse_zk_file_name("d." + r.string(), "d");
    if (!value) return Status::error("snapshot digest is not a hex number");
    digest.value = *value;
  }
  if (!r.ok()) return malformed(r, "digest");
  if (Status st = check_adler(r, bytes, "digest"); !st) return st;
  if (!r.at_end()) {
    return Status::error(fmt::format("{} unexpected bytes at offset {} after the digest",
                                     r.remaining(), r.position()));
  }
  out.digest = digest;
  return out;
}

bool zk_snapshot_looks_complete(std::string_view bytes) {
  static constexpr char kEnd[] = {0, 0, 0, 1, '/'};
  return bytes.size() >= 10 && bytes.substr(bytes.size() - 5) == std::string_view(kEnd, 5);
}

Result<ZkLogScan> scan_zk_log(std::string_view bytes,
                              const std::function<Status(const ZkLogRecord&)>& visit) {
  proto::JuteReader r(bytes, kMaxZkBuffer);
  ZkLogScan scan;
  if (Status st = check_file_header(r, kZkLogMagic, "log", &scan.dbid); !st) return st;
  for (;;) {
    const size_t at = r.position();
    scan.end_offset = at;
    if (r.remaining() < 12) {  // EOF (or zero padding too short for a record)
      if (r.rest().find_first_not_of('\0') != std::string_view::npos) {
        scan.tail_problem = fmt::format("partial record header at offset {}", at);
      }
      return scan;
    }
    const auto checksum = static_cast<uint64_t>(r.i64());
    const int32_t length = r.i32();
    if (length == 0) return scan;  // preallocated zeros: end of data
    if (length < 0 || static_cast<size_t>(length) + 1 > r.remaining()) {
      scan.tail_problem =
          fmt::format("record at offset {} of length {} runs past the end", at, length);
      return scan;
    }
    const std::string_view txn = r.raw(static_cast<size_t>(length));
    const std::string_view end = r.raw(1);
    if (end != "B") {
      scan.tail_problem = fmt::format("record at offset {} is not followed by 'B'", at);
      return scan;
    }
    if (checksum != adler32(txn)) {
      return Status::error(
          fmt::format("log record at offset {}: Adler32 mismatch (stored 0x{:x}, "
                      "computed 0x{:x})",
                      at, checksum, adler32(txn)));
    }
    if (txn.size() < 32) {
      return Status::error(
          fmt::format("log record at offset {}: {} bytes is too short for a txn", at, txn.size()));
    }
    ZkLogRecord rec{at, txn_zxid(txn), txn};
    if (Status st = visit(rec); !st) return st;
    ++scan.records;
  }
}

}  // namespace paddock::storage
