#include "server/server.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "sasl/cyrus_authenticator.h"
#include "server/server_options.h"
#include "server/snapshot_pieces.h"

namespace paddock::server {

Server::Server(config::ServerConfig config, storage::Env& env, const Clock& clock)
    : config_(std::move(config)), env_(env), clock_(clock), db_(database_options(config_)) {}

Server::~Server() { stop(); }

std::optional<Server::StartError> Server::open_durable() {
  std::error_code ec;
  for (const std::string& dir : {config_.data_dir, config_.data_log_dir}) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return StartError{kExitBadDataDir, "bad_data_dir",
                        "cannot create " + dir + ": " + ec.message()};
  }
  auto durable = durable::DurableDatabase::open(env_, durable_options(config_), db_);
  if (!durable) return StartError{kExitRecoveryFailed, "recovery_failed", durable.error()};
  durable_ = std::move(*durable);
  log_recovery();
  return std::nullopt;
}

void Server::log_recovery() const {
  const durable::RecoveryReport& r = durable_->recovery();
  spdlog::info(
      "event=recovered snapshot={} snapshot_zxid=0x{:x} snapshot_nodes={} snapshot_load_ms={} "
      "skipped_snapshots={} txns={} log_replay_ms={} last_zxid=0x{:x} sessions={} nodes={} "
      "digest_checks={} digest_mismatches={} torn_bytes_truncated={} accepted_epoch={} "
      "current_epoch={}",
      r.snapshot_path.empty() ? "none" : r.snapshot_path, r.snapshot_zxid, r.snapshot_nodes,
      r.snapshot_load_ms, r.skipped_snapshots.size(), r.txns_applied, r.log_replay_ms,
      db_.tree().last_zxid(), db_.tree().sessions().size(), db_.tree().node_count(),
      r.digest_checks, r.digest_mismatches, r.log.truncated_bytes, durable_->epochs().accepted,
      durable_->epochs().current);
}

std::optional<Server::StartError> Server::open_auth() {
  std::vector<std::string> warnings;
  Result<config::AuthSettings> auth = config::resolve_auth_settings(config_.properties, warnings);
  for (const std::string& w : warnings) spdlog::warn("event=auth_config_warning {}", w);
  if (!auth) return StartError{kExitAuthFailed, "auth_config_failed", auth.error()};
  auth_ = std::move(*auth);
  if (auth_.sasl) {
    auto sasl = sasl::CyrusAuthenticator::create(*auth_.sasl);
    if (!sasl) return StartError{kExitAuthFailed, "sasl_failed", sasl.error()};
    sasl_ = std::move(*sasl);
    spdlog::info("event=sasl_enabled jaas={} section={} digest_users={} kerberos_principal={}",
                 auth_.sasl->jaas_path, auth_.sasl->section, auth_.sasl->digest_users.size(),
                 auth_.sasl->principal.empty() ? "none" : auth_.sasl->principal);
  }
  return std::nullopt;
}

std::optional<Server::StartError> Server::start() {
  if (auto error = open_auth()) return error;
  Result<std::shared_ptr<tls::ServerTlsContext>> tls = client_tls_context(config_);
  if (!tls) return StartError{kExitTlsFailed, "tls_failed", tls.error()};
  client_tls_ = std::move(*tls);
  if (auto error = open_durable()) return error;
  auto error = config_.is_distributed() ? start_pipeline_ensemble() : start_pipeline_standalone();
  if (error) return error;
  return start_ports();
}

std::optional<Server::StartError> Server::start_pipeline_standalone() {
  durable::DurableDatabase& durable = *durable_;
  orderer_ = std::make_unique<pipeline::LocalOrderer>(
      db_.tree().last_zxid(),
      [&durable](int64_t zxid, std::string bytes) { durable.append(zxid, std::move(bytes)); });
  sessions_ = std::make_unique<pipeline::LocalSessionAuthority>(config_.tick_time_ms);
  pipeline_ = std::make_unique<pipeline::PipelineThread>(server_pipeline_options(), db_,
                                                         *orderer_, *sessions_, clock_);
  pipeline::PipelineThread& pipeline = *pipeline_;
  pipeline::LocalOrderer& orderer = *orderer_;
  durable.start(durable::DurableHooks{
      [&pipeline](std::function<void()> task) { pipeline.run_task(std::move(task)); },
      [&orderer](int64_t zxid) { orderer.on_durable(zxid); },
      [&pipeline](bool failed, std::string why) {
        pipeline.set_log_failed(failed, std::move(why));
      },
      [&orderer](int64_t durable_zxid) { orderer.reset(durable_zxid); }});
  client_port_ = std::make_unique<ClientPortServer>(client_port_options(config_, client_tls_),
                                                    pipeline);
  pipeline.start(*client_port_);
  running_ = true;
  return std::nullopt;
}

// An ensemble member: the member is the pipeline's orderer and session authority, and the
// pipeline serves clients only while the member says so (once it has joined a leader).
std::optional<Server::StartError> Server::start_pipeline_ensemble() {
  member_ = std::make_unique<ensemble::EnsembleMember>(member_options(config_), db_, *durable_);
  if (Status s = member_->open(); !s) {
    using F = ensemble::EnsembleMember::OpenFailure;
    const F why = member_->open_failure();
    member_->stop();
    durable_->stop();
    if (why == F::kTls) return StartError{kExitTlsFailed, "quorum_tls_failed", s.message()};
    if (why == F::kAuth) return StartError{kExitAuthFailed, "quorum_auth_failed", s.message()};
    return StartError{kExitListenFailed, "quorum_listen_failed", s.message()};
  }
  pipeline::PipelineOptions options = server_pipeline_options();
  options.serving_at_start = false;
  pipeline_ = std::make_unique<pipeline::PipelineThread>(options, db_, *member_,
                                                         member_->sessions(), clock_);
  pipeline::PipelineThread& pipeline = *pipeline_;
  ensemble::EnsembleMember& member = *member_;
  durable_->start(durable::DurableHooks{
      [&pipeline](std::function<void()> task) { pipeline.run_task(std::move(task)); },
      [&member](int64_t zxid) { member.on_durable(zxid); },
      [&member](bool failed, std::string why) {
        if (failed) member.on_log_failed(why);
      },
      [](int64_t) {}});
  client_port_ = std::make_unique<ClientPortServer>(client_port_options(config_, client_tls_),
                                                    pipeline);
  pipeline.start(*client_port_);
  member.start(pipeline);
  running_ = true;
  return std::nullopt;
}

std::optional<Server::StartError> Server::start_ports() {
  pipeline::PipelineThread& pipeline = *pipeline_;
  if (Status s = client_port_->start(); !s) {
    stop();
    return StartError{kExitListenFailed, "listen_failed", s.message()};
  }
  if (config_.admin_enable_server) {
    AdminServerOptions options = admin_options(config_);
    options.client_port = client_port_->bound_port();
    options.initial_configuration = initial_configuration_;
    options.system_properties = config_.properties;
    options.trace_mask = &client_port_->trace_mask();
    // The console's requests wait on the client port (a tree read, a search): two more
    // workers keep ZooKeeper's commands answered meanwhile.
    if (admin_extension_) options.worker_threads += 2;
    admin_ = std::make_unique<AdminServer>(options, pipeline, admin_extension_.get());
    if (Status s = admin_->start(); !s) {
      spdlog::warn("event=admin_server_failed {} (continuing without it)", s.message());
      admin_.reset();
    }
  }
  if (auto error = start_metrics()) return error;
  if (member_) {
    spdlog::info(
        "event=serving mode=ensemble sid={} client_port={} quorum_port={} election_port={} "
        "data_dir={}",
        config_.my_id, client_port_->bound_port(), member_->quorum_port(),
        member_->election_port(), config_.data_dir);
  } else {
    spdlog::info("event=serving mode=standalone client_port={} secure_client_port={} data_dir={}",
                 client_port_->bound_port(), client_port_->bound_secure_port(),
                 config_.data_dir);
  }
  return std::nullopt;
}

pipeline::PipelineOptions Server::server_pipeline_options() {
  pipeline::PipelineOptions options = pipeline_options(config_);
  options.sasl = sasl_;
  options.sasl_super_user = auth_.super_user;
  options.allow_sasl_failed_clients = auth_.sasl && auth_.sasl->allow_failed_clients;
  if (auth_.enforce) options.enforce_auth_schemes = auth_.enforce_schemes;
  options.add_figures = [this](pipeline::ServerSnapshot& s) { add_figures(s); };
  return options;
}

void Server::add_figures(pipeline::ServerSnapshot& s) const {
  if (storage::TxnLogWriter* writer = durable_ ? durable_->writer() : nullptr) {
    storage::TxnLogStats log = writer->stats();
    s.durability.fsync_ms = log.fsync.time_ms;
    s.durability.group_commit_records = log.batch_records;
    s.durability.log_bytes = log.bytes;
    s.log_fsyncs = log.fsync.count;
    s.fsync_threshold_exceeded = log.fsync.slow_count;
  }
  if (durable::Snapshotter* snapshotter = durable_ ? durable_->snapshotter() : nullptr) {
    durable::SnapshotterStats snap = snapshotter->stats();
    s.durability.snapshot_ms = snap.duration_ms;
    s.durability.snapshots_written = snap.written;
  }
  if (client_port_) {
    s.network_loop_turns = client_port_->loop_turns();
    s.connection_drops = client_port_->client_drops();
    s.connections_rejected = client_port_->rejected();
  }
  if (durable_) {
    durable::SnapshotRef last = durable_->last_snapshot();
    s.last_snapshot_zxid = last.zxid;
    s.last_snapshot_path = std::move(last.path);
  }
}

// ZooKeeper does not start when its metrics provider cannot: neither does Paddock, so a
// dashboard never silently loses a server.
std::optional<Server::StartError> Server::start_metrics() {
  if (!config_.metrics_enabled) return std::nullopt;
  metrics_ = std::make_unique<MetricsServer>(metrics_options(config_), *pipeline_);
  if (Status s = metrics_->start(); !s) {
    metrics_.reset();
    stop();
    return StartError{kExitListenFailed, "metrics_listen_failed", s.message()};
  }
  return std::nullopt;
}

bool Server::wait_until_serving(std::chrono::milliseconds timeout) {
  // Between tries while a member is not serving yet; a standalone server answers the first.
  constexpr auto kRetry = std::chrono::milliseconds(10);
  if (!running_) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero()) return false;
    // A counters-only snapshot: one O(1) event through the pipeline's inbox, answered in
    // order behind whatever the client port has already handed it.
    std::optional<WholeSnapshot> answer = wait_for_whole_snapshot(*pipeline_, {}, left);
    if (answer && *answer && (*answer)->serving) return true;
    if (std::chrono::steady_clock::now() + kRetry >= deadline) return false;
    std::this_thread::sleep_for(kRetry);
  }
}

void Server::stop() {
  if (!running_) return;
  running_ = false;
  if (metrics_) metrics_->stop();
  if (admin_) admin_->stop();
  client_port_->stop();
  pipeline_->stop();
  if (member_) member_->stop();
  durable_->stop();
}

}  // namespace paddock::server
