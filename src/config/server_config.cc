#include "config/server_config.h"

#include "config/java_values.h"
#include "config/property_catalog.h"
#include <algorithm>
#include <limits>

#include "util/assert.h"

namespace paddock::config {
namespace {

// tickTime x n in ms, as an int32 timeout: a tickTime near INT32_MAX (any value >= 1 is
// accepted, as ZooKeeper does) must not overflow (found by fuzz/zoo_cfg_fuzz.cc: UB).
int32_t ticks_ms(int32_t tick_time_ms, int64_t n) {
  return static_cast<int32_t>(
      std::min<int64_t>(tick_time_ms * n, std::numeric_limits<int32_t>::max()));
}

}  // namespace

int32_t ServerConfig::min_session_timeout() const {
  return min_session_timeout_ms == -1 ? ticks_ms(tick_time_ms, 2) : min_session_timeout_ms;
}

int32_t ServerConfig::max_session_timeout() const {
  return max_session_timeout_ms == -1 ? ticks_ms(tick_time_ms, 20) : max_session_timeout_ms;
}

bool ServerConfig::is_distributed() const {
  size_t participants = 0;
  for (const auto& [id, s] : servers) participants += s.is_observer() ? 0 : 1;
  return !servers.empty() && (!standalone_enabled || participants > 1);
}

const ServerEntry* ServerConfig::self() const {
  auto it = servers.find(my_id);
  return it == servers.end() ? nullptr : &it->second;
}

bool ServerConfig::is_observer() const { return peer_type == "observer"; }

std::optional<std::string> ServerConfig::property(std::string_view name) const {
  auto it = properties.find(std::string(name));
  if (it == properties.end()) return std::nullopt;
  return it->second;
}

int64_t ServerConfig::int_property(std::string_view name) const {
  const PropertySpec* spec = find_property_spec(name);
  PADDOCK_ASSERT(spec != nullptr);
  if (std::optional<std::string> v = property(name)) {
    if (std::optional<int64_t> n = property_int_value(*spec, *v)) return *n;
  }
  std::optional<int64_t> d = property_int_value(*spec, spec->default_value);
  PADDOCK_ASSERT(d.has_value());
  return *d;
}

bool ServerConfig::switch_property(std::string_view name) const {
  const PropertySpec* spec = find_property_spec(name);
  PADDOCK_ASSERT(spec != nullptr && spec->type == PropertyType::kSwitch);
  if (std::optional<std::string> v = property(name)) {
    if (std::optional<bool> b = parse_switch(java_trim(*v))) return *b;
  }
  std::optional<bool> d = parse_switch(spec->default_value);
  PADDOCK_ASSERT(d.has_value());
  return *d;
}

std::string ServerConfig::string_property(std::string_view name) const {
  const PropertySpec* spec = find_property_spec(name);
  PADDOCK_ASSERT(spec != nullptr);
  if (std::optional<std::string> v = property(name)) return std::string(java_trim(*v));
  return std::string(spec->default_value);
}

int64_t ServerConfig::jute_max_buffer() const { return int_property("jute.maxbuffer"); }

int64_t ServerConfig::jute_max_buffer_extra_size() const {
  const std::string_view name = "zookeeper.jute.maxbuffer.extrasize";
  if (property(name)) return int_property(name);
  return jute_max_buffer();
}

bool ServerConfig::extended_types_enabled() const {
  return switch_property("zookeeper.extendedTypesEnabled");
}
bool ServerConfig::emulate353_ttl_nodes() const {
  return switch_property("zookeeper.emulate353TTLNodes");
}
bool ServerConfig::enforce_quota() const { return switch_property("zookeeper.enforceQuota"); }
std::string ServerConfig::super_digest() const {
  return string_property("zookeeper.DigestAuthenticationProvider.superDigest");
}
bool ServerConfig::digest_auth_enabled() const {
  return switch_property("zookeeper.DigestAuthenticationProvider.enabled");
}
bool ServerConfig::skip_acl() const { return switch_property("zookeeper.skipACL"); }
bool ServerConfig::digest_enabled() const { return switch_property("zookeeper.digest.enabled"); }

int64_t ServerConfig::fsync_warning_threshold_ms() const {
  const std::string_view name = "zookeeper.fsync.warningthresholdms";
  if (property(name)) return int_property(name);
  return int_property("fsync.warningthresholdms");
}

int64_t ServerConfig::snap_size_limit_kb() const {
  return int_property("zookeeper.snapSizeLimitInKb");
}
int64_t ServerConfig::txn_log_size_limit_kb() const {
  return int_property("zookeeper.txnLogSizeLimitInKb");
}
int64_t ServerConfig::flush_delay_ms() const { return int_property("zookeeper.flushDelay"); }
int32_t ServerConfig::max_batch_size() const {
  return static_cast<int32_t>(int_property("zookeeper.maxBatchSize"));
}
int32_t ServerConfig::max_cnxns() const {
  return static_cast<int32_t>(int_property("zookeeper.maxCnxns"));
}
bool ServerConfig::close_session_txn_enabled() const {
  return switch_property("zookeeper.closeSessionTxn.enabled");
}
std::string ServerConfig::snapshot_compression_method() const {
  return string_property("zookeeper.snapshot.compression.method");
}
bool ServerConfig::snapshot_trust_empty() const {
  return switch_property("zookeeper.snapshot.trust.empty");
}

double ServerConfig::snapshot_size_factor() const {
  const std::string_view name = "zookeeper.snapshotSizeFactor";
  if (std::optional<std::string> v = property(name)) {
    if (std::optional<double> d = parse_java_double(*v)) return *d;
  }
  return *parse_java_double(find_property_spec(name)->default_value);
}

int32_t ServerConfig::commit_log_count() const {
  return static_cast<int32_t>(int_property("zookeeper.commitLogCount"));
}
bool ServerConfig::datadir_autocreate() const {
  return switch_property("zookeeper.datadir.autocreate");
}
bool ServerConfig::read_only_mode_enabled() const {
  return switch_property("readonlymode.enabled");
}
int32_t ServerConfig::container_check_interval_ms() const {
  return static_cast<int32_t>(int_property("znode.container.checkIntervalMs"));
}
int32_t ServerConfig::container_max_per_minute() const {
  return static_cast<int32_t>(int_property("znode.container.maxPerMinute"));
}
int64_t ServerConfig::container_max_never_used_interval_ms() const {
  return int_property("znode.container.maxNeverUsedIntervalMs");
}
int32_t ServerConfig::request_throttle_max_requests() const {
  return static_cast<int32_t>(int_property("zookeeper.request_throttle_max_requests"));
}
int32_t ServerConfig::large_request_max_bytes() const {
  return static_cast<int32_t>(int_property("zookeeper.largeRequestMaxBytes"));
}
int32_t ServerConfig::large_request_threshold() const {
  return static_cast<int32_t>(int_property("zookeeper.largeRequestThreshold"));
}
bool ServerConfig::leader_serves() const { return switch_property("zookeeper.leaderServes"); }
int32_t ServerConfig::cnx_timeout_ms() const {
  return static_cast<int32_t>(int_property("zookeeper.cnxTimeout"));
}

}  // namespace paddock::config
