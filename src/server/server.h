#pragma once
// Server: one paddockd, every part of it and the order they start and stop in. It owns the
// threads (through the parts that run them): the durable database's log writer, snapshot
// writer, outage handler and purger; the pipeline thread; the client port's network threads
// and the admin endpoint. main() only parses the command line and runs one.
//
// Start: recover the durable state (open) -> orderer (standalone: local; ensemble: the
// member, which binds the election and quorum ports) -> pipeline -> durable threads ->
// pipeline thread -> member (election starts) -> client port -> admin -> metrics. Stop: the
// reverse,
// so that no part is left calling into one that is gone: nothing new arrives once the
// client port is closed, the pipeline stops before the member's network (which posts to
// it) and before what it appends to, and the log writer drains last.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "config/auth_settings.h"
#include "config/server_config.h"
#include "durable/durable_database.h"
#include "ensemble/ensemble_member.h"
#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_thread.h"
#include "pipeline/sasl_authenticator.h"
#include "server/admin_server.h"
#include "server/client_port_server.h"
#include "server/metrics_server.h"
#include "state/database.h"
#include "storage/env.h"
#include "util/clock.h"
#include "util/result.h"

namespace paddock::server {

class Server {
 public:
  // Exit codes paddockd uses for start-up failures (as before this type existed).
  static constexpr int kExitBadDataDir = 2;
  static constexpr int kExitRecoveryFailed = 3;
  static constexpr int kExitListenFailed = 4;
  static constexpr int kExitAuthFailed = 6;  // JAAS file, SASL or enforce.auth settings
  static constexpr int kExitTlsFailed = 5;  // the ssl.* stores cannot be loaded

  // `env` and `clock` must outlive the server.
  Server(config::ServerConfig config, storage::Env& env, const Clock& clock);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Recovers the state and starts every part; on failure everything started is stopped
  // again and the error says what failed, with the exit code to use.
  struct StartError {
    int exit_code = 1;
    std::string event;  // the log event naming what failed (recovery_failed, ...)
    std::string message;
  };
  std::optional<StartError> start();
  // Idempotent.
  void stop();
  // What the admin server serves besides ZooKeeper's commands (the web console); call
  // before start(). Started with the admin server, stopped with it.
  void set_admin_extension(std::unique_ptr<AdminExtension> extension) {
    admin_extension_ = std::move(extension);
  }
  // zoo.cfg's text as it was read, for the admin initial_configuration command; none when
  // the configuration came from the command line. Call before start().
  void set_initial_configuration(std::optional<std::string> text) {
    initial_configuration_ = std::move(text);
  }
  // After start(): waits until the pipeline answers as serving, at most `timeout`. The
  // client port listens once start() returns (connections wait in its backlog); this is the
  // other half of being ready: a request is then answered, not just queued. A standalone
  // server serves as soon as its pipeline thread has taken one turn; an ensemble member
  // only once it has joined a leader. False on timeout or when not started.
  bool wait_until_serving(std::chrono::milliseconds timeout);

  uint16_t client_port() const { return client_port_ ? client_port_->bound_port() : 0; }
  uint16_t secure_client_port() const {
    return client_port_ ? client_port_->bound_secure_port() : 0;
  }
  uint16_t metrics_port() const { return metrics_ ? metrics_->bound_port() : 0; }
  bool is_ensemble_member() const { return member_ != nullptr; }

 private:
  // Client authentication: the JAAS server section, Cyrus SASL, enforce.auth.
  std::optional<StartError> open_auth();
  std::optional<StartError> open_durable();
  void log_recovery() const;
  std::optional<StartError> start_pipeline_standalone();
  std::optional<StartError> start_pipeline_ensemble();
  std::optional<StartError> start_ports();
  std::optional<StartError> start_metrics();
  // PipelineOptions::add_figures: the log writer's, snapshotter's and network threads'
  // counters, read on the pipeline thread (which alone replaces the log writer).
  void add_figures(pipeline::ServerSnapshot& s) const;
  pipeline::PipelineOptions server_pipeline_options();

  config::ServerConfig config_;
  storage::Env& env_;
  const Clock& clock_;
  state::Database db_;
  config::AuthSettings auth_;
  std::shared_ptr<pipeline::SaslAuthenticator> sasl_;  // null without a JAAS server section
  std::unique_ptr<durable::DurableDatabase> durable_;
  // Standalone: the local orderer and session authority. In an ensemble the member is both.
  std::unique_ptr<pipeline::LocalOrderer> orderer_;
  std::unique_ptr<pipeline::LocalSessionAuthority> sessions_;
  std::unique_ptr<ensemble::EnsembleMember> member_;
  std::unique_ptr<pipeline::PipelineThread> pipeline_;
  std::unique_ptr<ClientPortServer> client_port_;
  std::shared_ptr<tls::ServerTlsContext> client_tls_;  // null without TLS on the client port
  std::optional<std::string> initial_configuration_;
  std::unique_ptr<AdminExtension> admin_extension_;  // outlives admin_, which calls it
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<MetricsServer> metrics_;  // only with ZooKeeper's Prometheus provider
  bool running_ = false;
};

}  // namespace paddock::server
