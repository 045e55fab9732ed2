#pragma once
// The commands of ZooKeeper's AdminServer (GET <commandURL>/<name>): names, aliases and
// their JSON bodies, with ZooKeeper 3.8's field names (captures in testdata/zk38/admin_*).
// Pure: built from a ServerSnapshot and HostFacts; the HTTP side is admin_server.h.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/server_snapshot.h"
#include "server/host_facts.h"

namespace paddock::server {

using Json = nlohmann::ordered_json;  // keeps ZooKeeper's field order

enum class AdminEffect { kNone, kResetConnectionStats, kResetServerStats, kSetTraceMask };

struct AdminCommand {
  std::string_view name;                  // e.g. "server_stats"
  std::vector<std::string_view> aliases;  // e.g. "srvr"
  bool needs_snapshot = true;
  bool needs_dir_sizes = false;
  AdminEffect effect = AdminEffect::kNone;
  // Changes state or shows sessions, clients or secrets (the config text, -D properties):
  // the request's identity needs ADMIN on the root znode's ACL (admin_auth.h). With the
  // root's default world:anyone ACL everyone has it; lock the root to lock these.
  bool needs_admin = false;
};

// What a command is given besides the snapshot and the host: the request's query arguments
// and what the server was started with.
struct AdminCommandInput {
  // The query string, decoded; the first value of a repeated name (as ZooKeeper takes it).
  std::map<std::string, std::string> arguments;
  // zoo.cfg's text as the server read it at start; none for the PORT DATADIR command line
  // (ZooKeeper answers null there too).
  std::optional<std::string> initial_configuration;
  // The server's system properties: "zookeeper.<key>" for the zoo.cfg keys ZooKeeper turns
  // into properties, and the -D flags (config::ServerConfig::properties).
  std::map<std::string, std::string> system_properties;
};

// Every command Paddock answers, sorted by name (the /commands listing order).
const std::vector<AdminCommand>& admin_commands();
// By name or alias (case-sensitive, as in ZooKeeper); null when unknown.
const AdminCommand* find_admin_command(std::string_view name_or_alias);
// The tables the command's body lists (stats, connections, dump, watches, watches_by_path);
// the others are built from counters only.
pipeline::SnapshotRequest admin_snapshot_request(const AdminCommand& command);

// The body for `command`. `snapshot` may be null only when !command.needs_snapshot. For
// set_trace_mask, facts.trace_mask is not read: the body repeats the argument.
Json admin_command_json(const AdminCommand& command, const pipeline::ServerSnapshot* snapshot,
                        const HostFacts& facts, const AdminCommandInput& input = {});
// set_trace_mask's traceMask argument as Java's Long.parseLong reads it; none when it is
// missing or not a 64-bit decimal number (the body then says which).
std::optional<int64_t> trace_mask_argument(const AdminCommandInput& input);
// ZooKeeper answers an unknown command with 200 and {"command": name, "error": ...}.
Json unknown_admin_command_json(std::string_view name);
Json not_serving_admin_json(std::string_view name);
// The HTML list of links ZooKeeper serves at the command URL itself.
std::string admin_command_list_html(std::string_view command_url);

}  // namespace paddock::server
