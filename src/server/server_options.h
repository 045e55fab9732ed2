#pragma once
// How zoo.cfg (a config::ServerConfig) becomes the options of each part of the server:
// ZooKeeper's keys, plus paddock.* tuning properties (-Dpaddock.x=v or paddock.x=v in
// zoo.cfg).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/server_config.h"
#include "durable/durable_database.h"
#include "ensemble/ensemble_member.h"
#include "pipeline/pipeline_core.h"
#include "server/admin_server.h"
#include "server/client_port_server.h"
#include "server/metrics_server.h"
#include "state/database.h"

namespace paddock::server {

state::DatabaseOptions database_options(const config::ServerConfig& cfg);
std::vector<std::pair<std::string, std::string>> conf_entries(const config::ServerConfig& cfg);
pipeline::PipelineOptions pipeline_options(const config::ServerConfig& cfg);
// `tls`: from client_tls_context (nullptr without TLS).
ClientPortOptions client_port_options(const config::ServerConfig& cfg,
                                      std::shared_ptr<tls::ServerTlsContext> tls = nullptr);
// ZooKeeper's ssl.* keys (zookeeper.ssl.* properties) for the client port.
tls::TlsSettings client_tls_settings(const config::ServerConfig& cfg);
// The ssl.quorum.* keys (TLS between servers).
tls::TlsSettings quorum_tls_settings(const config::ServerConfig& cfg);
// The client port's TLS context when secureClientPort or client.portUnification is set,
// nullptr otherwise; an error names the key and file that cannot be used.
Result<std::shared_ptr<tls::ServerTlsContext>> client_tls_context(const config::ServerConfig& cfg);
AdminServerOptions admin_options(const config::ServerConfig& cfg);
MetricsServerOptions metrics_options(const config::ServerConfig& cfg);
durable::SnapshotterOptions snapshotter_options(const config::ServerConfig& cfg,
                                                const std::string& snap_dir);
durable::LogOutageOptions outage_options(const config::ServerConfig& cfg,
                                         const std::string& log_dir);
durable::DurableOptions durable_options(const config::ServerConfig& cfg);
// An ensemble member's options: every server.N line, initLimit/syncLimit in ticks, the
// config text ZooKeeper puts in notifications and /zookeeper/config.
ensemble::MemberOptions member_options(const config::ServerConfig& cfg);
// Quorum SASL (quorum.auth.*) for member_options: the switches, ZooKeeper's socket timeouts
// and, with enableSasl, a maker of the Cyrus authenticator.
ensemble::QuorumSaslMemberOptions quorum_sasl_options(const config::ServerConfig& cfg);
// "server.1=host:2888:3888:participant;0.0.0.0:2181\n...version=0", as ZooKeeper 3.8's
// QuorumVerifier prints its config.
std::string ensemble_config_text(const config::ServerConfig& cfg);
// A paddock.* tuning property; `fallback` when unset or not a number (logged).
int64_t paddock_property(const config::ServerConfig& cfg, const std::string& name,
                         int64_t fallback);

}  // namespace paddock::server
