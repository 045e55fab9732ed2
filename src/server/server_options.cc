// How zoo.cfg (a config::ServerConfig) becomes the options of each part of the server.
#include "server/server_options.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>

#include "config/auth_settings.h"
#include "sasl/quorum_authenticator.h"
#include "server/client_port_server.h"
#include "server/four_letter_words.h"
#include "storage/log_format.h"
#include "storage/snapshot_format.h"

namespace paddock::server {

namespace {
// Keys session passwords. ZooKeeper derives passwords from the session id and a fixed
// secret too, so that any server of an ensemble can check them; a restart keeps them valid.
constexpr uint64_t kSessionPasswordSecret = 0xB3415C00;
constexpr const char* kPaddockVersion = "0.1.0";
}  // namespace

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
      {"secureClientPort",
       cfg.secure_client_port != 0 ? std::to_string(cfg.secure_client_port) : "-1"},
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
  options.version = zookeeper_compatible_version(kPaddockVersion, __DATE__);
  options.x509_super_user =
      cfg.string_property("zookeeper.X509AuthenticationProvider.superUser");
  options.config_entries = conf_entries(cfg);
  options.data_dir = cfg.data_dir;
  options.data_log_dir = cfg.data_log_dir;
  return options;
}

// Network threads (asio loops) for the client port: paddock.networkThreads. One by default:
// on the 2-core benchmark host two loops were no faster for reads, writes or a 10,000-watcher
// fan-out (the second sender finds no free core), and each adds handoffs of its own.
constexpr int64_t kDefaultNetworkThreads = 1;

ClientPortOptions client_port_options(const config::ServerConfig& cfg,
                                      std::shared_ptr<tls::ServerTlsContext> tls) {
  ClientPortOptions options;
  options.listen_address = cfg.client_port_address;
  options.port = static_cast<uint16_t>(cfg.client_port);
  options.plain_port = cfg.client_port != 0 || cfg.secure_client_port == 0;
  if (tls) {
    options.tls = std::move(tls);
    if (cfg.secure_client_port != 0) {
      options.secure_port = static_cast<uint16_t>(cfg.secure_client_port);
    }
    options.secure_listen_address = cfg.secure_client_port_address;
    options.port_unification = cfg.switch_property("zookeeper.client.portUnification");
    options.tls_handshake_timeout = std::chrono::milliseconds(
        cfg.int_property("zookeeper.ssl.handshakeDetectionTimeoutMillis"));
  }
  options.max_connections_per_ip =
      cfg.max_client_cnxns <= 0 ? 0 : static_cast<uint32_t>(cfg.max_client_cnxns);
  options.max_frame_bytes = static_cast<int32_t>(cfg.jute_max_buffer());
  options.four_letter_whitelist = cfg.four_letter_words;
  options.listen_backlog = cfg.client_port_listen_backlog;
  options.network_threads = static_cast<int>(
      std::clamp<int64_t>(paddock_property(cfg, "paddock.networkThreads", kDefaultNetworkThreads),
                          1, ClientPortServer::kMaxNetworkThreads));
  return options;
}

namespace {
// <prefix><store>.password, or the first line of <prefix><store>.passwordPath.
std::string store_password(const config::ServerConfig& cfg, const std::string& prefix,
                           const std::string& store) {
  std::string password = cfg.string_property("zookeeper." + prefix + store + ".password");
  const std::string path = cfg.string_property("zookeeper." + prefix + store + ".passwordPath");
  if (password.empty() && !path.empty()) {
    std::ifstream in(path);
    std::getline(in, password);
  }
  return password;
}

// X509Util's keys under `prefix`: "ssl." (client port) or "ssl.quorum." (between servers).
tls::TlsSettings tls_settings(const config::ServerConfig& cfg, const std::string& prefix) {
  auto key = [&](const char* name) { return "zookeeper." + prefix + name; };
  tls::TlsSettings s;
  s.key_store_location = cfg.string_property(key("keyStore.location"));
  s.key_store_password = store_password(cfg, prefix, "keyStore");
  s.key_store_type = cfg.string_property(key("keyStore.type"));
  s.trust_store_location = cfg.string_property(key("trustStore.location"));
  s.trust_store_password = store_password(cfg, prefix, "trustStore");
  s.trust_store_type = cfg.string_property(key("trustStore.type"));
  s.client_auth = cfg.string_property(key("clientAuth"));
  s.protocol = cfg.string_property(key("protocol"));
  s.enabled_protocols = cfg.string_property(key("enabledProtocols"));
  s.cipher_suites = cfg.string_property(key("ciphersuites"));
  s.hostname_verification = cfg.switch_property(key("hostnameVerification"));
  s.crl = cfg.switch_property(key("crl"));
  s.ocsp = cfg.switch_property(key("ocsp"));
  s.key_prefix = prefix;
  return s;
}
}  // namespace

tls::TlsSettings client_tls_settings(const config::ServerConfig& cfg) {
  return tls_settings(cfg, "ssl.");
}

tls::TlsSettings quorum_tls_settings(const config::ServerConfig& cfg) {
  return tls_settings(cfg, "ssl.quorum.");
}

Result<std::shared_ptr<tls::ServerTlsContext>> client_tls_context(
    const config::ServerConfig& cfg) {
  if (cfg.secure_client_port == 0 && !cfg.switch_property("zookeeper.client.portUnification")) {
    return std::shared_ptr<tls::ServerTlsContext>();
  }
  tls::TlsSettings settings = client_tls_settings(cfg);
  return tls::ServerTlsContext::create(std::move(settings));
}

AdminServerOptions admin_options(const config::ServerConfig& cfg) {
  AdminServerOptions options;
  options.address = cfg.admin_server_address;
  options.port = static_cast<uint16_t>(cfg.admin_server_port);
  options.command_url = cfg.admin_command_url;
  options.idle_timeout = std::chrono::milliseconds(cfg.admin_idle_timeout_ms);
  // Where an extension reaches this server's own client port: its listen address, or the
  // loopback when it listens on every address.
  const std::string& a = cfg.client_port_address;
  options.client_host = (a.empty() || a == "0.0.0.0" || a == "::") ? "127.0.0.1" : a;
  options.auth.acl.skip_acl = cfg.switch_property("zookeeper.skipACL");
  options.auth.acl.super_digest =
      cfg.string_property("zookeeper.DigestAuthenticationProvider.superDigest");
  options.auth.x509_super_user =
      cfg.string_property("zookeeper.X509AuthenticationProvider.superUser");
  // admin.portUnification wins over forceHttps, as in ZooKeeper's JettyAdminServer: both
  // on one port rather than HTTPS only.
  options.port_unification = cfg.switch_property("zookeeper.admin.portUnification");
  if (options.port_unification || cfg.switch_property("zookeeper.admin.forceHttps")) {
    // ZooKeeper's admin server takes its stores from the ssl.quorum.* keys.
    tls::TlsSettings https = quorum_tls_settings(cfg);
    https.client_auth = cfg.switch_property("zookeeper.admin.needClientAuth") ? "need" : "want";
    options.https = std::move(https);
  }
  return options;
}

MetricsServerOptions metrics_options(const config::ServerConfig& cfg) {
  MetricsServerOptions options;
  options.host = cfg.metrics_http_host;
  options.port = static_cast<uint16_t>(cfg.metrics_http_port);
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

durable::SnapshotterOptions snapshotter_options(const config::ServerConfig& cfg,
                                                const std::string& snap_dir) {
  durable::SnapshotterOptions options;
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

durable::LogOutageOptions outage_options(const config::ServerConfig& cfg,
                                         const std::string& log_dir) {
  durable::LogOutageOptions options;
  options.log_dir = log_dir;
  // The log needs room for its next preallocation chunk to go on.
  options.probe_bytes =
      std::clamp<uint64_t>(static_cast<uint64_t>(cfg.pre_alloc_size_kb) * 1024, 4096, 64ull << 20);
  options.retry_interval = std::chrono::milliseconds(
      std::max<int64_t>(10, paddock_property(cfg, "paddock.log.retryIntervalMs", 2000)));
  return options;
}

// autopurge: off unless purgeInterval (hours) > 0; paddock.autopurge.intervalMs overrides the
// interval (tests).
durable::DurableOptions durable_options(const config::ServerConfig& cfg) {
  durable::DurableOptions options;
  options.snap_dir = storage::snapshot_dir(cfg.data_dir);
  options.log_dir = storage::txn_log_dir(cfg.data_log_dir);
  options.log.preallocate_bytes = static_cast<uint64_t>(cfg.pre_alloc_size_kb) * 1024;
  options.log.force_sync = cfg.force_sync;
  options.log.fsync_warning_threshold_ms = cfg.fsync_warning_threshold_ms();
  options.snapshots = snapshotter_options(cfg, options.snap_dir);
  options.outage = outage_options(cfg, options.log_dir);
  int64_t interval_ms = paddock_property(cfg, "paddock.autopurge.intervalMs", 0);
  if (interval_ms <= 0) interval_ms = int64_t{cfg.autopurge_purge_interval_hours} * 3600 * 1000;
  options.purge_interval = std::chrono::milliseconds(std::max<int64_t>(0, interval_ms));
  options.purge_retain_count = static_cast<size_t>(std::max(3, cfg.autopurge_snap_retain_count));
  return options;
}

}  // namespace paddock::server

namespace paddock::server {

std::string ensemble_config_text(const config::ServerConfig& cfg) {
  std::string text;
  for (const auto& [id, entry] : cfg.servers) {
    text += fmt::format("server.{}={}\n", id, entry.to_config_string());
  }
  text += fmt::format("version={:x}", cfg.config_version.value_or(0));
  return text;
}

ensemble::MemberOptions member_options(const config::ServerConfig& cfg) {
  ensemble::MemberOptions options;
  quorum::PeerConfig& peer = options.peer;
  peer.sid = cfg.my_id;
  for (const auto& [id, entry] : cfg.servers) {
    (entry.is_observer() ? peer.observers : peer.participants).insert(id);
    options.members[id] = ensemble::MemberAddress{entry.host,
                                                  static_cast<uint16_t>(entry.quorum_port),
                                                  static_cast<uint16_t>(entry.election_port)};
  }
  peer.tick_ms = cfg.tick_time_ms;
  peer.init_limit = cfg.init_limit;
  peer.sync_limit = cfg.sync_limit;
  peer.commit_log_count = static_cast<size_t>(std::max<int32_t>(
      static_cast<int32_t>(quorum::CommittedLog::kMinCapacity), cfg.commit_log_count()));
  peer.snapshot_size_factor = cfg.snapshot_size_factor();
  peer.config_text = ensemble_config_text(cfg);
  const config::ServerEntry* self = cfg.self();
  options.listen_host = cfg.quorum_listen_on_all_ips || self == nullptr ? "0.0.0.0" : self->host;
  options.connect_timeout = std::chrono::milliseconds(cfg.cnx_timeout_ms());
  options.config_version = cfg.config_version.value_or(0);
  options.election_bind_attempts =
      static_cast<int32_t>(cfg.int_property("zookeeper.electionPortBindRetry"));
  ensemble::QuorumTlsOptions& tls = options.quorum_tls;
  tls.ssl_quorum = cfg.ssl_quorum;
  tls.port_unification = cfg.port_unification;
  tls.reload_cert_files = cfg.ssl_quorum_reload_cert_files;
  tls.settings = quorum_tls_settings(cfg);
  tls.handshake_timeout = std::chrono::milliseconds(
      cfg.int_property("zookeeper.ssl.quorum.handshakeDetectionTimeoutMillis"));
  options.quorum_sasl = quorum_sasl_options(cfg);
  options.snap_fork_min_nodes = static_cast<size_t>(
      std::max<int64_t>(0, paddock_property(cfg, "paddock.snap.forkMinNodes", 10000)));
  return options;
}

// Quorum SASL: ZooKeeper's switches and socket timeouts; the Cyrus authenticator is made when
// the member opens (it reads the JAAS file), over the hosts of every server.N line as written
// (ZooKeeper's authzHosts, which a Kerberos learner's principal must name).
ensemble::QuorumSaslMemberOptions quorum_sasl_options(const config::ServerConfig& cfg) {
  ensemble::QuorumSaslMemberOptions sasl;
  sasl.enable_sasl = cfg.quorum_auth_enable_sasl;
  sasl.learner_require_sasl = cfg.quorum_auth_learner_require_sasl;
  sasl.server_require_sasl = cfg.quorum_auth_server_require_sasl;
  const int64_t tick = cfg.tick_time_ms;
  // Integer.getInteger("zookeeper.quorumCnxnTimeoutMs", -1): used when > 0.
  int64_t cnxn_timeout = -1;
  if (std::optional<std::string> v = cfg.property("zookeeper.quorumCnxnTimeoutMs")) {
    char* end = nullptr;
    const long long n = std::strtoll(v->c_str(), &end, 10);
    if (end != v->c_str() && *end == '\0') cnxn_timeout = n;
  }
  sasl.election_read_timeout =
      std::chrono::milliseconds(cnxn_timeout > 0 ? cnxn_timeout : tick * cfg.sync_limit);
  sasl.quorum_read_timeout = std::chrono::milliseconds(tick * cfg.init_limit);
  sasl.max_token_bytes =
      static_cast<size_t>(cfg.jute_max_buffer() + cfg.jute_max_buffer_extra_size());
  if (!sasl.enable_sasl) return sasl;
  std::set<std::string> hosts;
  for (const auto& [id, entry] : cfg.servers) hosts.insert(entry.host);
  sasl.make_authenticator = [properties = cfg.properties, server = cfg.quorum_auth_server_context,
                             learner = cfg.quorum_auth_learner_context,
                             principal = cfg.quorum_auth_service_principal,
                             hosts]() -> Result<std::shared_ptr<peer::PeerAuthenticator>> {
    Result<config::QuorumSaslSettings> settings =
        config::resolve_quorum_sasl_settings(properties, server, learner, principal);
    if (!settings) return settings.status();
    spdlog::info(
        "event=quorum_sasl_settings jaas={} server_section={} learner_section={} "
        "service_principal={} server_principal={} learner={}",
        settings->jaas_path, settings->server_section, settings->learner_section,
        settings->service_principal,
        settings->server_kerberos() ? settings->server_principal : "none",
        settings->learner_kerberos() ? settings->learner_principal : settings->learner_username);
    auto authenticator = sasl::CyrusQuorumAuthenticator::create(std::move(*settings), hosts);
    if (!authenticator) return authenticator.status();
    return std::shared_ptr<peer::PeerAuthenticator>(std::move(*authenticator));
  };
  return sasl;
}

}  // namespace paddock::server
