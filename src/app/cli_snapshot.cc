// `paddock snapshot dump FILE [--json] [--full-data]`: prints a snapshot, Paddock's own
//   (paddock-snap/snapshot.<zxid>) or Apache ZooKeeper's (version-2/snapshot.<hex>).
//   Exit 0 when it reads back intact, 1 when it is damaged, 2 when it cannot be read.
// `paddock snapshot verify DIR [--log-dir DIR]`: checks every snapshot and log segment of a
//   data dir (or of a folder holding those files) without changing anything, then recovers
//   the state read-only from them. Exit 0 when all is intact and recovery would succeed,
//   1 otherwise.
#include <fmt/format.h>

#include <iostream>
#include <map>

#include "app/cli_command.h"
#include "app/cli_dump_format.h"
#include "durable/recovery.h"
#include "proto/txn.h"
#include "state/database.h"
#include "storage/log_reader.h"
#include "storage/posix_env.h"
#include "storage/snapshot_file.h"
#include "storage/zk_files.h"

namespace paddock::app {
namespace {

struct DumpOptions {
  std::string file;
  bool json = false;
  bool full_data = false;
};

// Prints records as they come (text) or collects them (JSON).
class SnapshotPrinter final : public storage::SnapshotVisitor {
 public:
  explicit SnapshotPrinter(const DumpOptions& o) : o_(o) {}

  Status on_session(int64_t id, int32_t timeout) override {
    if (o_.json) {
      sessions_.push_back({{"id", id}, {"timeout_ms", timeout}});
    } else {
      std::cout << fmt::format("session 0x{:x} timeout_ms={}\n", static_cast<uint64_t>(id),
                               timeout);
    }
    return Status::ok();
  }
  Status on_acl(uint32_t id, const proto::AclList& acl) override {
    if (o_.json) {
      acls_.push_back({{"id", id}, {"acl", acl_json(acl)}});
    } else {
      std::cout << fmt::format("acl {} {}\n", id, describe_acl(acl));
    }
    return Status::ok();
  }
  Status on_node(const storage::SnapshotNode& n) override {
    node(n.path, n.data, fmt::format("{}", n.acl_id), n.stat);
    return Status::ok();
  }
  void node(std::string_view path, std::optional<std::string_view> data, const std::string& acl,
            const proto::StatPersisted& stat) {
    if (o_.json) {
      nodes_.push_back({{"path", std::string(path)},
                        {"data", data_json(data)},
                        {"acl_id", acl},
                        {"stat", stat_json(stat)}});
    } else {
      std::cout << fmt::format("node {} data={} acl={} {}\n", path,
                               printable(data, o_.full_data ? 0 : 64), acl, describe_stat(stat));
    }
  }
  nlohmann::json json(nlohmann::json header) {
    header["sessions"] = std::move(sessions_);
    header["acls"] = std::move(acls_);
    header["nodes"] = std::move(nodes_);
    return header;
  }

 private:
  const DumpOptions& o_;
  nlohmann::json sessions_ = nlohmann::json::array();
  nlohmann::json acls_ = nlohmann::json::array();
  nlohmann::json nodes_ = nlohmann::json::array();
};

int dump_paddock(storage::Env& env, const DumpOptions& o) {
  SnapshotPrinter printer(o);
  auto info = storage::read_snapshot(env, o.file, &printer);
  nlohmann::json out = {{"file", o.file}, {"format", "paddock"}};
  if (info) {
    const auto& h = info->header;
    const auto& t = info->trailer;
    out["header"] = {
        {"zxid", h.zxid},
        {"zxid_hex", hex_zxid(h.zxid)},
        {"dbid", h.dbid},
        {"compression", h.compression == storage::SnapshotCompression::kZstd ? "zstd" : "none"},
        {"created", iso_time(h.created_ms)}};
    out["trailer"] = {
        {"sessions", t.sessions},       {"acls", t.acls},         {"nodes", t.nodes},
        {"raw_bytes", t.raw_bytes},     {"end_zxid", t.end_zxid}, {"end_digest", t.end_digest},
        {"file_bytes", info->file_size}};
  }
  out["problem"] = info ? nlohmann::json(nullptr) : nlohmann::json(info.error());
  if (o.json) {
    std::cout << dump_json(printer.json(std::move(out))) << "\n";
  } else if (info) {
    std::cout << fmt::format(
        "paddock snapshot zxid={} (fuzzy; exact after the log up to {}) "
        "sessions={} acls={} nodes={} bytes={} raw_bytes={}\n",
        hex_zxid(info->header.zxid), hex_zxid(info->trailer.end_zxid), info->trailer.sessions,
        info->trailer.acls, info->trailer.nodes, info->file_size, info->trailer.raw_bytes);
  } else {
    std::cout << "DAMAGE: " << info.error() << "\n";
  }
  return info ? 0 : 1;
}

int dump_zookeeper(const std::string& bytes, const DumpOptions& o) {
  auto snap = storage::parse_zk_snapshot(bytes);
  if (!snap) {
    if (o.json) {
      std::cout << dump_json({{"file", o.file}, {"format", "zookeeper"}, {"problem", snap.error()}})
                << "\n";
    } else {
      std::cout << "DAMAGE: " << snap.error() << "\n";
    }
    return 1;
  }
  SnapshotPrinter printer(o);
  for (const auto& [id, timeout] : snap->sessions) (void)printer.on_session(id, timeout);
  for (const auto& [id, acl] : snap->acls) {
    if (o.json) {
      (void)printer.on_acl(static_cast<uint32_t>(id), acl);
    } else {
      std::cout << fmt::format("acl {} {}\n", id, describe_acl(acl));
    }
  }
  for (const auto& n : snap->nodes) {
    std::optional<std::string_view> data;
    if (n.data) data = *n.data;
    printer.node(n.path.empty() ? "/" : n.path, data, std::to_string(n.acl_id), n.stat);
  }
  nlohmann::json out = {{"file", o.file}, {"format", "zookeeper"}, {"problem", nullptr}};
  out["header"] = {{"dbid", snap->dbid}};
  if (snap->digest) {
    out["digest"] = {{"zxid", snap->digest->zxid}, {"value", snap->digest->value}};
  }
  if (o.json) {
    std::cout << dump_json(printer.json(std::move(out))) << "\n";
  } else {
    std::cout << fmt::format("zookeeper snapshot sessions={} acls={} nodes={}{}\n",
                             snap->sessions.size(), snap->acls.size(), snap->nodes.size(),
                             snap->digest ? fmt::format(" digest={} at {}", snap->digest->value,
                                                        hex_zxid(snap->digest->zxid))
                                          : "");
  }
  return 0;
}

int run_dump(const DumpOptions& o) {
  storage::PosixEnv env;
  auto head = env.read_range(o.file, 0, 4);
  if (!head) {
    std::cerr << head.error() << "\n";
    return 2;
  }
  if (head->size() == 4 && storage::get_u32(head->data()) == storage::kSnapshotMagic) {
    return dump_paddock(env, o);
  }
  if (*head == "ZKSN") {
    auto bytes = env.read_file(o.file);
    if (!bytes) {
      std::cerr << bytes.error() << "\n";
      return 2;
    }
    return dump_zookeeper(*bytes, o);
  }
  std::cerr << o.file << ": not a Paddock or ZooKeeper snapshot (unknown magic)\n";
  return 2;
}

// --- verify ------------------------------------------------------------------------------

struct VerifyOptions {
  std::string dir;
  std::string log_dir;
};

class Verifier {
 public:
  Verifier(storage::Env& env, std::string snap_dir, std::string log_dir)
      : env_(env), snap_dir_(std::move(snap_dir)), log_dir_(std::move(log_dir)) {}

  int run() {
    std::cout << fmt::format("snapshots in {}\n", snap_dir_);
    const int64_t oldest = check_snapshots();
    std::cout << fmt::format("log segments in {}\n", log_dir_);
    check_segments();
    check_chain(oldest);
    check_recovery();
    std::cout << (problems_ == 0 ? "OK: every file is intact and recovery would succeed\n"
                                 : fmt::format("{} PROBLEM(S) found\n", problems_));
    return problems_ == 0 ? 0 : 1;
  }

 private:
  void problem(const std::string& what) {
    ++problems_;
    std::cout << "  PROBLEM " << what << "\n";
  }

  // Returns the zxid of the oldest intact snapshot (0: none).
  int64_t check_snapshots() {
    auto temps = storage::list_snapshot_temp_files(env_, snap_dir_);
    if (temps) {
      for (const auto& t : *temps) {
        std::cout << fmt::format(
            "  note {}: temp file of an interrupted snapshot (removed at "
            "the next start)\n",
            t);
      }
    }
    auto list = storage::list_snapshots(env_, snap_dir_);
    if (!list) {
      problem(list.error());
      return 0;
    }
    int64_t oldest = 0;
    for (const auto& s : *list) {
      auto info = storage::read_snapshot(env_, s.path, nullptr);
      if (!info) {
        problem(info.error());
        continue;
      }
      if (oldest == 0) oldest = s.zxid;
      std::cout << fmt::format("  ok {} zxid={} nodes={} sessions={} bytes={}\n", s.path,
                               hex_zxid(s.zxid), info->trailer.nodes, info->trailer.sessions,
                               info->file_size);
    }
    if (list->empty()) std::cout << "  (none)\n";
    return oldest;
  }

  void check_segments() {
    auto segments = storage::list_segments(env_, log_dir_);
    if (!segments) {
      problem(segments.error());
      return;
    }
    for (size_t i = 0; i < segments->size(); ++i) {
      const auto& seg = (*segments)[i];
      uint64_t undecodable = 0;
      auto scan = storage::scan_segment_file(env_, seg.path,
                                             [&](uint64_t, int64_t, std::string_view payload) {
                                               if (!proto::decode_txn(payload)) ++undecodable;
                                             });
      if (!scan) {
        problem(seg.path + ": " + scan.error());
        continue;
      }
      std::cout << fmt::format("  {} {} records={} zxids={}..{}\n",
                               scan->problem.empty() && undecodable == 0 ? "ok" : "bad", seg.path,
                               scan->records, hex_zxid(seg.first_zxid), hex_zxid(scan->last_zxid));
      if (undecodable != 0)
        problem(fmt::format("{}: {} txns do not decode", seg.path, undecodable));
      if (!scan->problem.empty()) {
        const bool last = i + 1 == segments->size();
        problem(fmt::format("{}: {}{}", seg.path, scan->problem,
                            last ? " (a torn tail: recovery would cut it off)"
                                 : " (not the last segment: recovery would stop)"));
      }
    }
    if (segments->empty()) std::cout << "  (none)\n";
  }

  // The log must reach without a gap from the oldest intact snapshot to its end.
  void check_chain(int64_t oldest) {
    storage::LogReadOptions options;
    options.after_zxid = oldest;
    options.repair = false;
    auto chain = storage::recover_txn_log(env_, log_dir_, options,
                                          [](int64_t, std::string_view) { return Status::ok(); });
    if (!chain) {
      problem("log chain from snapshot " + hex_zxid(oldest) + ": " + chain.error());
    }
  }

  void check_recovery() {
    state::Database db({});
    durable::RecoveryOptions options{snap_dir_, log_dir_, /*repair=*/false};
    auto r = durable::recover_database(env_, options, db);
    if (!r) {
      problem("recovery would fail: " + r.error());
      return;
    }
    std::cout << fmt::format(
        "recovery (read-only): snapshot={} txns={} last_zxid={} nodes={} "
        "sessions={} digest_checks={} digest_mismatches={}\n",
        r->snapshot_path.empty() ? "none" : r->snapshot_path, r->txns_applied,
        hex_zxid(db.tree().last_zxid()), db.tree().node_count(), db.tree().sessions().size(),
        r->digest_checks, r->digest_mismatches);
    if (r->digest_mismatches != 0) {
      problem(fmt::format("{} tree digest mismatches during replay", r->digest_mismatches));
    }
  }

  storage::Env& env_;
  const std::string snap_dir_;
  const std::string log_dir_;
  int problems_ = 0;
};

int run_verify(const VerifyOptions& o) {
  storage::PosixEnv env;
  if (!env.file_exists(o.dir)) {
    std::cerr << "no such directory: " << o.dir << "\n";
    return 1;
  }
  // A dataDir holds paddock-snap/ and (unless dataLogDir is elsewhere) paddock-log/; a plain
  // folder may hold the files themselves.
  const std::string snap_dir = storage::snapshot_dir(o.dir);
  const std::string log_base = o.log_dir.empty() ? o.dir : o.log_dir;
  const std::string log_dir = storage::txn_log_dir(log_base);
  const bool data_dir = env.file_exists(snap_dir) || env.file_exists(log_dir);
  Verifier v(env, data_dir ? snap_dir : o.dir, data_dir || !o.log_dir.empty() ? log_dir : o.dir);
  return v.run();
}

}  // namespace

void add_snapshot_commands(CLI::App& app, CommandAction& action) {
  CLI::App* snap = app.add_subcommand("snapshot", "inspect and verify snapshots and logs");
  snap->require_subcommand(1);
  auto dump_options = std::make_shared<DumpOptions>();
  CLI::App* dump = snap->add_subcommand(
      "dump", "print a Paddock or ZooKeeper snapshot (exit 1 if it is damaged)");
  dump->add_option("FILE", dump_options->file, "snapshot file")->required();
  dump->add_flag("--json", dump_options->json, "print JSON");
  dump->add_flag("--full-data", dump_options->full_data, "print whole data (text mode)");
  dump->callback(
      [dump_options, &action] { action = [dump_options] { return run_dump(*dump_options); }; });
  auto verify_options = std::make_shared<VerifyOptions>();
  CLI::App* verify = snap->add_subcommand(
      "verify", "check every snapshot and log segment of a data dir; exit 0 if all is intact");
  verify->add_option("DIR", verify_options->dir, "dataDir (or a folder of snapshot/log files)")
      ->required();
  verify->add_option("--log-dir", verify_options->log_dir, "dataLogDir, when not the dataDir");
  verify->callback([verify_options, &action] {
    action = [verify_options] { return run_verify(*verify_options); };
  });
}

}  // namespace paddock::app
