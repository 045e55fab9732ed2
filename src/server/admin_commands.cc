#include "server/admin_commands.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <optional>

#include "server/four_letter_words.h"

namespace paddock::server {
namespace {

using pipeline::ConnectionSnapshot;
using pipeline::ServerSnapshot;

constexpr int64_t kTickDefaultMs = 2000;

// ZooKeeper's CommandResponse.toMap: the body's fields, then "command", then "error" --
// unless the body set "error" itself, which then keeps its place and its text.
Json with_command_fields(Json body, std::string_view name) {
  const bool has_error = body.contains("error");
  body["command"] = name;
  if (!has_error) body["error"] = nullptr;
  return body;
}

Json client_response_stats() {
  // Paddock does not track reply sizes; -1 is ZooKeeper's value before any reply.
  return Json{{"last_buffer_size", -1}, {"min_buffer_size", -1}, {"max_buffer_size", -1}};
}

Json server_stats_object(const ServerSnapshot& s, const HostFacts& facts) {
  Json st;
  st["packets_sent"] = s.packets_sent;
  st["packets_received"] = s.packets_received;
  st["fsync_threshold_exceed_count"] = s.fsync_threshold_exceeded;
  st["client_response_stats"] = client_response_stats();
  st["data_dir_size"] = facts.data_dir_bytes;
  st["log_dir_size"] = facts.data_log_dir_bytes;
  st["provider_null"] = false;
  st["server_state"] = s.mode;
  st["last_processed_zxid"] = s.last_zxid;
  st["outstanding_requests"] = s.outstanding_requests;
  st["avg_latency"] = zk_rounded_average(s.latency.avg_ms);
  st["max_latency"] = s.latency.max_ms;
  st["min_latency"] = s.latency.min_ms;
  st["num_alive_client_connections"] = s.connection_count;
  st["uptime"] = facts.uptime_ms;
  st["auth_failed_count"] = 0;
  st["non_mtlsremote_conn_count"] = 0;
  st["non_mtlslocal_conn_count"] = 0;
  return st;
}

// ZooKeeper's ZabStateCommand: the member's ids and addresses and its ZAB phase (election,
// synchronization or broadcast; Paddock does not report discovery apart from
// synchronization). Standalone: not voting, no phase.
Json zab_state_json(const ServerSnapshot& s) {
  if (!s.quorum) return Json{{"voting", false}, {"zabstate", ""}};
  const ServerSnapshot::Quorum& q = *s.quorum;
  std::string client_address = "0.0.0.0:";
  for (const auto& [key, value] : s.config) {
    if (key == "clientPort") client_address += value;
  }
  const auto zxid = static_cast<uint64_t>(s.last_zxid);
  const char* phase = q.peer_state == "looking"                      ? "election"
                      : q.peer_state.ends_with(" - broadcast")       ? "broadcast"
                                                                     : "synchronization";
  Json j;
  j["myid"] = q.my_id;
  j["is_leader"] = s.mode == "leader";
  j["quorum_address"] = q.quorum_address;
  j["election_address"] = q.election_address;
  j["client_address"] = client_address;
  j["voting"] = q.voting;
  j["last_zxid"] = fmt::format("0x{:x}", zxid);
  j["zab_epoch"] = static_cast<int64_t>(zxid >> 32);
  j["zab_counter"] = static_cast<int64_t>(zxid & 0xffffffffu);
  j["zabstate"] = phase;
  return j;
}

Json server_stats_json(const ServerSnapshot& s, const HostFacts& facts) {
  Json j;
  j["version"] = s.version;
  j["read_only"] = s.read_only;
  j["server_stats"] = server_stats_object(s, facts);
  j["client_response"] = client_response_stats();
  j["node_count"] = s.node_count;
  return j;
}

Json connection_json(const ConnectionSnapshot& c, bool brief) {
  Json j;
  j["remote_socket_address"] = java_socket_address(c.peer_ip, c.peer_port);
  j["interest_ops"] = c.session_id != 0 ? 1 : 0;
  j["outstanding_requests"] = c.queued;
  j["packets_received"] = c.received;
  j["packets_sent"] = c.sent;
  if (brief || c.session_id == 0) return j;
  j["session_id"] = c.session_id;
  j["last_operation"] = c.last_op;
  j["established"] = c.established_ms;
  j["session_timeout"] = c.timeout_ms;
  j["last_cxid"] = c.last_cxid;
  j["last_zxid"] = c.last_zxid;
  j["last_response_time"] = c.last_response_ms;
  j["last_latency"] = c.last_latency_ms;
  j["min_latency"] = c.latency.min_ms;
  j["avg_latency"] = static_cast<int64_t>(c.latency.avg_ms);
  j["max_latency"] = c.latency.max_ms;
  return j;
}

Json connections_array(const ServerSnapshot& s, bool brief) {
  Json arr = Json::array();
  for (const auto& c : s.connections) arr.push_back(connection_json(c, brief));
  return arr;
}

std::optional<int64_t> parse_int(std::string_view v) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

int64_t tick_ms(const ServerSnapshot& s) {
  for (const auto& [k, v] : s.config) {
    if (k == "tickTime") return parse_int(v).value_or(kTickDefaultMs);
  }
  return kTickDefaultMs;
}

// ZooKeeper's configuration keys in snake_case: clientPort -> client_port.
std::string snake_case(std::string_view camel) {
  std::string out;
  for (char ch : camel) {
    if (ch >= 'A' && ch <= 'Z') {
      out += '_';
      out += static_cast<char>(ch - 'A' + 'a');
    } else if (ch == '.') {
      out += '_';
    } else {
      out += ch;
    }
  }
  return out;
}

Json config_value(const std::string& v) {
  if (auto n = parse_int(v)) return Json(*n);
  return Json(v);
}

Json configuration_json(const ServerSnapshot& s) {
  Json j;
  for (const auto& [k, v] : s.config) {
    // The text form's derived lines are not part of ZooKeeper's JSON.
    if (k == "dataDirSize" || k == "dataLogSize" || k == "secureClientPort") continue;
    j[snake_case(k)] = config_value(v);
  }
  return j;
}

Json dump_json(const ServerSnapshot& s, const HostFacts& facts) {
  int64_t tick = tick_ms(s);
  std::map<int64_t, std::vector<int64_t>> buckets;
  for (const auto& [id, timeout] : s.sessions) {
    int64_t t = facts.now_ms + timeout;
    buckets[tick > 0 ? (t / tick + 1) * tick : t].push_back(id);
  }
  Json expiry = Json::object();
  for (const auto& [when, ids] : buckets) expiry[std::to_string(when)] = ids;
  Json ephemerals = Json::object();
  for (const auto& [id, paths] : ephemerals_by_session(s)) {
    if (!paths.empty()) ephemerals[std::to_string(id)] = paths;
  }
  return Json{{"expiry_time_to_session_ids", expiry},
              {"session_id_to_ephemeral_paths", ephemerals}};
}

// ZooKeeper's LeaderCommand. Standalone it has no leader; a member names its leader and the
// leader's host (QuorumPeer.getLeaderAddress: the host strings of its quorum address).
Json leader_json(const ServerSnapshot& s) {
  if (!s.quorum) return Json{{"error", "server is not initialized"}};
  const ServerSnapshot::Quorum& q = *s.quorum;
  std::string leader_ip;
  for (const auto& [sid, server] : q.voting_members) {
    if (sid != q.leader_id) continue;
    // "host:2888:3888:participant;..." or "[v6]:2888:...": the host without brackets.
    leader_ip = server.starts_with('[') ? server.substr(1, server.find(']') - 1)
                                        : server.substr(0, server.find(':'));
  }
  return Json{
      {"is_leader", s.mode == "leader"}, {"leader_id", q.leader_id}, {"leader_ip", leader_ip}};
}

// ZooKeeper's SyncedObserverConsCommand: a leader's synced observers, each as its
// LearnerHandler describes it; 0 and none on any other server.
Json observers_json(const ServerSnapshot& s) {
  Json list = Json::array();
  uint64_t synced = 0;
  if (s.quorum && s.mode == "leader") {
    synced = s.quorum->synced_observers;
    for (const pipeline::LearnerSnapshot& o : s.quorum->observers) {
      Json j;
      // Java's InetSocketAddress.toString: "/" before the address.
      j["remote_socket_address"] = "/" + java_socket_address(o.peer_ip, o.peer_port);
      j["sid"] = o.sid;
      j["established"] = o.established_ms;
      j["queued_packets"] = o.queued_packets;
      j["queued_packets_size"] = o.queued_bytes;
      j["packets_received"] = o.packets_received;
      j["packets_sent"] = o.packets_sent;
      j["requests"] = o.requests;
      j["last_zxid"] = o.last_zxid;
      list.push_back(std::move(j));
    }
  }
  return Json{{"synced_observers", synced}, {"observers", std::move(list)}};
}

// ZooKeeper's LastSnapshotCommand: the zxid in Long.toHexString (no 0x; ffffffffffffffff
// for none) and the file's modification time in s (-1 for none).
Json last_snapshot_json(const ServerSnapshot& s, const HostFacts& facts) {
  const bool none = s.last_snapshot_zxid < 0;
  return Json{{"zxid", hex_long(s.last_snapshot_zxid)},
              {"timestamp", none ? int64_t{-1} : facts.last_snapshot_modified_s}};
}

// ZooKeeper's SystemPropertiesCommand prints the JVM's System.getProperties(), sorted.
// Paddock has no JVM: it prints the properties it was started with (zoo.cfg keys as
// zookeeper.<key>, -D flags) and the few JVM properties that describe the host and hold for
// Paddock as they would for Java (os.*, user.*, the separators); no java.* or sun.* ones.
Json system_properties_json(const AdminCommandInput& input, const HostFacts& facts) {
  std::map<std::string, std::string> props;
  for (const auto& [key, value] : facts.environment) {
    if (key.starts_with("os.") || key.starts_with("user.")) props[key] = value;
  }
  props["file.separator"] = "/";
  props["line.separator"] = "\n";
  props["path.separator"] = ":";
  for (const auto& [key, value] : input.system_properties) props[key] = value;  // a flag wins
  Json j = Json::object();
  for (const auto& [key, value] : props) j[key] = value;
  return j;
}

// ZooKeeper's SetTraceMaskCommand, its errors word for word.
Json set_trace_mask_json(const AdminCommandInput& input) {
  auto given = input.arguments.find("traceMask");
  if (given == input.arguments.end()) {
    return Json{{"error", "setTraceMask requires long traceMask argument"}};
  }
  std::optional<int64_t> mask = trace_mask_argument(input);
  if (!mask) {
    return Json{{"error", "setTraceMask requires long traceMask argument, got " + given->second}};
  }
  return Json{{"tracemask", *mask}};
}

Json monitor_json(const ServerSnapshot& s, const HostFacts& facts) {
  Json j;
  for (const auto& [key, value] : monitor_metrics(s, facts)) {
    std::visit([&j, &k = key](const auto& v) { j[k] = v; }, value);
  }
  return j;
}

Json snapshot_body(std::string_view name, const ServerSnapshot& s, const HostFacts& facts,
                   const AdminCommandInput& input) {
  if (name == "server_stats") return server_stats_json(s, facts);
  if (name == "stats") {
    Json j = server_stats_json(s, facts);
    j["connections"] = connections_array(s, /*brief=*/true);
    j["secure_connections"] = Json::array();
    return j;
  }
  if (name == "connections") {
    return Json{{"connections", connections_array(s, false)},
                {"secure_connections", Json::array()}};
  }
  if (name == "monitor") return monitor_json(s, facts);
  if (name == "configuration") return configuration_json(s);
  if (name == "watch_summary") {
    WatchSummary w = watch_summary(s);
    return Json{{"num_connections", w.connections},
                {"num_paths", w.paths},
                {"num_total_watches", w.watches}};
  }
  if (name == "watches") {
    Json m = Json::object();
    for (const auto& [id, paths] : watches_by_session(s)) m[std::to_string(id)] = paths;
    return Json{{"session_id_to_watched_paths", m}};
  }
  if (name == "watches_by_path") {
    Json m = Json::object();
    for (const auto& [path, ids] : watches_by_path(s)) m[path] = ids;
    return Json{{"path_to_session_ids", m}};
  }
  if (name == "dump") return dump_json(s, facts);
  if (name == "environment") {
    Json j;
    j["zookeeper.version"] = s.version;
    for (const auto& [k, v] : facts.environment) j[k] = v;
    return j;
  }
  if (name == "dirs") {
    return Json{{"datadir_size", facts.data_dir_bytes}, {"logdir_size", facts.data_log_dir_bytes}};
  }
  if (name == "is_read_only") return Json{{"read_only", s.read_only}};
  if (name == "leader") return leader_json(s);
  if (name == "observers") return observers_json(s);
  if (name == "last_snapshot") return last_snapshot_json(s, facts);
  if (name == "voting_view") {
    // ZooKeeper's VotingViewCommand: the voting members by id; none standalone.
    Json members = Json::object();
    if (s.quorum) {
      for (const auto& [sid, server] : s.quorum->voting_members) members[std::to_string(sid)] = server;
    }
    return Json{{"current_config", members}};
  }
  if (name == "zabstate") return zab_state_json(s);
  if (name == "initial_configuration") {
    return Json{{"initial_configuration",
                 input.initial_configuration ? Json(*input.initial_configuration) : Json(nullptr)}};
  }
  return Json::object();
}

}  // namespace

const std::vector<AdminCommand>& admin_commands() {
  using E = AdminEffect;
  constexpr bool kAdmin = true;  // AdminCommand::needs_admin
  static const std::vector<AdminCommand> kCommands = {
      {"configuration", {"conf", "config"}, true, false, E::kNone},
      {"connection_stat_reset", {"crst"}, false, false, E::kResetConnectionStats, kAdmin},
      {"connections", {"cons"}, true, false, E::kNone, kAdmin},
      {"dirs", {}, true, true, E::kNone},
      {"dump", {}, true, false, E::kNone, kAdmin},
      {"environment", {"env", "envi"}, true, false, E::kNone},
      {"get_trace_mask", {"gtmk"}, false, false, E::kNone},
      {"hash", {}, false, false, E::kNone},
      // Needs no table, but ZooKeeper answers it only while serving: so does Paddock.
      {"initial_configuration", {"icfg"}, true, false, E::kNone, kAdmin},
      {"is_read_only", {"isro"}, true, false, E::kNone},
      {"last_snapshot", {"lsnp"}, true, false, E::kNone},
      {"leader", {"lead"}, true, false, E::kNone},
      {"monitor", {"mntr"}, true, false, E::kNone},
      // No per-observer connection statistics are kept, so there is nothing to reset.
      {"observer_connection_stat_reset", {"orst"}, false, false, E::kNone, kAdmin},
      {"observers", {"obsr"}, true, false, E::kNone},
      {"ruok", {}, false, false, E::kNone},
      {"server_stats", {"srvr"}, true, true, E::kNone},
      {"set_trace_mask", {"stmk"}, false, false, E::kSetTraceMask, kAdmin},
      {"stat_reset", {"srst"}, false, false, E::kResetServerStats, kAdmin},
      {"stats", {"stat"}, true, true, E::kNone, kAdmin},
      {"system_properties", {"sysp"}, false, false, E::kNone, kAdmin},
      {"voting_view", {}, true, false, E::kNone},
      {"watch_summary", {"wchs"}, true, false, E::kNone},
      {"watches", {"wchc"}, true, false, E::kNone, kAdmin},
      {"watches_by_path", {"wchp"}, true, false, E::kNone, kAdmin},
      {"zabstate", {}, true, false, E::kNone},
  };
  return kCommands;
}

pipeline::SnapshotRequest admin_snapshot_request(const AdminCommand& command) {
  pipeline::SnapshotRequest what;
  what.connections = command.name == "stats" || command.name == "connections";
  what.sessions = what.ephemerals = command.name == "dump";
  what.watches = command.name == "watches" || command.name == "watches_by_path";
  return what;
}

const AdminCommand* find_admin_command(std::string_view name_or_alias) {
  for (const AdminCommand& c : admin_commands()) {
    if (c.name == name_or_alias) return &c;
    for (std::string_view alias : c.aliases) {
      if (alias == name_or_alias) return &c;
    }
  }
  return nullptr;
}

Json admin_command_json(const AdminCommand& command, const ServerSnapshot* snapshot,
                        const HostFacts& facts, const AdminCommandInput& input) {
  Json body = Json::object();
  if (command.name == "get_trace_mask") {
    body["tracemask"] = facts.trace_mask;
  } else if (command.name == "set_trace_mask") {
    body = set_trace_mask_json(input);
  } else if (command.name == "system_properties") {
    body = system_properties_json(input, facts);
  } else if (command.name == "hash") {
    body["digests"] = Json::array();  // no digest history is kept
  } else if (command.needs_snapshot) {
    if (snapshot == nullptr) return not_serving_admin_json(command.name);
    // A member between leaders has no leader to name: ZooKeeper has no server running then.
    if (command.name == "leader" && snapshot->quorum && snapshot->quorum->leader_id < 0) {
      return not_serving_admin_json(command.name);
    }
    body = snapshot_body(command.name, *snapshot, facts, input);
  }
  return with_command_fields(std::move(body), command.name);
}

std::optional<int64_t> trace_mask_argument(const AdminCommandInput& input) {
  auto given = input.arguments.find("traceMask");
  if (given == input.arguments.end()) return std::nullopt;
  std::string_view v = given->second;
  // Long.parseLong takes a leading '+' as well as a '-'; from_chars only the '-'.
  if (v.starts_with('+') && !v.starts_with("+-")) v.remove_prefix(1);
  return parse_int(v);
}

Json unknown_admin_command_json(std::string_view name) {
  return Json{{"command", name}, {"error", fmt::format("Unknown command: {}", name)}};
}

Json not_serving_admin_json(std::string_view name) {
  return Json{{"command", name},
              {"error", "This ZooKeeper instance is not currently serving requests"}};
}

std::string admin_command_list_html(std::string_view command_url) {
  std::string out;
  for (const AdminCommand& c : admin_commands()) {
    fmt::format_to(std::back_inserter(out), "<a href=\"{}/{}\">{}</a>\n<br/>\n", command_url,
                   c.name, c.name);
  }
  return out;
}

}  // namespace paddock::server
