#pragma once
// What Paddock knows about ZooKeeper 3.8's system properties: which names ZooKeeper reads,
// which of them Paddock reads with a type and a default, and which ones Paddock does not
// implement. zoo.cfg keys that QuorumPeerConfig does not consume become the system property
// "zookeeper.<key>", so this table is also what decides whether an unfamiliar zoo.cfg key
// deserves a warning.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paddock::config {

enum class PropertyType {
  kString,
  kInt32,   // Integer.getInteger: decimal, 0x/# hex or 0-octal, 32-bit
  kInt64,   // Long.getLong: the same, 64-bit
  kSwitch,  // true/false/yes/no
  kPort,    // kInt32 in 1..65535
  kDouble,
};

struct PropertySpec {
  std::string_view name;  // full system property name
  PropertyType type;
  std::string_view default_value;  // text, parsed like a set value; empty = see accessor
  int64_t min = INT64_MIN;         // for integer types: values outside are errors
  int64_t max = INT64_MAX;
  std::string_view choices = {};   // kString: "a|b|c", matched without case; empty = any
};

// The spec for a property Paddock reads, or nullptr.
const PropertySpec* find_property_spec(std::string_view name);

// Why `text` is not a valid value for `spec` ("'abc' is not a number"), or nullopt if it is.
// Values are trimmed first.
std::optional<std::string> check_property_value(const PropertySpec& spec, std::string_view text);
// The value of an integer or port property, or nullopt when `text` is not valid for it.
std::optional<int64_t> property_int_value(const PropertySpec& spec, std::string_view text);

// True if ZooKeeper 3.8 reads a system property of this exact name or under this prefix
// (whether or not Paddock does anything with it).
bool is_known_property(std::string_view name);

// True for Paddock's own properties ("paddock.networkThreads", "paddock.log.level", ...),
// also under the name a zoo.cfg key gives them ("zookeeper.paddock.log.level"): known, so
// that a zoo.cfg key for one draws no "unknown key" warning.
bool is_paddock_property(std::string_view name);

// Properties ZooKeeper reads under a name without the "zookeeper." prefix (jute.maxbuffer,
// readonlymode.enabled, znode.container.*): a zoo.cfg key of that name sets
// "zookeeper.<name>" instead, which ZooKeeper never reads.
bool is_unprefixed_property(std::string_view name);

// Why Paddock ignores this known property set to `value`, or nullopt if it does not (an
// authProvider.N naming a provider Paddock has built in is used, any other is not).
std::optional<std::string> unsupported_property_reason(std::string_view name,
                                                       std::string_view value);

// The system property a zoo.cfg key that QuorumPeerConfig does not consume becomes:
// "zookeeper.<key>"; a key that already starts with "zookeeper." keeps its name (ZooKeeper
// itself would prefix it again, making it a property nothing reads).
std::string property_name_for_config_key(std::string_view key);

}  // namespace paddock::config
