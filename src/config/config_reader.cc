#include "config/config_reader.h"

#include <fmt/format.h>

#include <filesystem>

#include "config/java_values.h"
#include "config/property_catalog.h"

namespace paddock::config {
namespace {

using Handler = void (*)(ConfigReader&, std::string_view value);
struct KeyHandler {
  std::string_view key;
  Handler apply;
};

void ignore_int(ConfigReader& r, std::string_view v) {
  int32_t unused = 0;
  r.set_int(v, unused);
}

void ignore_long(ConfigReader& r, std::string_view v) { r.integer(v, INT64_MIN, INT64_MAX); }

void ignore_bool(ConfigReader& r, std::string_view v) { r.boolean(v); }

// A switch for a feature Paddock lacks: fine when off, a warning when on.
void unsupported_switch(ConfigReader& r, std::string_view v, std::string_view why) {
  std::optional<bool> on = r.boolean(v);
  if (on && *on) r.warn(fmt::format("ignored: {}", why));
}

void read_peer_type(ConfigReader& r, std::string_view v) {
  std::string lower(v);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != "observer" && lower != "participant") {
    r.error(fmt::format("unrecognised peer type '{}' (expected participant or observer)", v));
    return;
  }
  r.cfg().peer_type = lower;
}

void read_election_alg(ConfigReader& r, std::string_view v) {
  std::optional<int64_t> alg = r.integer(v, INT32_MIN, INT32_MAX);
  if (alg && *alg != 3)
    r.error(fmt::format("electionAlg {} is invalid; only 3 is supported", *alg));
}

// ZooKeeper's default provider is what mntr always shows; its Prometheus provider turns on
// Paddock's /metrics, which exports the same names. Any other class cannot be loaded.
void read_metrics_provider(ConfigReader& r, std::string_view v) {
  if (v == "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider") {
    r.cfg().metrics_enabled = true;
  } else if (v != "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider") {
    r.warn(fmt::format(
        "ignored: Paddock serves mntr and Prometheus metrics itself, it cannot load '{}'", v));
  }
}

// zoo.cfg keys QuorumPeerConfig consumes itself; they never become system properties.
constexpr KeyHandler kKeys[] = {
    {"dataDir", [](ConfigReader& r, std::string_view v) { r.set_path(v, r.cfg().data_dir); }},
    {"dataLogDir",
     [](ConfigReader& r, std::string_view v) { r.set_path(v, r.cfg().data_log_dir); }},
    {"clientPort", [](ConfigReader& r, std::string_view v) { r.set_port(v, r.cfg().client_port); }},
    {"clientPortAddress",
     [](ConfigReader& r, std::string_view v) { r.set_address(v, r.cfg().client_port_address); }},
    {"localSessionsEnabled",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().local_sessions_enabled); }},
    {"localSessionsUpgradingEnabled",
     [](ConfigReader& r, std::string_view v) {
       r.set_bool(v, r.cfg().local_sessions_upgrading_enabled);
     }},
    {"secureClientPort",
     [](ConfigReader& r, std::string_view v) { r.set_port(v, r.cfg().secure_client_port); }},
    {"secureClientPortAddress",
     [](ConfigReader& r, std::string_view v) {
       r.set_address(v, r.cfg().secure_client_port_address);
     }},
    {"observerMasterPort",
     [](ConfigReader& r, std::string_view v) { r.set_port(v, r.cfg().observer_master_port); }},
    {"clientPortListenBacklog",
     [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().client_port_listen_backlog); }},
    {"tickTime",
     [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().tick_time_ms, 1); }},
    {"maxClientCnxns",
     [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().max_client_cnxns); }},
    {"minSessionTimeout",
     [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().min_session_timeout_ms, -1); }},
    {"maxSessionTimeout",
     [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().max_session_timeout_ms, -1); }},
    {"initLimit", [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().init_limit, 0); }},
    {"syncLimit", [](ConfigReader& r, std::string_view v) { r.set_int(v, r.cfg().sync_limit, 0); }},
    {"connectToLearnerMasterLimit",
     [](ConfigReader& r, std::string_view v) {
       r.set_int(v, r.cfg().connect_to_learner_master_limit, 0);
     }},
    {"electionAlg", read_election_alg},
    {"quorumListenOnAllIPs",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().quorum_listen_on_all_ips); }},
    {"peerType", read_peer_type},
    {"syncEnabled",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().sync_enabled); }},
    {"dynamicConfigFile",
     [](ConfigReader& r, std::string_view v) { r.set_path(v, r.cfg().dynamic_config_file); }},
    {"autopurge.snapRetainCount",
     [](ConfigReader& r, std::string_view v) {
       int32_t& count = r.cfg().autopurge_snap_retain_count;
       r.set_int(v, count);
       if (count < 3) {  // as ZooKeeper: purging needs at least 3 snapshots kept
         r.warn(fmt::format("{} is below 3; using 3", count));
         count = 3;
       }
     }},
    {"autopurge.purgeInterval",
     [](ConfigReader& r, std::string_view v) {
       r.set_int(v, r.cfg().autopurge_purge_interval_hours);
     }},
    {"standaloneEnabled",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().standalone_enabled); }},
    {"reconfigEnabled",
     [](ConfigReader& r, std::string_view v) {
       r.set_bool(v, r.cfg().reconfig_enabled);
       // Said at start-up rather than at the first reconfig a user tries: the ensemble
       // keeps the membership of its server.N lines.
       if (r.cfg().reconfig_enabled) {
         r.warn("Paddock does not implement dynamic reconfiguration: reconfig requests are "
                "answered RECONFIGDISABLED and the ensemble is the server.N lines");
       }
     }},
    {"sslQuorum", [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().ssl_quorum); }},
    {"portUnification",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().port_unification); }},
    {"sslQuorumReloadCertFiles",
     [](ConfigReader& r, std::string_view v) {
       r.set_bool(v, r.cfg().ssl_quorum_reload_cert_files);
     }},
    {"quorum.auth.enableSasl",
     [](ConfigReader& r, std::string_view v) { r.set_bool(v, r.cfg().quorum_auth_enable_sasl); }},
    {"quorum.auth.serverRequireSasl",
     [](ConfigReader& r, std::string_view v) {
       r.set_bool(v, r.cfg().quorum_auth_server_require_sasl);
     }},
    {"quorum.auth.learnerRequireSasl",
     [](ConfigReader& r, std::string_view v) {
       r.set_bool(v, r.cfg().quorum_auth_learner_require_sasl);
     }},
    {"quorum.auth.learner.saslLoginContext",
     [](ConfigReader& r, std::string_view v) { r.cfg().quorum_auth_learner_context = v; }},
    {"quorum.auth.server.saslLoginContext",
     [](ConfigReader& r, std::string_view v) { r.cfg().quorum_auth_server_context = v; }},
    {"quorum.auth.kerberos.servicePrincipal",
     [](ConfigReader& r, std::string_view v) { r.cfg().quorum_auth_service_principal = v; }},
    {"quorum.cnxn.threads.size", ignore_int},
    {"jvm.pause.info-threshold.ms", ignore_long},
    {"jvm.pause.warn-threshold.ms", ignore_long},
    {"jvm.pause.sleep.time.ms", ignore_long},
    {"jvm.pause.monitor", ignore_bool},
    {"metricsProvider.className", read_metrics_provider},
    {"metricsProvider.httpHost",
     [](ConfigReader& r, std::string_view v) { r.set_address(v, r.cfg().metrics_http_host); }},
    {"metricsProvider.httpPort",
     [](ConfigReader& r, std::string_view v) { r.set_port(v, r.cfg().metrics_http_port); }},
    {"metricsProvider.exportJvmInfo",
     [](ConfigReader& r, std::string_view v) {
       if (r.boolean(v)) r.warn("ignored: Paddock has no JVM to report on");
     }},
    {"multiAddress.enabled",
     [](ConfigReader& r, std::string_view v) {
       unsupported_switch(r, v, "Paddock does not implement several addresses per server");
     }},
    {"multiAddress.reachabilityCheckTimeoutMs", ignore_int},
    {"multiAddress.reachabilityCheckEnabled", ignore_bool},
    {"oraclePath",
     [](ConfigReader& r, std::string_view) {
       r.warn("ignored: Paddock does not implement the quorum oracle");
     }},
};

const KeyHandler* find_handler(std::string_view key) {
  for (const KeyHandler& h : kKeys) {
    if (h.key == key) return &h;
  }
  return nullptr;
}

}  // namespace

std::string Origin::describe() const {
  if (line == 0) return fmt::format("-D{}", key);
  return fmt::format("{}:{}: {}", source, line, key);
}

void ConfigReader::fail(const Origin& origin, std::string_view message) {
  errors_.push_back(fmt::format("{}: {}", origin.describe(), message));
}

void ConfigReader::error(std::string_view message) { fail(current_, message); }

void ConfigReader::warn(std::string_view message) {
  out_.warnings.push_back(fmt::format("{}: {}", current_.describe(), message));
}

std::optional<int64_t> ConfigReader::integer(std::string_view v, int64_t min, int64_t max) {
  std::optional<int64_t> n = parse_java_integer(v, INT64_MIN, INT64_MAX);
  if (!n) {
    error(fmt::format("'{}' is not a number", v));
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    error(fmt::format("{} is out of range ({}..{})", *n, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ConfigReader::boolean(std::string_view v) {
  std::optional<bool> b = parse_true_false(v);
  if (!b) error(fmt::format("invalid value '{}' (use true or false)", v));
  return b;
}

void ConfigReader::set_int(std::string_view v, int32_t& out, int64_t min, int64_t max) {
  if (std::optional<int64_t> n = integer(v, min, max)) out = static_cast<int32_t>(*n);
}

void ConfigReader::set_bool(std::string_view v, bool& out) {
  if (std::optional<bool> b = boolean(v)) out = *b;
}

void ConfigReader::set_port(std::string_view v, int& out) {
  if (std::optional<int64_t> n = integer(v, 0, 65535)) out = static_cast<int>(*n);
}

void ConfigReader::set_path(std::string_view v, std::string& out) {
  if (v.empty()) {
    error("empty path");
    return;
  }
  std::filesystem::path p(v);
  if (p.is_relative()) {
    std::filesystem::path absolute = (std::filesystem::path(base_dir_) / p).lexically_normal();
    if (!v.starts_with("./") && !v.starts_with("../")) {
      warn(fmt::format("'{}' is relative; using {} (prepend ./ to show that is intended)", v,
                       absolute.string()));
    }
    p = absolute;
  }
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  out = s;
}

void ConfigReader::set_address(std::string_view v, std::string& out) {
  if (v.starts_with("[") && v.ends_with("]")) v = v.substr(1, v.size() - 2);
  if (v.empty()) {
    error("empty address");
    return;
  }
  out = std::string(v);
}

void ConfigReader::add_server(std::string_view v) {
  Result<ServerEntry> entry = parse_server_line(current_.key, v);
  if (!entry) {
    error(entry.error());
    return;
  }
  int64_t id = entry->id;
  cfg().servers[id] = std::move(*entry);
}

void ConfigReader::add_property(std::string_view v) {
  const std::string& key = current_.key;
  std::string name = property_name_for_config_key(key);
  if (is_unprefixed_property(key)) {
    warn(fmt::format(
        "sets system property {}, which ZooKeeper never reads; pass -D{}={} to paddockd "
        "instead",
        name, key, v));
  } else if (!is_known_property(name) && !is_paddock_property(name)) {
    warn(fmt::format("unknown key; kept as system property {}", name));
  } else if (std::optional<std::string> why = unsupported_property_reason(name, v)) {
    warn(fmt::format("ignored: {}", *why));
  }
  cfg().properties[name] = std::string(v);
  property_origins_[name] = current_;
}

void ConfigReader::read_entry(const PropertyLine& line) {
  current_ = Origin{source_, line.line, std::string(java_trim(line.key))};
  const std::string& key = current_.key;
  std::string_view value = java_trim(line.value);
  if (const KeyHandler* h = find_handler(key)) {
    key_origins_[key] = current_;
    h->apply(*this, value);
  } else if (key.starts_with("server.") || key.starts_with("group") || key.starts_with("weight")) {
    if (has_dynamic_config_key_) {
      error("must be in the separate dynamic config file (dynamicConfigFile is set)");
    } else if (key.starts_with("server.")) {
      add_server(value);
    } else {
      error("hierarchical quorums (group/weight) are not supported by Paddock");
    }
  } else if (key.starts_with("metricsProvider.")) {
    // Settings of the metrics provider class, which Paddock does not load.
  } else if (key == "version") {
    std::optional<int64_t> v = parse_java_decode("0x" + std::string(value), 0, INT64_MAX);
    if (!v) error(fmt::format("'{}' is not a hexadecimal config version", value));
    if (v) cfg().config_version = *v;
  } else {
    add_property(value);
  }
}

void ConfigReader::read(const std::vector<PropertyLine>& lines,
                        const std::map<std::string, std::string>& system_properties) {
  std::map<std::string, size_t> last;  // key -> index of the entry that wins
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string key(java_trim(lines[i].key));
    std::string_view value = java_trim(lines[i].value);
    cfg().entries.emplace_back(key, std::string(value));
    if (key == "dynamicConfigFile") has_dynamic_config_key_ = true;
    if (auto it = last.find(key); it != last.end()) {
      out_.warnings.push_back(fmt::format("{}:{}: {}: overrides the value on line {}", source_,
                                          lines[i].line, key, lines[it->second].line));
    }
    last[key] = i;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (last[std::string(java_trim(lines[i].key))] == i) read_entry(lines[i]);
  }
  apply_system_properties(system_properties);
  resolve_properties();
  check_whole();
  check_quorum_auth();
}

// QuorumPeerConfig's rules: a "require" switch needs the switch it builds on. Each error names
// the line of the switch that cannot be on.
void ConfigReader::check_quorum_auth() {
  const ServerConfig& c = cfg();
  auto refuse = [&](const std::string& key, std::string_view needs) {
    fail(key_origins_[key], fmt::format("{} is disabled, so cannot enable {}", needs, key));
  };
  if (!c.quorum_auth_enable_sasl && c.quorum_auth_server_require_sasl) {
    refuse("quorum.auth.serverRequireSasl", "quorum.auth.enableSasl");
  }
  if (!c.quorum_auth_enable_sasl && c.quorum_auth_learner_require_sasl) {
    refuse("quorum.auth.learnerRequireSasl", "quorum.auth.enableSasl");
  }
  if (!c.quorum_auth_learner_require_sasl && c.quorum_auth_server_require_sasl) {
    refuse("quorum.auth.serverRequireSasl", "quorum.auth.learnerRequireSasl");
  }
}

void ConfigReader::apply_system_properties(const std::map<std::string, std::string>& props) {
  for (const auto& [name, value] : props) {
    cfg().properties[name] = value;
    property_origins_[name] = Origin{"-D", 0, name};
    if (name.starts_with("zookeeper.") && !is_known_property(name)) {
      out_.warnings.push_back(fmt::format("-D{}: not a property ZooKeeper reads", name));
    }
  }
}

}  // namespace paddock::config
