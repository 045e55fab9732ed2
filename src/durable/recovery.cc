#include "durable/recovery.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "durable/tree_snapshot.h"
#include "proto/txn.h"
#include "storage/snapshot_file.h"
#include "util/clock.h"

namespace paddock::durable {
namespace {

Status remove_temp_files(storage::Env& env, const std::string& dir, bool repair,
                         RecoveryReport& report) {
  auto temps = storage::list_snapshot_temp_files(env, dir);
  if (!temps) return temps.status();
  if (!repair) {
    report.removed_temp_files = temps->size();
    return Status::ok();
  }
  for (const std::string& path : *temps) {
    if (Status st = env.remove(path); !st) return st;
    spdlog::warn("event=removed_partial_snapshot file={} (a snapshot interrupted by a crash)",
                 path);
    ++report.removed_temp_files;
  }
  if (!temps->empty()) return env.sync_dir(dir);
  return Status::ok();
}

// Loads the newest snapshot that reads back intact. Returns the digest check it carries
// (end zxid 0: none).
Result<storage::SnapshotTrailer> load_newest_snapshot(storage::Env& env, const std::string& dir,
                                                      state::Database& db, RecoveryReport& report) {
  auto snapshots = storage::list_snapshots(env, dir);
  if (!snapshots) return snapshots.status();
  for (auto it = snapshots->rbegin(); it != snapshots->rend(); ++it) {
    auto info = load_tree_snapshot(env, it->path, db.tree());
    if (info) {
      report.snapshot_path = it->path;
      report.snapshot_zxid = info->header.zxid;
      report.snapshot_nodes = info->trailer.nodes;
      return info->trailer;
    }
    spdlog::error("event=snapshot_unreadable {} (trying the one before it)", info.error());
    report.skipped_snapshots.push_back(info.error());
  }
  if (!snapshots->empty()) {
    std::string all;
    for (const std::string& why : report.skipped_snapshots) all += "\n  " + why;
    return Status::error(
        fmt::format("no snapshot in {} reads back intact; refusing to start "
                    "(nothing was deleted):{}",
                    dir, all));
  }
  return storage::SnapshotTrailer{};
}

class DigestCheck {
 public:
  DigestCheck(const storage::SnapshotTrailer& trailer, RecoveryReport& report)
      : end_zxid_(trailer.end_zxid), end_digest_(trailer.end_digest), report_(report) {}

  // A txn's own digest (ZooKeeper's TxnDigest) is compared only once replay has passed the
  // zxid the snapshot's walk ended at: before it, the fuzzy snapshot may already hold changes
  // of later txns.
  void after(int64_t zxid, const std::optional<int64_t>& txn_digest, const state::DataTree& tree) {
    if (txn_digest && zxid >= end_zxid_) compare(zxid, *txn_digest, tree.digest(), "txn");
    if (zxid == end_zxid_) compare(zxid, end_digest_, tree.digest(), "snapshot end");
  }

 private:
  void compare(int64_t zxid, int64_t expected, int64_t actual, const char* what) {
    ++report_.digest_checks;
    if (expected == actual) return;
    if (report_.digest_mismatches++ == 0) {
      spdlog::error("event=digest_mismatch zxid=0x{:x} source=\"{}\" expected={} tree={}", zxid,
                    what, expected, actual);
    }
  }

  int64_t end_zxid_;
  int64_t end_digest_;
  RecoveryReport& report_;
};

Result<storage::RecoveredLog> replay_log(storage::Env& env, const std::string& log_dir, bool repair,
                                         state::Database& db, DigestCheck& check,
                                         RecoveryReport& report) {
  storage::LogReadOptions options;
  options.after_zxid = db.tree().last_zxid();
  options.repair = repair;
  auto visit = [&](int64_t zxid, std::string_view payload) -> Status {
    Result<proto::Txn> txn = proto::decode_txn(payload);
    if (!txn) {
      return Status::error(fmt::format("txn 0x{:x} does not decode: {}", zxid, txn.error()));
    }
    if (txn->header.zxid != zxid) {
      return Status::error(
          fmt::format("record zxid 0x{:x} holds a txn with zxid 0x{:x}", zxid, txn->header.zxid));
    }
    db.apply(*txn, nullptr);
    ++report.txns_applied;
    check.after(zxid, txn->digest, db.tree());
    return Status::ok();
  };
  return storage::recover_txn_log(env, log_dir, options, visit);
}

}  // namespace

Result<RecoveryReport> recover_database(storage::Env& env, const RecoveryOptions& options,
                                        state::Database& db) {
  RecoveryReport report;
  if (Status st = remove_temp_files(env, options.snap_dir, options.repair, report); !st) return st;
  auto t0 = std::chrono::steady_clock::now();
  auto trailer = load_newest_snapshot(env, options.snap_dir, db, report);
  if (!trailer) return trailer.status();
  report.snapshot_load_ms = elapsed_ms(t0);
  DigestCheck check(*trailer, report);
  if (!report.snapshot_path.empty()) check.after(db.tree().last_zxid(), std::nullopt, db.tree());
  t0 = std::chrono::steady_clock::now();
  auto log = replay_log(env, options.log_dir, options.repair, db, check, report);
  if (!log) return log.status();
  report.log_replay_ms = elapsed_ms(t0);
  report.log = std::move(*log);
  return report;
}

Result<RecoveryReport> recover_database(storage::Env& env, const std::string& log_dir,
                                        state::Database& db) {
  RecoveryReport report;
  DigestCheck check(storage::SnapshotTrailer{}, report);
  auto log = replay_log(env, log_dir, true, db, check, report);
  if (!log) return log.status();
  report.log = std::move(*log);
  return report;
}

}  // namespace paddock::durable
