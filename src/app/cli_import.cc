// `paddock import-zk ZK_DATA_DIR DEST_DIR [--zk-log-dir DIR] [--dest-log-dir DIR] [--force]`:
// converts an Apache ZooKeeper 3.8 data dir (version-2/snapshot.* and log.*) into Paddock's
// files, so that paddockd started with dataDir=DEST_DIR serves the same tree and continues
// its zxid history. Stop ZooKeeper first. Exit 0 on success, 1 on failure (the message says
// which file and offset was wrong).
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "app/cli_command.h"
#include "durable/zk_import.h"
#include "storage/posix_env.h"

namespace paddock::app {
namespace {

int run_import(const durable::ZkImportOptions& options) {
  storage::PosixEnv env;
  durable::ZkImportOptions o = options;
  o.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  auto report = durable::import_zk(env, o);
  if (!report) {
    std::cerr << "import-zk failed: " << report.error() << "\n";
    return 1;
  }
  const durable::ZkImportReport& r = *report;
  for (const std::string& why : r.skipped_snapshots) {
    std::cout << "skipped unreadable snapshot " << why << "\n";
  }
  for (const std::string& w : r.warnings) std::cout << "warning: " << w << "\n";
  std::cout << fmt::format(
      "imported snapshot {} (zxid 0x{:x}, {} nodes, {} sessions) and {} txns from {} log "
      "files; last zxid 0x{:x}; digest checks {} ({} mismatches)\n"
      "wrote {} and the log in {}\n",
      r.zk_snapshot.empty() ? "(none)" : r.zk_snapshot, r.snapshot_zxid, r.nodes, r.sessions,
      r.txns, r.log_files, r.last_zxid, r.digest_checks, r.digest_mismatches, r.paddock_snapshot,
      r.paddock_log_dir);
  return 0;
}

}  // namespace

void add_import_commands(CLI::App& app, CommandAction& action) {
  auto options = std::make_shared<durable::ZkImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import-zk", "convert an Apache ZooKeeper 3.8 data dir into Paddock's snapshot and log");
  cmd->add_option("ZK_DATA_DIR", options->zk_snap_dir, "ZooKeeper's dataDir (or version-2)")
      ->required();
  cmd->add_option("DEST_DIR", options->dest_data_dir, "Paddock dataDir to write")->required();
  cmd->add_option("--zk-log-dir", options->zk_log_dir, "ZooKeeper's dataLogDir, if separate");
  cmd->add_option("--dest-log-dir", options->dest_data_log_dir, "Paddock dataLogDir, if separate");
  cmd->add_flag("--force", options->force, "replace Paddock files already in the destination");
  cmd->callback([options, &action] { action = [options] { return run_import(*options); }; });
}

}  // namespace paddock::app
