#include "durable/zk_import.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "durable/recovery.h"
#include "durable/tree_snapshot.h"
#include "proto/txn.h"
#include "state/database.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/snapshot_file.h"
#include "storage/snapshot_format.h"
#include "storage/txn_log.h"
#include "storage/zk_files.h"

namespace paddock::durable {
namespace {

std::string version2(storage::Env& env, const std::string& dir) {
  const std::string v2 = storage::join_path(dir, "version-2");
  return env.file_exists(v2) ? v2 : dir;
}

// Refuses a destination that already holds Paddock files, unless forced (then they go).
Status prepare_destination(storage::Env& env, const std::string& snap_dir,
                           const std::string& log_dir, bool force) {
  std::vector<std::string> existing;
  auto snaps = storage::list_snapshots(env, snap_dir);
  if (!snaps) return snaps.status();
  for (const auto& s : *snaps) existing.push_back(s.path);
  auto segs = storage::list_segments(env, log_dir);
  if (!segs) return segs.status();
  for (const auto& s : *segs) existing.push_back(s.path);
  if (existing.empty()) return Status::ok();
  if (!force) {
    return Status::error(
        fmt::format("the destination already holds Paddock data ({} and {} "
                    "more); use --force to replace it",
                    existing.front(), existing.size() - 1));
  }
  for (const std::string& path : existing) {
    if (Status st = env.remove(path); !st) return st;
  }
  return Status::ok();
}

Status restore_zk_snapshot(const storage::ZkSnapshot& zk, int64_t zxid, state::DataTree& tree) {
  tree.begin_restore(zk.nodes.size());
  for (const auto& [id, timeout] : zk.sessions) tree.restore_session(id, timeout);
  std::optional<proto::AclList> acl;
  for (const storage::ZkSnapshotNode& node : zk.nodes) {
    const std::string path = node.path.empty() ? "/" : node.path;
    if (node.acl_id == -1) {
      acl.reset();
    } else {
      acl = zk.acls.at(node.acl_id);  // the reader checked that every id is in the cache
    }
    if (Status st = tree.restore_node(path, node.data, acl, node.stat); !st) return st;
  }
  return tree.finish_restore(zxid);
}

// The newest snapshot that parses; its digest, if it has one.
Result<std::optional<storage::ZkSnapshotDigest>> load_zk_snapshot(storage::Env& env,
                                                                  const std::string& dir,
                                                                  state::Database& db,
                                                                  ZkImportReport& report) {
  auto names = env.list_dir(dir);
  if (!names) return names.status();
  for (const std::string& name : *names) {
    if (name.rfind("snapshot.", 0) == 0 && !storage::parse_zk_file_name(name, "snapshot")) {
      report.warnings.push_back(
          fmt::format("{}: compressed or unknown snapshot name, not read "
                      "(set zookeeper.snapshot.compression.method= and "
                      "restart ZooKeeper once to write a plain one)",
                      storage::join_path(dir, name)));
    }
  }
  auto files = storage::list_zk_files(env, dir, "snapshot");
  if (!files) return files.status();
  for (auto it = files->rbegin(); it != files->rend(); ++it) {
    auto bytes = env.read_file(it->path);
    Result<storage::ZkSnapshot> zk =
        bytes ? storage::parse_zk_snapshot(*bytes) : Result<storage::ZkSnapshot>(bytes.status());
    Status st = zk ? restore_zk_snapshot(*zk, it->zxid, db.tree()) : zk.status();
    if (!st) {
      report.skipped_snapshots.push_back(it->path + ": " + st.message());
      continue;
    }
    report.zk_snapshot = it->path;
    report.snapshot_zxid = it->zxid;
    report.sessions = zk->sessions.size();
    report.nodes = zk->nodes.size();
    return zk->digest;
  }
  if (!files->empty()) {
    std::string all;
    for (const std::string& why : report.skipped_snapshots) all += "\n  " + why;
    return Status::error("no ZooKeeper snapshot in " + dir + " could be read:" + all);
  }
  return std::optional<storage::ZkSnapshotDigest>();
}

class LogCopier {
 public:
  LogCopier(storage::Env& env, state::Database& db, storage::TxnLog& log, ZkImportReport& report,
            std::optional<storage::ZkSnapshotDigest> snapshot_digest)
      : env_(env), db_(db), log_(log), report_(report), snapshot_digest_(snapshot_digest) {
    prev_ = snapshot_zxid_ = db.tree().last_zxid();
    check_snapshot_digest();
  }

  Status copy_file(const storage::ZkFile& file, bool last) {
    auto bytes = env_.read_file(file.path);
    if (!bytes) return bytes.status();
    auto scan = storage::scan_zk_log(
        *bytes, [&](const storage::ZkLogRecord& r) { return copy_record(file, r); });
    if (!scan) return Status::error(fmt::format("{}: {}", file.path, scan.error()));
    if (!scan->tail_problem.empty()) {
      if (!last) {
        return Status::error(
            fmt::format("{}: {} (not the last log file)", file.path, scan->tail_problem));
      }
      report_.warnings.push_back(
          fmt::format("{}: {}; ZooKeeper stops reading there too, the "
                      "records after it are not imported",
                      file.path, scan->tail_problem));
    }
    ++report_.log_files;
    return Status::ok();
  }

 private:
  Status copy_record(const storage::ZkFile& file, const storage::ZkLogRecord& r) {
    if (r.zxid <= snapshot_zxid_) return Status::ok();  // the snapshot holds it
    if ((r.zxid >> 32) == (prev_ >> 32) && r.zxid != prev_ + 1) {
      return Status::error(fmt::format("{} offset {}: zxid gap: 0x{:x} follows 0x{:x}", file.path,
                                       r.offset, r.zxid, prev_));
    }
    if (r.zxid <= prev_) {
      return Status::error(
          fmt::format("{} offset {}: zxid 0x{:x} does not increase", file.path, r.offset, r.zxid));
    }
    auto txn = proto::decode_txn(r.txn);
    if (!txn) {
      return Status::error(fmt::format("{} offset {}: txn 0x{:x} does not decode: {}", file.path,
                                       r.offset, r.zxid, txn.error()));
    }
    db_.apply(*txn, nullptr);
    // ZooKeeper's snapshots are fuzzy: until replay reaches the zxid its walk ended at (the
    // snapshot's digest zxid), the tree may hold changes of later txns, so a txn's digest
    // cannot match yet. ZooKeeper compares only from there on; so does this.
    const bool fuzzy = snapshot_digest_ && r.zxid < snapshot_digest_->zxid;
    if (txn->digest && !fuzzy) compare(r.zxid, *txn->digest);
    if (snapshot_digest_ && snapshot_digest_->zxid == r.zxid) {
      compare(r.zxid, snapshot_digest_->value);
    }
    if (Status st = log_.append(r.zxid, r.txn); !st) return st;
    prev_ = r.zxid;
    ++report_.txns;
    if (++pending_ >= 10000) {  // keep the batch buffer small
      pending_ = 0;
      return log_.commit(false);
    }
    return Status::ok();
  }

  void check_snapshot_digest() {
    if (snapshot_digest_ && snapshot_digest_->zxid == db_.tree().last_zxid()) {
      compare(snapshot_digest_->zxid, snapshot_digest_->value);
    }
  }

  void compare(int64_t zxid, int64_t expected) {
    ++report_.digest_checks;
    if (expected == db_.tree().digest()) return;
    if (report_.digest_mismatches++ == 0) {
      report_.warnings.push_back(
          fmt::format("tree digest differs from ZooKeeper's at zxid 0x{:x} "
                      "(expected {}, computed {})",
                      zxid, expected, db_.tree().digest()));
    }
  }

  storage::Env& env_;
  state::Database& db_;
  storage::TxnLog& log_;
  ZkImportReport& report_;
  std::optional<storage::ZkSnapshotDigest> snapshot_digest_;
  int64_t snapshot_zxid_ = 0;
  int64_t prev_ = 0;
  uint64_t pending_ = 0;
};

Status copy_zk_logs(storage::Env& env, const std::string& zk_log_dir, state::Database& db,
                    storage::TxnLog& log, ZkImportReport& report,
                    std::optional<storage::ZkSnapshotDigest> digest) {
  auto files = storage::list_zk_files(env, zk_log_dir, "log");
  if (!files) return files.status();
  // Start with the file that may hold snapshot zxid + 1.
  size_t start = 0;
  for (size_t i = 0; i < files->size(); ++i) {
    if ((*files)[i].zxid <= report.snapshot_zxid + 1) start = i;
  }
  LogCopier copier(env, db, log, report, digest);
  for (size_t i = start; i < files->size(); ++i) {
    if (Status st = copier.copy_file((*files)[i], i + 1 == files->size()); !st) return st;
  }
  report.last_zxid = db.tree().last_zxid();
  return log.close();
}

// Recovers the destination read-only and compares it with the tree built by the import.
Status verify_destination(storage::Env& env, const std::string& snap_dir,
                          const std::string& log_dir, const state::DataTree& expected) {
  state::Database check({});
  RecoveryOptions options{snap_dir, log_dir, /*repair=*/false};
  auto recovered = recover_database(env, options, check);
  if (!recovered) return Status::error("the imported files do not recover: " + recovered.error());
  if (check.tree().digest() != expected.digest() ||
      check.tree().last_zxid() != expected.last_zxid() ||
      check.tree().node_count() != expected.node_count() ||
      check.tree().sessions() != expected.sessions()) {
    return Status::error(fmt::format(
        "the imported files recover to a different tree (zxid 0x{:x} vs 0x{:x}, {} vs {} nodes)",
        check.tree().last_zxid(), expected.last_zxid(), check.tree().node_count(),
        expected.node_count()));
  }
  return Status::ok();
}

}  // namespace

Result<ZkImportReport> import_zk(storage::Env& env, const ZkImportOptions& options) {
  ZkImportReport report;
  const std::string zk_snap_dir = version2(env, options.zk_snap_dir);
  const std::string zk_log_dir =
      version2(env, options.zk_log_dir.empty() ? options.zk_snap_dir : options.zk_log_dir);
  if (!env.file_exists(zk_snap_dir)) return Status::error("no such directory: " + zk_snap_dir);
  const std::string snap_dir = storage::snapshot_dir(options.dest_data_dir);
  const std::string log_dir = storage::txn_log_dir(
      options.dest_data_log_dir.empty() ? options.dest_data_dir : options.dest_data_log_dir);
  report.paddock_log_dir = log_dir;
  if (Status st = prepare_destination(env, snap_dir, log_dir, options.force); !st) return st;

  state::Database db({});
  auto digest = load_zk_snapshot(env, zk_snap_dir, db, report);
  if (!digest) return digest.status();
  auto snapshot =
      write_tree_snapshot(env, snap_dir, db.tree(), 0, options.created_ms,
                          *digest ? (*digest)->zxid : 0, *digest ? (*digest)->value : 0);
  if (!snapshot) return snapshot.status();
  report.paddock_snapshot = *snapshot;

  storage::TxnLogOptions log_options;
  log_options.dir = log_dir;
  log_options.preallocate_bytes = 0;  // compact files; paddockd preallocates as it appends
  auto log = storage::TxnLog::open(env, log_options, storage::RecoveredLog{});
  if (!log) return log.status();
  if (Status st = copy_zk_logs(env, zk_log_dir, db, **log, report, *digest); !st) return st;
  if (Status st = verify_destination(env, snap_dir, log_dir, db.tree()); !st) return st;
  return report;
}

}  // namespace paddock::durable
