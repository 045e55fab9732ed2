// paddockd: the Paddock server. Wiring only: read the config, recover the state, start the
// log writer, the pipeline, the client port and the admin endpoint, then wait for a signal.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <filesystem>
#include <memory>

#include "config/server_config.h"
#include "pipeline/local_orderer.h"
#include "pipeline/log_outage.h"
#include "pipeline/pipeline_thread.h"
#include "pipeline/recovery.h"
#include "pipeline/snapshotter.h"
#include "server/admin_server.h"
#include "server/client_port_server.h"
#include "server/four_letter_words.h"
#include "state/database.h"
#include "storage/log_format.h"
#include "storage/log_writer.h"
#include "storage/posix_env.h"
#include "storage/purge.h"
#include "storage/snapshot_format.h"
#include "storage/txn_log.h"
#include "util/clock.h"

namespace paddock {
namespace {

// Keys session passwords. ZooKeeper derives passwords from the session id and a fixed
// secret too, so that any server of an ensemble can check them; a restart keeps them valid.
constexpr uint64_t kSessionPasswordSecret = 0xB3415C00;
constexpr const char* kPaddockVersion = "0.1.0";

state::DatabaseOptions database_options(const config::ServerConfig& cfg) {
  state::DatabaseOptions options;
  options.max_data_bytes = cfg.jute_max_buffer();
  options.extended_types_enabled = cfg.extended_types_enabled();
  options.enforce_quota = cfg.enforce_quota();
  options.super_digest = cfg.super_digest();
  options.skip_acl = cfg.skip_acl();
  return options;
}

// What the `conf` four-letter word shows, with ZooKeeper 3.8's keys in its order (resolved
// values, not the file's text). The directory sizes are added by the formatter.
std::vector<std::pair<std::string, std::string>> conf_entries(const config::ServerConfig& cfg) {
  return {
      {"clientPort", std::to_string(cfg.client_port)},
      {"secureClientPort", "-1"},
      {"dataDir", cfg.data_dir},
      {"dataLogDir", storage::txn_log_dir(cfg.data_log_dir)},
      {"tickTime", std::to_string(cfg.tick_time_ms)},
      {"maxClientCnxns", std::to_string(cfg.max_client_cnxns)},
      {"minSessionTimeout", std::to_string(cfg.min_session_timeout())},
      {"maxSessionTimeout", std::to_string(cfg.max_session_timeout())},
      {"clientPortListenBacklog", std::to_string(cfg.client_port_listen_backlog)},
      {"serverId", std::to_string(cfg.my_id)},
  };
}

int64_t paddock_property(const config::ServerConfig& cfg, const std::string& name,
                         int64_t fallback);

pipeline::PipelineOptions pipeline_options(const config::ServerConfig& cfg) {
  pipeline::PipelineOptions options;
  options.server_id = cfg.my_id;
  options.tick_ms = cfg.tick_time_ms;
  options.min_session_timeout_ms = cfg.min_session_timeout();
  options.max_session_timeout_ms = cfg.max_session_timeout();
  options.global_outstanding_limit =
      static_cast<size_t>(std::max<int32_t>(1, cfg.global_outstanding_limit));
  options.max_request_bytes = cfg.jute_max_buffer();
  options.container_check_interval_ms = cfg.container_check_interval_ms();
  options.password_secret = kSessionPasswordSecret;
  options.version = server::zookeeper_compatible_version(kPaddockVersion, __DATE__);
  options.config_entries = conf_entries(cfg);
  options.data_dir = cfg.data_dir;
  options.data_log_dir = cfg.data_log_dir;
  return options;
}

// Network threads (asio loops) for the client port: paddock.networkThreads. One by default:
// on the 2-core benchmark host two loops were no faster for reads, writes or a 10,000-watcher
// fan-out (the second sender finds no free core), and each adds handoffs of its own.
constexpr int64_t kDefaultNetworkThreads = 1;

server::ClientPortOptions client_port_options(const config::ServerConfig& cfg) {
  server::ClientPortOptions options;
  options.listen_address = cfg.client_port_address;
  options.port = static_cast<uint16_t>(cfg.client_port);
  options.max_connections_per_ip =
      cfg.max_client_cnxns <= 0 ? 0 : static_cast<uint32_t>(cfg.max_client_cnxns);
  options.max_frame_bytes = static_cast<int32_t>(cfg.jute_max_buffer());
  options.four_letter_whitelist = cfg.four_letter_words;
  options.listen_backlog = cfg.client_port_listen_backlog;
  options.network_threads = static_cast<int>(std::clamp<int64_t>(
      paddock_property(cfg, "paddock.networkThreads", kDefaultNetworkThreads), 1,
      server::ClientPortServer::kMaxNetworkThreads));
  return options;
}

server::AdminServerOptions admin_options(const config::ServerConfig& cfg) {
  server::AdminServerOptions options;
  options.address = cfg.admin_server_address;
  options.port = static_cast<uint16_t>(cfg.admin_server_port);
  options.command_url = cfg.admin_command_url;
  options.idle_timeout = std::chrono::milliseconds(cfg.admin_idle_timeout_ms);
  return options;
}

// A paddock.* tuning property (-Dpaddock.x=v, or paddock.x=v in zoo.cfg, which the config
// reader keeps as zookeeper.paddock.x), for tests and operators; `fallback` when unset or
// not a number.
int64_t paddock_property(const config::ServerConfig& cfg, const std::string& name,
                         int64_t fallback) {
  for (const std::string& key : {name, "zookeeper." + name}) {
    if (auto v = cfg.property(key)) {
      char* end = nullptr;
      const long long n = std::strtoll(v->c_str(), &end, 10);
      if (end != v->c_str() && *end == '\0') return n;
      spdlog::warn("event=bad_property name={} value=\"{}\" (using {})", key, *v, fallback);
    }
  }
  return fallback;
}

pipeline::SnapshotterOptions snapshotter_options(const config::ServerConfig& cfg,
                                                 const std::string& snap_dir) {
  pipeline::SnapshotterOptions options;
  options.dir = snap_dir;
  options.snap_count = cfg.snap_count;
  options.snap_size_limit_bytes = cfg.snap_size_limit_kb() * 1024;
  options.seed = std::random_device{}();
  options.chunk_bytes =
      static_cast<size_t>(paddock_property(cfg, "paddock.snapshot.chunkBytes", 256 << 10));
  options.compression_level =
      static_cast<int>(paddock_property(cfg, "paddock.snapshot.zstdLevel", 1));
  return options;
}

pipeline::LogOutageOptions outage_options(const config::ServerConfig& cfg,
                                          const std::string& log_dir) {
  pipeline::LogOutageOptions options;
  options.log_dir = log_dir;
  // The log needs room for its next preallocation chunk to go on.
  options.probe_bytes = std::clamp<uint64_t>(static_cast<uint64_t>(cfg.pre_alloc_size_kb) * 1024,
                                             4096, 64ull << 20);
  options.retry_interval = std::chrono::milliseconds(
      std::max<int64_t>(10, paddock_property(cfg, "paddock.log.retryIntervalMs", 2000)));
  return options;
}

// autopurge: off unless purgeInterval (hours) > 0; paddock.autopurge.intervalMs overrides the
// interval (tests).
std::unique_ptr<storage::Purger> make_purger(const config::ServerConfig& cfg, storage::Env& env,
                                             const std::string& snap_dir,
                                             const std::string& log_dir) {
  int64_t interval_ms = paddock_property(cfg, "paddock.autopurge.intervalMs", 0);
  if (interval_ms <= 0) interval_ms = int64_t{cfg.autopurge_purge_interval_hours} * 3600 * 1000;
  if (interval_ms <= 0) return nullptr;
  const auto retain = static_cast<size_t>(std::max(3, cfg.autopurge_snap_retain_count));
  spdlog::info("event=autopurge_enabled snap_retain_count={} interval_ms={}", retain, interval_ms);
  return std::make_unique<storage::Purger>(env, snap_dir, log_dir, retain,
                                           std::chrono::milliseconds(interval_ms));
}

void log_recovery(const pipeline::RecoveryReport& r, const state::Database& db) {
  spdlog::info(
      "event=recovered snapshot={} snapshot_zxid=0x{:x} snapshot_nodes={} snapshot_load_ms={} "
      "skipped_snapshots={} txns={} log_replay_ms={} last_zxid=0x{:x} sessions={} nodes={} "
      "digest_checks={} digest_mismatches={} torn_bytes_truncated={}",
      r.snapshot_path.empty() ? "none" : r.snapshot_path, r.snapshot_zxid, r.snapshot_nodes,
      r.snapshot_load_ms, r.skipped_snapshots.size(), r.txns_applied, r.log_replay_ms,
      db.tree().last_zxid(), db.tree().sessions().size(), db.tree().node_count(),
      r.digest_checks, r.digest_mismatches, r.log.truncated_bytes);
}

// Blocks SIGINT/SIGTERM in every thread (threads inherit the mask) so that main can wait
// for them with sigwait.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

Result<config::ServerConfig> load_config(int argc, char** argv) {
  auto command_line = config::parse_paddockd_command_line(argc, argv);
  if (!command_line) {
    std::fprintf(stderr, "%s\n%s", command_line.error().c_str(),
                 config::paddockd_usage(argv[0]).c_str());
    std::exit(2);
  }
  if (command_line->help) {
    std::printf("%s", config::paddockd_usage(argv[0]).c_str());
    std::exit(0);
  }
  auto loaded = config::load_server_config(*command_line);
  if (!loaded) return loaded.status();
  for (const std::string& warning : loaded->warnings) spdlog::warn("event=config_warning {}", warning);
  if (loaded->config.is_distributed()) {
    return Status::error("this config describes an ensemble (server.N lines with more than "
                         "one server); Paddock runs standalone only so far");
  }
  return std::move(loaded->config);
}

Status prepare_dirs(const config::ServerConfig& cfg) {
  std::error_code ec;
  for (const std::string& dir : {cfg.data_dir, cfg.data_log_dir}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::error("cannot create " + dir + ": " + ec.message());
  }
  return Status::ok();
}

int run(int argc, char** argv) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
  sigset_t shutdown_signals = block_shutdown_signals();
  Result<config::ServerConfig> loaded = load_config(argc, argv);
  if (!loaded) {
    spdlog::error("event=bad_config {}", loaded.error());
    return 2;
  }
  const config::ServerConfig& cfg = *loaded;
  if (Status s = prepare_dirs(cfg); !s) {
    spdlog::error("event=bad_data_dir {}", s.message());
    return 2;
  }

  state::Database db(database_options(cfg));
  storage::PosixEnv env;
  const std::string log_dir = storage::txn_log_dir(cfg.data_log_dir);
  const std::string snap_dir = storage::snapshot_dir(cfg.data_dir);
  auto recovered = pipeline::recover_database(env, {snap_dir, log_dir}, db);
  if (!recovered) {
    spdlog::error("event=recovery_failed dir={} {}", log_dir, recovered.error());
    return 3;
  }
  log_recovery(*recovered, db);

  storage::TxnLogOptions log_options;
  log_options.dir = log_dir;
  log_options.preallocate_bytes = static_cast<uint64_t>(cfg.pre_alloc_size_kb) * 1024;
  log_options.force_sync = cfg.force_sync;
  log_options.fsync_warning_threshold_ms = cfg.fsync_warning_threshold_ms();
  auto log = storage::TxnLog::open(env, log_options, recovered->log);
  if (!log) {
    spdlog::error("event=log_open_failed dir={} {}", log_dir, log.error());
    return 3;
  }

  // Set before the pipeline starts; used on the pipeline thread (snapshotter) and on the log
  // writer's thread (outage), hence the atomic.
  std::unique_ptr<pipeline::Snapshotter> snapshotter;
  std::atomic<pipeline::LogOutageHandler*> outage{nullptr};
  std::unique_ptr<storage::TxnLogWriter> writer;
  pipeline::LocalOrderer orderer(db.tree().last_zxid(), [&](int64_t zxid, std::string b) {
    const size_t bytes = b.size();
    if (Status s = writer->append(zxid, std::move(b)); !s) {
      spdlog::error("event=log_append_failed zxid=0x{:x} {}", zxid, s.message());
      return;
    }
    if (snapshotter) snapshotter->on_txn_logged(bytes);
  });
  writer = std::make_unique<storage::TxnLogWriter>(
      std::move(*log), [&orderer](int64_t zxid) { orderer.on_durable(zxid); },
      [&outage](const Status& error) {
        if (pipeline::LogOutageHandler* handler = outage.load()) {
          handler->on_log_error(error);
        } else {
          spdlog::error("event=log_failed {} (writes are no longer acknowledged)", error.message());
        }
      });

  SystemClock clock;
  pipeline::PipelineThread pipeline(pipeline_options(cfg), db, orderer, clock);
  snapshotter = std::make_unique<pipeline::Snapshotter>(
      snapshotter_options(cfg, snap_dir), env, db.tree(),
      [&pipeline](std::function<void()> task) { pipeline.run_task(std::move(task)); },
      [&writer] { writer->roll(); });
  pipeline::LogOutageHandler outage_handler(
      *writer, env, outage_options(cfg, log_dir),
      {[&pipeline](bool failed, std::string why) { pipeline.set_log_failed(failed, std::move(why)); },
       [&pipeline](std::function<void()> task) { pipeline.run_task(std::move(task)); },
       [&orderer](int64_t durable_zxid) { orderer.reset(durable_zxid); }});
  outage.store(&outage_handler);
  std::unique_ptr<storage::Purger> purger = make_purger(cfg, env, snap_dir, log_dir);
  server::ClientPortServer client_port(client_port_options(cfg), pipeline);
  pipeline.start(client_port);
  if (Status s = client_port.start(); !s) {
    spdlog::error("event=listen_failed {}", s.message());
    pipeline.stop();
    snapshotter->stop();
    outage_handler.stop();
    writer->stop();
    return 4;
  }
  std::unique_ptr<server::AdminServer> admin;
  if (cfg.admin_enable_server) {
    admin = std::make_unique<server::AdminServer>(admin_options(cfg), pipeline,
                                                  client_port.io_context());
    if (Status s = admin->start(); !s) {
      spdlog::warn("event=admin_server_failed {} (continuing without it)", s.message());
      admin.reset();
    }
  }
  spdlog::info("event=serving mode=standalone client_port={} data_dir={}",
               client_port.bound_port(), cfg.data_dir);

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  spdlog::info("event=shutdown signal={}", signal_number);
  if (admin) admin->stop();
  client_port.stop();
  pipeline.stop();
  if (purger) purger->stop();
  snapshotter->stop();  // abandons a snapshot in progress
  outage_handler.stop();
  writer->stop();
  return 0;
}

}  // namespace
}  // namespace paddock

int main(int argc, char** argv) { return paddock::run(argc, argv); }
