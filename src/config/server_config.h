#pragma once
// ServerConfig: everything paddockd is told at startup, read the way ZooKeeper 3.8 reads it.
// Sources, in order of precedence (highest last):
//   1. defaults (ZooKeeper 3.8's);
//   2. zoo.cfg (java.util.Properties syntax). Keys QuorumPeerConfig consumes fill the fields
//      below; every other key becomes the system property "zookeeper.<key>", as
//      QuorumPeerConfig does;
//   3. -Dname=value system properties on paddockd's command line. (ZooKeeper would let a
//      zoo.cfg key overwrite a -D of the same property; Paddock lets the command line win.)
// Nothing else in Paddock reads files or properties: other layers get what they need from
// this value.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/log_settings.h"
#include "config/server_entry.h"
#include "util/result.h"

namespace paddock::config {

// The four-letter words ZooKeeper 3.8 knows ("*" in the whitelist means all of them).
inline constexpr std::array<std::string_view, 18> kAllFourLetterWords = {
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk",
    "srst", "srvr", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash"};

struct ServerConfig {
  std::string config_path;  // as given on the command line; empty for an inline config

  // --- keys QuorumPeerConfig reads itself (zoo.cfg key in the comment)
  int32_t tick_time_ms = 3000;              // tickTime (ZooKeeper 3.8's default is 3000)
  std::string data_dir;                     // dataDir, absolute (relative -> current directory)
  std::string data_log_dir;                 // dataLogDir, absolute; defaults to data_dir
  std::string client_port_address;          // clientPortAddress (brackets removed); empty = all
  int client_port = 0;                      // clientPort; 0 = none (then from server.<myid>)
  int secure_client_port = 0;               // secureClientPort; 0 = none
  std::string secure_client_port_address;   // secureClientPortAddress; empty = all
  int32_t max_client_cnxns = 60;            // maxClientCnxns, per client IP; <= 0 = unlimited
  int32_t min_session_timeout_ms = -1;      // minSessionTimeout; -1 = 2 x tickTime
  int32_t max_session_timeout_ms = -1;      // maxSessionTimeout; -1 = 20 x tickTime
  int32_t client_port_listen_backlog = -1;  // clientPortListenBacklog; -1 = OS default
  bool local_sessions_enabled = false;      // localSessionsEnabled
  bool local_sessions_upgrading_enabled = false;  // localSessionsUpgradingEnabled
  int32_t autopurge_snap_retain_count = 3;        // autopurge.snapRetainCount (min 3)
  int32_t autopurge_purge_interval_hours = 0;     // autopurge.purgeInterval; 0 = off
  // Quorum.
  int32_t init_limit = 0;                       // initLimit, in ticks; required in an ensemble
  int32_t sync_limit = 0;                       // syncLimit, in ticks; required in an ensemble
  int32_t connect_to_learner_master_limit = 0;  // connectToLearnerMasterLimit; 0 = initLimit
  bool standalone_enabled = true;               // standaloneEnabled
  bool reconfig_enabled = false;                // reconfigEnabled
  bool ssl_quorum = false;                      // sslQuorum: TLS between servers
  bool port_unification = false;                // portUnification: peers' ports take TLS and plain
  bool ssl_quorum_reload_cert_files = false;    // sslQuorumReloadCertFiles
  bool quorum_listen_on_all_ips = false;        // quorumListenOnAllIPs
  // Quorum SASL (server to server); the JAAS sections are read by config/auth_settings.h.
  bool quorum_auth_enable_sasl = false;           // quorum.auth.enableSasl
  bool quorum_auth_learner_require_sasl = false;  // quorum.auth.learnerRequireSasl
  bool quorum_auth_server_require_sasl = false;   // quorum.auth.serverRequireSasl
  std::string quorum_auth_service_principal = "zkquorum/localhost";  // ...kerberos.servicePrincipal
  std::string quorum_auth_learner_context = "QuorumLearner";         // ...learner.saslLoginContext
  std::string quorum_auth_server_context = "QuorumServer";           // ...server.saslLoginContext
  bool sync_enabled = true;                     // syncEnabled: observers log txns to disk
  int observer_master_port = 0;                 // observerMasterPort; 0 = off
  std::string peer_type = "participant";   // peerType; overridden by this server's server.N role
  std::string dynamic_config_file;         // dynamicConfigFile, absolute
  std::optional<int64_t> config_version;   // "version" of the dynamic config (hex), if given
  std::map<int64_t, ServerEntry> servers;  // server.N lines (zoo.cfg or dynamicConfigFile)
  int64_t my_id = 0;                       // dataDir/myid; 0 when there are no server lines

  // --- settings ZooKeeper reads as system properties, resolved from `properties`
  int64_t snap_count = 100000;                      // zookeeper.snapCount (min 2)
  int64_t pre_alloc_size_kb = 65536;                // zookeeper.preAllocSize
  bool force_sync = true;                           // zookeeper.forceSync
  int32_t global_outstanding_limit = 1000;          // zookeeper.globalOutstandingLimit
  std::set<std::string> four_letter_words{"srvr"};  // zookeeper.4lw.commands.whitelist
  bool admin_enable_server = true;                  // zookeeper.admin.enableServer
  std::string admin_server_address = "0.0.0.0";     // zookeeper.admin.serverAddress
  int admin_server_port = 8080;                     // zookeeper.admin.serverPort
  std::string admin_command_url = "/commands";      // zookeeper.admin.commandURL
  int admin_idle_timeout_ms = 30000;                // zookeeper.admin.idleTimeout
  // /metrics in the Prometheus text format, on when metricsProvider.className names
  // ZooKeeper's PrometheusMetricsProvider (ZooKeeper's keys and defaults).
  bool metrics_enabled = false;
  std::string metrics_http_host = "0.0.0.0";  // metricsProvider.httpHost
  int metrics_http_port = 7000;               // metricsProvider.httpPort
  // Where and how paddockd logs: paddock.log.* (config/log_settings.h).
  LogSettings log;

  // System properties: "zookeeper.<key>" for each zoo.cfg key QuorumPeerConfig does not
  // consume, then every -D flag. Only what was set; defaults live in the accessors.
  std::map<std::string, std::string> properties;
  // Every key=value of zoo.cfg as read (trimmed), in file order, duplicates included.
  std::vector<std::pair<std::string, std::string>> entries;

  // --- derived values
  int32_t min_session_timeout() const;  // resolves -1
  int32_t max_session_timeout() const;  // resolves -1
  // An ensemble: more than one participant, or standaloneEnabled=false with server lines.
  bool is_distributed() const;
  const ServerEntry* self() const;  // servers[my_id], or nullptr
  bool is_observer() const;

  // --- typed property accessors, with ZooKeeper 3.8's defaults. Values were checked when
  // the config was parsed, so these never fail.
  std::optional<std::string> property(std::string_view name) const;
  int64_t int_property(std::string_view name) const;  // must be an int property
  bool switch_property(std::string_view name) const;  // must be a switch property
  std::string string_property(std::string_view name) const;

  int64_t jute_max_buffer() const;             // jute.maxbuffer (0xfffff)
  int64_t jute_max_buffer_extra_size() const;  // zookeeper.jute.maxbuffer.extrasize
  bool extended_types_enabled() const;         // zookeeper.extendedTypesEnabled
  bool emulate353_ttl_nodes() const;           // zookeeper.emulate353TTLNodes
  bool enforce_quota() const;                  // zookeeper.enforceQuota
  std::string super_digest() const;            // zookeeper.DigestAuthenticationProvider.superDigest
  bool digest_auth_enabled() const;            // zookeeper.DigestAuthenticationProvider.enabled
  bool skip_acl() const;                       // zookeeper.skipACL == yes
  bool digest_enabled() const;                 // zookeeper.digest.enabled (tree digest)
  int64_t fsync_warning_threshold_ms() const;  // zookeeper.fsync.warningthresholdms, then
                                               // fsync.warningthresholdms (1000)
  int64_t snap_size_limit_kb() const;          // zookeeper.snapSizeLimitInKb
  int64_t txn_log_size_limit_kb() const;       // zookeeper.txnLogSizeLimitInKb (-1 = none)
  int64_t flush_delay_ms() const;              // zookeeper.flushDelay
  int32_t max_batch_size() const;              // zookeeper.maxBatchSize
  int32_t max_cnxns() const;                   // zookeeper.maxCnxns (total; 0 = unlimited)
  bool close_session_txn_enabled() const;      // zookeeper.closeSessionTxn.enabled
  std::string snapshot_compression_method() const;  // "", "gz" or "snappy"
  bool snapshot_trust_empty() const;                // zookeeper.snapshot.trust.empty
  double snapshot_size_factor() const;              // zookeeper.snapshotSizeFactor
  int32_t commit_log_count() const;                 // zookeeper.commitLogCount
  bool datadir_autocreate() const;                  // zookeeper.datadir.autocreate
  bool read_only_mode_enabled() const;              // readonlymode.enabled
  int32_t container_check_interval_ms() const;      // znode.container.checkIntervalMs
  int32_t container_max_per_minute() const;         // znode.container.maxPerMinute
  int64_t container_max_never_used_interval_ms() const;
  int32_t request_throttle_max_requests() const;  // 0 = off
  int32_t large_request_max_bytes() const;        // zookeeper.largeRequestMaxBytes
  int32_t large_request_threshold() const;        // zookeeper.largeRequestThreshold (-1 = off)
  bool leader_serves() const;                     // zookeeper.leaderServes
  int32_t cnx_timeout_ms() const;                 // zookeeper.cnxTimeout (election connect)
};

struct LoadedConfig {
  ServerConfig config;
  std::vector<std::string> warnings;  // each names the file and line, or the -D flag
};

// Reads `path`, dynamicConfigFile if set, and dataDir/myid when there are server lines.
// Relative paths in the file are resolved against the current directory, as Java does.
// An error's message names the file, the line and the key (several errors are joined by
// newlines); the server must not start then.
Result<LoadedConfig> load_server_config(
    const std::string& path, const std::map<std::string, std::string>& system_properties);

// Pure: parses zoo.cfg text, resolving relative paths against `base_dir`. Reads no files:
// server lines stay unchecked against myid and dynamicConfigFile is not read (see
// apply_dynamic_config and apply_my_id, which load_server_config calls).
Result<LoadedConfig> parse_server_config(
    std::string_view text, std::string_view source_name,
    const std::map<std::string, std::string>& system_properties, std::string_view base_dir);

// Pure: adds the server.N lines of a dynamic config file's text (`version=` allowed,
// `group`/`weight` refused).
Status apply_dynamic_config(LoadedConfig& loaded, std::string_view text,
                            std::string_view source_name);

// Pure: checks the server lines against the content of dataDir/myid (nullopt = no such
// file), sets my_id and takes this server's client address and role from its line.
Status apply_my_id(LoadedConfig& loaded, const std::optional<std::string>& myid_text,
                   std::string_view myid_path);

// paddockd's command line, like the Java server's:
//   paddockd [-Dname=value ...] CONFIG
//   paddockd [-Dname=value ...] PORT DATADIR [TICKTIME [MAXCLIENTCNXNS]]
// (the second form is ZooKeeperServerMain's; it becomes an inline config).
struct CommandLine {
  std::map<std::string, std::string> system_properties;
  std::string config_path;
  std::string inline_config;  // zoo.cfg text for the PORT DATADIR form; config_path empty
  bool help = false;          // -h/--help: print paddockd_usage() and exit 0
};
Result<CommandLine> parse_paddockd_command_line(int argc, const char* const* argv);
std::string paddockd_usage(std::string_view program);
// load_server_config for either form of the command line.
Result<LoadedConfig> load_server_config(const CommandLine& command_line);

}  // namespace paddock::config
