#pragma once
// The texts zkCli.sh (ZooKeeper 3.8) prints, byte for byte where practical: Stat blocks, ACL
// lists, watch events, error messages, quota records (StatsTrack), and the JSON forms the
// shell prints with --json. Pure: no I/O, no clock (time zone aside: ctime/mtime are local
// time, as Java's Date.toString).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client/types.h"

namespace paddock::shell {

using client::Acl;
using client::AclList;
using client::Err;
using client::Stat;
using client::WatchEvent;

// Java's Long.toHexString: lower case, negative numbers as 64-bit two's complement.
std::string java_hex(int64_t v);
// Java's Date.toString in the local time zone: "Sun Dec 06 12:35:19 UTC 2026".
std::string java_date(int64_t epoch_ms);
// "[a, b, c]" (Java's List.toString).
std::string java_list(const std::vector<std::string>& items);

// StatPrinter: eleven "name = value" lines, each ending in '\n'.
std::string format_stat(const Stat& stat);

// ZKUtil.getPermString: the letters of `perms` in the order c, d, r, w, a.
std::string perm_string(int32_t perms);
// getAcl's lines: "'scheme,'id" then ": perms" for each entry.
std::string format_acl(const AclList& acl);

// AclParser.parse: "scheme:id:perm[,scheme:id:perm...]". Entries without two colons are
// skipped and unknown perm letters ignored, with zkCli's warnings in `warnings` (one line
// each, ending in '\n').
struct ParsedAcl {
  AclList acl;
  std::string warnings;
};
ParsedAcl parse_acl(const std::string& text);

const char* keeper_state_name(client::KeeperState s);
const char* event_type_name(client::EventType t);
// WatchedEvent.toString: "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x"
// (a session event's path is "null").
std::string event_text(const WatchEvent& e);

// KeeperException.getMessage: "KeeperErrorCode = NoNode for /x" (no " for" without a path).
std::string keeper_message(Err code, const std::string& path);
// What zkCli prints for a failed call (CliWrapperException): "Node does not exist: /x",
// "Node already exists: /x", "version No is not valid : /x", ...; else keeper_message.
// An empty path prints as "null", as Java prints a missing one.
std::string error_message(Err code, const std::string& path);
// The code's name as Java's KeeperException.Code spells it (NONODE -> "NONODE").
std::string err_code_name(Err code);

// The quota records under /zookeeper/quota (org.apache.zookeeper.StatsTrack in 3.8):
// "count=N,bytes=N" plus, when other keys are set, "=;key=value" for each in sorted order.
// Missing keys read as -1.
class QuotaRecord {
 public:
  QuotaRecord() = default;
  static QuotaRecord parse(const std::string& text);
  int64_t get(const std::string& key) const;
  void set(const std::string& key, int64_t value) { values_[key] = value; }
  std::string to_string() const;

 private:
  std::map<std::string, int64_t> values_;
};

// ConfigUtils.getClientConfigStr: "<version> <host:clientPort>,..." from the dynamic config
// text of /zookeeper/config (server entries in the order they appear).
std::string client_config_string(const std::string& config);

// JSON forms for --json.
nlohmann::json stat_json(const Stat& stat);
nlohmann::json acl_json(const AclList& acl);
nlohmann::json event_json(const WatchEvent& e);
// A znode's data as JSON: a string, or null for null data. Bytes that are not UTF-8 are
// replaced when the JSON is printed.
nlohmann::json data_json(const client::NodeData& data);

}  // namespace paddock::shell
