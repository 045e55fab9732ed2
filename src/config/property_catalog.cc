#include "config/property_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "config/java_values.h"

namespace paddock::config {
namespace {

using enum PropertyType;

// Properties Paddock reads, with ZooKeeper 3.8's defaults.
constexpr PropertySpec kSpecs[] = {
    {"jute.maxbuffer", kInt32, "1048575", 1},
    {"zookeeper.jute.maxbuffer.extrasize", kInt32, "", 0},  // default: jute.maxbuffer
    {"zookeeper.snapCount", kInt32, "100000"},
    {"zookeeper.snapSizeLimitInKb", kInt64, "4194304"},
    {"zookeeper.preAllocSize", kInt64, "65536", 1, int64_t{1} << 40},
    {"zookeeper.txnLogSizeLimitInKb", kInt64, "-1"},
    {"zookeeper.forceSync", kSwitch, "yes"},
    {"zookeeper.fsync.warningthresholdms", kInt64, "", 0},  // default: fsync.warningthresholdms
    {"fsync.warningthresholdms", kInt64, "1000", 0},
    {"zookeeper.flushDelay", kInt64, "0", 0},
    {"zookeeper.maxBatchSize", kInt32, "1000", 1},
    {"zookeeper.globalOutstandingLimit", kInt32, "1000", 1},
    {"zookeeper.maxCnxns", kInt32, "0"},
    {"zookeeper.cnxTimeout", kInt32, "5000", 1},
    {"zookeeper.4lw.commands.whitelist", kString, ""},
    {"zookeeper.admin.enableServer", kSwitch, "true"},
    {"zookeeper.admin.serverAddress", kString, "0.0.0.0"},
    {"zookeeper.admin.serverPort", kPort, "8080"},
    {"zookeeper.admin.commandURL", kString, "/commands"},
    {"zookeeper.admin.idleTimeout", kInt32, "30000", 0},
    // Paddock's web console on the admin server (src/console/): on with the admin server,
    // read-only unless enableWrites.
    {"zookeeper.admin.console.enabled", kSwitch, "true"},
    {"zookeeper.admin.console.enableWrites", kSwitch, "false"},
    // HTTPS for the admin server with the ssl.quorum.* stores, as ZooKeeper's Jetty admin
    // server (server/admin_server.h); a client certificate asked for, or required.
    {"zookeeper.admin.forceHttps", kSwitch, "false"},
    {"zookeeper.admin.portUnification", kSwitch, "false"},
    {"zookeeper.admin.needClientAuth", kSwitch, "false"},
    // TLS on the client port (X509Util's keys; tls/, server/server_options.cc).
    {"zookeeper.ssl.keyStore.location", kString, ""},
    {"zookeeper.ssl.keyStore.password", kString, ""},
    {"zookeeper.ssl.keyStore.passwordPath", kString, ""},
    {"zookeeper.ssl.keyStore.type", kString, "", INT64_MIN, INT64_MAX, "PEM|PKCS12|JKS"},
    {"zookeeper.ssl.trustStore.location", kString, ""},
    {"zookeeper.ssl.trustStore.password", kString, ""},
    {"zookeeper.ssl.trustStore.passwordPath", kString, ""},
    {"zookeeper.ssl.trustStore.type", kString, "", INT64_MIN, INT64_MAX, "PEM|PKCS12|JKS"},
    {"zookeeper.ssl.clientAuth", kString, "need", INT64_MIN, INT64_MAX, "none|want|need"},
    {"zookeeper.ssl.protocol", kString, "TLSv1.2", INT64_MIN, INT64_MAX,
     "TLS|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3"},
    {"zookeeper.ssl.enabledProtocols", kString, ""},
    {"zookeeper.ssl.ciphersuites", kString, ""},
    {"zookeeper.ssl.hostnameVerification", kSwitch, "true"},
    {"zookeeper.ssl.crl", kSwitch, "false"},
    {"zookeeper.ssl.ocsp", kSwitch, "false"},
    {"zookeeper.ssl.handshakeDetectionTimeoutMillis", kInt32, "5000", 1},
    {"zookeeper.ssl.authProvider", kString, "x509", INT64_MIN, INT64_MAX, "x509"},
    // SASL: the JAAS section the server reads (config/auth_settings.cc).
    {"zookeeper.sasl.serverconfig", kString, "Server"},
    // TLS between servers with sslQuorum (QuorumX509Util's keys; peer/peer_socket.h).
    {"zookeeper.ssl.quorum.clientAuth", kString, "need", INT64_MIN, INT64_MAX, "none|want|need"},
    {"zookeeper.ssl.quorum.keyStore.location", kString, ""},
    {"zookeeper.ssl.quorum.keyStore.password", kString, ""},
    {"zookeeper.ssl.quorum.keyStore.passwordPath", kString, ""},
    {"zookeeper.ssl.quorum.keyStore.type", kString, "", INT64_MIN, INT64_MAX, "PEM|PKCS12|JKS"},
    {"zookeeper.ssl.quorum.trustStore.location", kString, ""},
    {"zookeeper.ssl.quorum.trustStore.password", kString, ""},
    {"zookeeper.ssl.quorum.trustStore.passwordPath", kString, ""},
    {"zookeeper.ssl.quorum.trustStore.type", kString, "", INT64_MIN, INT64_MAX, "PEM|PKCS12|JKS"},
    {"zookeeper.ssl.quorum.protocol", kString, "TLSv1.2", INT64_MIN, INT64_MAX,
     "TLS|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3"},
    {"zookeeper.ssl.quorum.enabledProtocols", kString, ""},
    {"zookeeper.ssl.quorum.ciphersuites", kString, ""},
    {"zookeeper.ssl.quorum.hostnameVerification", kSwitch, "true"},
    {"zookeeper.ssl.quorum.crl", kSwitch, "false"},
    {"zookeeper.ssl.quorum.ocsp", kSwitch, "false"},
    {"zookeeper.ssl.quorum.handshakeDetectionTimeoutMillis", kInt32, "5000", 1},
    {"zookeeper.client.portUnification", kSwitch, "false"},
    {"zookeeper.X509AuthenticationProvider.superUser", kString, ""},
    {"zookeeper.extendedTypesEnabled", kSwitch, "false"},
    {"zookeeper.emulate353TTLNodes", kSwitch, "false"},
    {"zookeeper.enforceQuota", kSwitch, "false"},
    {"zookeeper.skipACL", kSwitch, "no"},
    {"zookeeper.enableEagerACLCheck", kSwitch, "false"},
    {"zookeeper.DigestAuthenticationProvider.superDigest", kString, ""},
    {"zookeeper.DigestAuthenticationProvider.enabled", kSwitch, "true"},
    {"zookeeper.DigestAuthenticationProvider.digestAlg", kString, "SHA1"},
    {"zookeeper.digest.enabled", kSwitch, "true"},
    {"zookeeper.closeSessionTxn.enabled", kSwitch, "true"},
    {"zookeeper.snapshot.compression.method", kString, ""},
    {"zookeeper.snapshot.trust.empty", kSwitch, "false"},
    {"zookeeper.snapshotSizeFactor", kDouble, "0.33"},
    {"zookeeper.commitLogCount", kInt32, "500", 0},
    {"zookeeper.datadir.autocreate", kSwitch, "true"},
    {"zookeeper.db.autocreate", kSwitch, "true"},
    {"readonlymode.enabled", kSwitch, "false"},
    {"znode.container.checkIntervalMs", kInt32, "60000", 1},
    {"znode.container.maxPerMinute", kInt32, "10000", 1},
    {"znode.container.maxNeverUsedIntervalMs", kInt64, "0"},
    {"zookeeper.request_throttle_max_requests", kInt32, "0"},
    {"zookeeper.largeRequestMaxBytes", kInt32, "104857600", 1},
    {"zookeeper.largeRequestThreshold", kInt32, "-1"},
    {"zookeeper.leaderServes", kSwitch, "yes"},
    {"zookeeper.electionPortBindRetry", kInt32, "3"},
    {"zookeeper.audit.enable", kSwitch, "false"},
};

// Other property names ZooKeeper 3.8 reads (taken from the names its jar refers to).
constexpr std::string_view kOtherKnown[] = {
    "zookeeper.serverCnxnFactory",
    "zookeeper.superUser",
    "zookeeper.allowSaslFailedClients",
    "zookeeper.sessionRequireClientSASLAuth",
    "zookeeper.ensembleAuthName",
    "zookeeper.bitHashCacheSize",
    "zookeeper.configuration",
    "zookeeper.controllerPort",
    "zookeeper.forceSnapshotSync",
    "zookeeper.intBufferStartingSizeBytes",
    "zookeeper.maxResponseCacheSize",
    "zookeeper.maxGetChildrenResponseCacheSize",
    "zookeeper.maxInProcessingDeadWatchers",
    "zookeeper.maxWriteQueuePollTime",
    "zookeeper.quorumCnxnTimeoutMs",
    "zookeeper.request.timeout",
    "zookeeper.request_stale_connection_check",
    "zookeeper.request_stale_latency_check",
    "zookeeper.tcpKeepAlive",
    "zookeeper.throttled_op_wait_time",
    "zookeeper.watchManagerName",
    "zookeeper.testingonly.initialZxid",
    "zookeeper.leaderConnectDelayDuringRetryMs",
    "zookeeper.kinit",
    "zookeeper.requireKerberosConfig",
    "zookeeper.letAnySaslUserDoX",
    "zookeeper.forward_learner_requests_to_commit_processor_disabled",
    "zookeeper.observerMaster.sizeLimit",
    "zookeeper.server.principal",
    "zookeeper.server.realm",
    "zookeeper.security.auth_to_local",
    "zookeeper.follower.skipLearnerRequestToNextProcessor",
    "zookeeper.version",
    "follower.nodelay",
    "leader.nodelay",
    "jvm.pause.info-threshold.ms",
    "jvm.pause.warn-threshold.ms",
    "jvm.pause.sleep.time.ms",
    "jvm.pause.monitor",
};

constexpr std::string_view kKnownPrefixes[] = {
    "zookeeper.ssl.",
    "zookeeper.authProvider.",
    "zookeeper.admin.",
    "zookeeper.pathStats.",
    "zookeeper.connection_throttle_",
    "zookeeper.request_throttle",
    "zookeeper.netty.",
    "zookeeper.nio.",
    "zookeeper.commitProcessor.",
    "zookeeper.leader.",
    "zookeeper.learner.",
    "zookeeper.observer.",
    "zookeeper.fastleader.",
    "zookeeper.messageTracker.",
    "zookeeper.sasl.",
    "zookeeper.kerberos.",
    "zookeeper.enforce.auth.",
    "zookeeper.X509AuthenticationProvider.",
    "zookeeper.SASLAuthenticationProvider.",
    "zookeeper.DigestAuthenticationProvider.",
    "zookeeper.multiAddress.",
    "zookeeper.watcherClean",
    "zookeeper.jmx.",
    "zookeeper.audit.",
    "zookeeper.client.",
    "zookeeper.clientCnxnSocket",
    "zookeeper.log.",
    "zookeeper.root.logger",
    "zookeeper.console.threshold",
    "zookeeper.tracelog.",
};

constexpr std::string_view kUnprefixed[] = {
    "jute.maxbuffer",
    "readonlymode.enabled",
    "znode.container.checkIntervalMs",
    "znode.container.maxPerMinute",
    "znode.container.maxNeverUsedIntervalMs",
    "follower.nodelay",
    "leader.nodelay",
};

// Paddock's own properties (read in server/server_options.cc and config/log_settings.cc).
constexpr std::string_view kPaddockOwn[] = {
    "paddock.networkThreads",       "paddock.log.retryIntervalMs",
    "paddock.autopurge.intervalMs", "paddock.snapshot.chunkBytes",
    "paddock.snapshot.zstdLevel",   "paddock.log.level",
    "paddock.log.format",           "paddock.log.file",
    "paddock.log.maxFileSize",      "paddock.log.maxFiles",
    "paddock.snap.forkMinNodes",
};

struct Unsupported {
  std::string_view prefix;
  std::string_view reason;
};
constexpr Unsupported kUnsupported[] = {
    {"zookeeper.ssl.context.supplier.class", "Paddock builds its TLS context from the ssl.* keys"},
    {"zookeeper.sasl.",
     "the server reads only zookeeper.sasl.serverconfig (its JAAS section); the other "
     "zookeeper.sasl.* keys are the Java client's"},
    {"zookeeper.serverCnxnFactory", "Paddock has its own network layer"},
};

}  // namespace

const PropertySpec* find_property_spec(std::string_view name) {
  for (const PropertySpec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<int64_t> property_int_value(const PropertySpec& spec, std::string_view text) {
  int64_t min = spec.min;
  int64_t max = spec.max;
  if (spec.type == kInt32) {
    min = std::max<int64_t>(min, INT32_MIN);
    max = std::min<int64_t>(max, INT32_MAX);
  } else if (spec.type == kPort) {
    min = std::max<int64_t>(min, 1);
    max = std::min<int64_t>(max, 65535);
  } else if (spec.type != kInt64) {
    return std::nullopt;
  }
  return parse_java_decode(java_trim(text), min, max);
}

namespace {
std::optional<std::string> check_choice(const PropertySpec& spec, std::string_view value) {
  if (spec.choices.empty()) return std::nullopt;
  std::string_view rest = spec.choices;
  while (!rest.empty()) {
    const size_t bar = rest.find('|');
    const std::string_view choice = rest.substr(0, bar);
    if (std::equal(choice.begin(), choice.end(), value.begin(), value.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return std::nullopt;
    }
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  std::string listed(spec.choices);
  std::replace(listed.begin(), listed.end(), '|', ',');
  return fmt::format("invalid value '{}' (one of {})", value, listed);
}
}  // namespace

std::optional<std::string> check_property_value(const PropertySpec& spec, std::string_view text) {
  std::string_view t = java_trim(text);
  switch (spec.type) {
    case kString:
      return check_choice(spec, t);
    case kSwitch:
      if (parse_switch(t)) return std::nullopt;
      return fmt::format("invalid value '{}' (use true/false or yes/no)", t);
    case kDouble:
      if (parse_java_double(t)) return std::nullopt;
      return fmt::format("'{}' is not a number", t);
    case kInt32:
    case kInt64:
    case kPort:
      break;
  }
  if (property_int_value(spec, t)) return std::nullopt;
  if (!parse_java_decode(t, INT64_MIN, INT64_MAX)) return fmt::format("'{}' is not a number", t);
  if (spec.type == kPort) return fmt::format("port {} is out of range (1..65535)", t);
  return fmt::format("{} is out of range", t);
}

bool is_known_property(std::string_view name) {
  if (find_property_spec(name) != nullptr) return true;
  for (std::string_view n : kOtherKnown) {
    if (n == name) return true;
  }
  for (std::string_view p : kKnownPrefixes) {
    if (name.starts_with(p)) return true;
  }
  return false;
}

bool is_paddock_property(std::string_view name) {
  if (name.starts_with("zookeeper.")) name.remove_prefix(std::string_view("zookeeper.").size());
  for (std::string_view n : kPaddockOwn) {
    if (n == name) return true;
  }
  return false;
}

bool is_unprefixed_property(std::string_view name) {
  for (std::string_view n : kUnprefixed) {
    if (n == name) return true;
  }
  return false;
}

std::optional<std::string> unsupported_property_reason(std::string_view name,
                                                       std::string_view value) {
  if (name.starts_with("zookeeper.authProvider.")) {
    // The providers ZooKeeper ships, which Paddock has built in (sasl needs a JAAS file).
    constexpr std::string_view kBuiltIn[] = {
        "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
        "org.apache.zookeeper.server.auth.DigestAuthenticationProvider",
        "org.apache.zookeeper.server.auth.IPAuthenticationProvider",
    };
    std::string_view v = value;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    for (std::string_view b : kBuiltIn) {
      if (v == b) return std::nullopt;
    }
    return fmt::format(
        "provider class {} is not loaded: Paddock has the digest, ip, x509 and sasl providers "
        "built in",
        v);
  }
  if (name == "zookeeper.sasl.serverconfig") return std::nullopt;
  for (const Unsupported& u : kUnsupported) {
    if (name.starts_with(u.prefix)) return std::string(u.reason);
  }
  return std::nullopt;
}

std::string property_name_for_config_key(std::string_view key) {
  if (key.starts_with("zookeeper.")) return std::string(key);
  return "zookeeper." + std::string(key);
}

}  // namespace paddock::config
