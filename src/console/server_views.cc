#include "console/server_views.h"

#include <map>
#include <set>
#include <string>

#include "server/four_letter_words.h"

namespace paddock::console {
namespace {

using pipeline::ServerSnapshot;

Json quorum_json(const ServerSnapshot::Quorum& q) {
  return Json{{"leader_id", q.leader_id},
              {"epoch", q.epoch},
              {"accepted_epoch", q.accepted_epoch},
              {"last_committed_zxid", hex_id(q.last_committed_zxid)},
              {"peer_state", q.peer_state},
              {"quorum_size", q.quorum_size},
              {"learners", q.learners},
              {"synced_followers", q.synced_followers},
              {"synced_observers", q.synced_observers},
              {"pending_syncs", q.pending_syncs},
              {"proposals_in_flight", q.proposals_in_flight}};
}

// Watched paths by session, deduplicated (a watch may be listed twice: see
// ServerSnapshot::watches).
std::map<int64_t, std::set<std::string>> watched_paths(const ServerSnapshot& s) {
  std::map<int64_t, std::set<std::string>> out;
  for (const pipeline::WatchSnapshot& w : s.watches) out[w.session_id].insert(w.path);
  return out;
}

Json watches_json(const std::set<std::string>* paths, size_t limit) {
  Json list = Json::array();
  if (paths == nullptr) return list;
  for (const std::string& p : *paths) {
    if (list.size() >= limit) break;
    list.push_back(p);
  }
  return list;
}

Json connection_json(const pipeline::ConnectionSnapshot& c, const std::set<std::string>* paths,
                     size_t watch_limit) {
  return Json{{"address", server::java_socket_address(c.peer_ip, c.peer_port)},
              {"session_id", hex_id(c.session_id)},
              {"timeout_ms", c.timeout_ms},
              {"outstanding", c.queued},
              {"received", c.received},
              {"sent", c.sent},
              {"last_op", c.last_op},
              {"established_ms", c.established_ms},
              {"last_latency_ms", c.last_latency_ms},
              {"avg_latency_ms", c.latency.avg_ms},
              {"max_latency_ms", c.latency.max_ms},
              {"watch_count", paths ? paths->size() : 0},
              {"watches", watches_json(paths, watch_limit)}};
}

}  // namespace

Json role_json(const ServerSnapshot& s) {
  return Json{{"mode", s.mode},
              {"server_id", s.server_id},
              {"version", s.version},
              {"serving", s.serving},
              {"read_only", s.read_only},
              {"last_zxid", hex_id(s.last_zxid)},
              {"znodes", s.node_count},
              {"connections", s.connection_count},
              {"sessions", s.session_count},
              {"watches", s.watch_count},
              {"outstanding_requests", s.outstanding_requests},
              {"quorum", s.quorum ? quorum_json(*s.quorum) : Json(nullptr)}};
}

Json samples_json(const std::vector<MetricSample>& samples) {
  Json out = Json::array();
  for (const MetricSample& m : samples) {
    out.push_back(Json{{"seq", m.seq},
                       {"time_ms", m.time_ms},
                       {"reads_per_s", m.reads_per_s},
                       {"writes_per_s", m.writes_per_s},
                       {"latency_p50_ms", m.latency_p50_ms},
                       {"latency_p95_ms", m.latency_p95_ms},
                       {"latency_p99_ms", m.latency_p99_ms},
                       {"latency_max_ms", m.latency_max_ms},
                       {"outstanding_requests", m.outstanding_requests},
                       {"connections", m.connections},
                       {"znodes", m.znodes},
                       {"watches", m.watches},
                       {"sessions", m.sessions},
                       {"last_zxid", hex_id(m.last_zxid)}});
  }
  return out;
}

Json sessions_json(const ServerSnapshot& s, const SessionListLimits& limits) {
  const std::map<int64_t, std::set<std::string>> watched = watched_paths(s);
  Json connections = Json::array();
  for (const pipeline::ConnectionSnapshot& c : s.connections) {
    if (connections.size() >= limits.max_connections) break;
    auto it = c.session_id != 0 ? watched.find(c.session_id) : watched.end();
    connections.push_back(connection_json(c, it == watched.end() ? nullptr : &it->second,
                                          limits.max_watches_per_session));
  }
  Json sessions = Json::array();
  for (const auto& [id, timeout] : s.sessions) {
    if (sessions.size() >= limits.max_sessions) break;
    auto it = watched.find(id);
    sessions.push_back(Json{{"session_id", hex_id(id)},
                            {"timeout_ms", timeout},
                            {"watch_count", it == watched.end() ? 0 : it->second.size()}});
  }
  const bool truncated =
      connections.size() < s.connections.size() || sessions.size() < s.sessions.size();
  return Json{{"connection_count", s.connections.size()},
              {"session_count", s.sessions.size()},
              {"truncated", truncated},
              {"connections", connections},
              {"sessions", sessions}};
}

}  // namespace paddock::console
