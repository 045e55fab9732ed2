// Introspection: a copy of the pipeline thread's state for four-letter words and metrics.
#include "pipeline/pipeline_core.h"

namespace paddock::pipeline {

std::shared_ptr<const ServerSnapshot> PipelineCore::take_snapshot() const {
  auto snap = std::make_shared<ServerSnapshot>();
  const state::DataTree& tree = db_.tree();
  snap->version = options_.version;
  snap->mode = "standalone";
  snap->server_id = options_.server_id;
  snap->last_zxid = tree.last_zxid();
  // ZooKeeper counts the root twice (its node table holds it as "" and as "/"), so its
  // "Node count" and zk_znode_count are one more than the znodes a client can see.
  snap->node_count = tree.node_count() + 1;
  snap->approximate_data_size = tree.approximate_data_size();
  snap->latency = latency_;
  snap->packets_received = packets_received_;
  snap->packets_sent = packets_sent_;
  snap->outstanding_requests = outstanding_;
  snap->max_request_bytes = options_.max_request_bytes;
  snap->config = options_.config_entries;
  snap->data_dir = options_.data_dir;
  snap->data_log_dir = options_.data_log_dir;
  snap->read_only = writes_refused_;  // isro says "ro" while the log has failed

  std::unordered_map<ConnectionId, int64_t> session_of;
  for (const auto& [id, conn] : connections_) {
    ConnectionSnapshot c;
    c.id = id;
    c.peer_ip = conn.peer_ip;
    c.peer_port = conn.peer_port;
    c.session_id = conn.session_id;
    c.timeout_ms = conn.timeout_ms;
    c.queued = conn.pending.size();
    c.received = conn.received;
    c.sent = conn.sent;
    c.last_op = conn.last_op;
    c.last_cxid = conn.last_cxid;
    c.last_zxid = conn.last_zxid;
    c.established_ms = conn.established_ms;
    c.last_response_ms = conn.last_response_ms;
    c.last_latency_ms = conn.last_latency_ms;
    c.latency = conn.latency;
    snap->connections.push_back(std::move(c));
    session_of[id] = conn.session_id;
  }
  for (const auto& [session_id, timeout_ms] : tree.sessions()) {
    snap->sessions.emplace_back(session_id, timeout_ms);
    const auto& ephemerals = tree.ephemerals(session_id);
    if (!ephemerals.empty()) {
      snap->ephemerals_by_session[session_id].assign(ephemerals.begin(), ephemerals.end());
      snap->ephemerals_count += ephemerals.size();
    }
  }
  const state::WatchRegistry& watches = tree.watches();
  snap->watch_count = watches.watch_count();
  snap->watched_paths = watches.path_count();
  for (auto& [watcher, paths] : watches.by_watcher()) {
    snap->watches_by_session[session_of[watcher]] = paths;
  }
  for (auto& [path, watchers] : watches.by_path()) {
    std::vector<int64_t>& sessions = snap->watches_by_path[path];
    for (state::WatcherId watcher : watchers) sessions.push_back(session_of[watcher]);
  }
  return snap;
}

}  // namespace paddock::pipeline
