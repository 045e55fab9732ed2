#pragma once
// The commands of ZooKeeper's AdminServer (GET <commandURL>/<name>): names, aliases and
// their JSON bodies, with ZooKeeper 3.8's field names (captures in testdata/zk38/admin_*).
// Pure: built from a ServerSnapshot and HostFacts; the HTTP side is admin_server.h.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/server_snapshot.h"
#include "server/host_facts.h"

namespace paddock::server {

using Json = nlohmann::ordered_json;  // keeps ZooKeeper's field order

enum class AdminEffect { kNone, kResetConnectionStats, kResetServerStats };

struct AdminCommand {
  std::string_view name;                  // e.g. "server_stats"
  std::vector<std::string_view> aliases;  // e.g. "srvr"
  bool needs_snapshot = true;
  bool needs_dir_sizes = false;
  AdminEffect effect = AdminEffect::kNone;
};

// Every command Paddock answers, sorted by name (the /commands listing order).
const std::vector<AdminCommand>& admin_commands();
// By name or alias (case-sensitive, as in ZooKeeper); null when unknown.
const AdminCommand* find_admin_command(std::string_view name_or_alias);
// The tables the command's body lists (stats, connections, dump, watches, watches_by_path);
// the others are built from counters only.
pipeline::SnapshotRequest admin_snapshot_request(const AdminCommand& command);

// The body for `command`. `snapshot` may be null only when !command.needs_snapshot.
Json admin_command_json(const AdminCommand& command, const pipeline::ServerSnapshot* snapshot,
                        const HostFacts& facts);
// ZooKeeper answers an unknown command with 200 and {"command": name, "error": ...}.
Json unknown_admin_command_json(std::string_view name);
Json not_serving_admin_json(std::string_view name);
// The HTML list of links ZooKeeper serves at the command URL itself.
std::string admin_command_list_html(std::string_view command_url);

}  // namespace paddock::server
