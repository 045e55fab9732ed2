// Introspection: what the pipeline thread knows, for four-letter words and metrics. Counters
// cost O(1); the tables a request asks for are copied here a bounded piece at a time, so a
// monitoring poll never holds the state-owning thread for a copy of a million watches.
#include "pipeline/pipeline_core.h"

namespace paddock::pipeline {
namespace {

// Entries (sessions, ephemerals, watches) copied per piece: each piece is one event on the
// pipeline thread, between the requests queued behind it, and takes well under a
// millisecond.
constexpr size_t kSnapshotPieceEntries = 4096;

using Cursor = SnapshotRequest::Cursor;

// Copies sessions and their ephemerals in session id order, resuming by key: the session
// table and each session's ephemeral set are ordered, so writes between pieces cannot make
// the walk skip what stays or repeat anything. Returns false when `budget` ran out first.
bool copy_sessions(const state::DataTree& tree, const SnapshotRequest& what, Cursor& cur,
                   size_t& budget, ServerSnapshot& snap) {
  const std::map<int64_t, int32_t>& sessions = tree.sessions();
  auto it = cur.session ? sessions.lower_bound(*cur.session) : sessions.begin();
  if (cur.session && (it == sessions.end() || it->first != *cur.session)) {
    cur.session_row_done = false;  // it closed since the last piece: go on with the next
    cur.after_ephemeral.clear();
  }
  for (; it != sessions.end(); ++it) {
    cur.session = it->first;
    if (!cur.session_row_done) {
      if (budget == 0) return false;
      if (what.sessions) snap.sessions.emplace_back(it->first, it->second);
      cur.session_row_done = true;
      --budget;
    }
    if (what.ephemerals) {
      const std::set<std::string>& paths = tree.ephemerals(it->first);
      for (auto p = paths.upper_bound(cur.after_ephemeral); p != paths.end(); ++p) {
        if (budget == 0) return false;
        snap.ephemerals.push_back(SessionPath{it->first, *p});
        cur.after_ephemeral = *p;
        --budget;
      }
    }
    cur.session_row_done = false;
    cur.after_ephemeral.clear();
  }
  cur.session.reset();
  return true;
}

ConnectionSnapshot snapshot_of(const ConnectionState& conn) {
  ConnectionSnapshot c;
  c.id = conn.id;
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
  return c;
}

}  // namespace

std::shared_ptr<const ServerSnapshot> PipelineCore::take_snapshot(
    const SnapshotRequest& what) const {
  auto snap = std::make_shared<ServerSnapshot>();
  const state::DataTree& tree = db_.tree();
  const state::WatchRegistry& watches = tree.watches();
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
  snap->connection_requests = connection_requests_;
  snap->sessions_expired = sessions_expired_;
  snap->outstanding_requests = outstanding_;
  snap->connection_count = connections_.size();
  snap->session_count = tree.sessions().size();
  snap->ephemerals_count = tree.ephemeral_count();
  snap->watch_count = watches.watch_count();
  snap->data_watch_count = watches.data_watch_count();
  snap->watched_paths = watches.path_count();
  snap->watching_connections = watches.watcher_count();
  snap->max_request_bytes = options_.max_request_bytes;
  if (const state::Znode* root = tree.find("/")) snap->root_acl = tree.acl(*root);
  snap->config = options_.config_entries;
  snap->data_dir = options_.data_dir;
  snap->data_log_dir = options_.data_log_dir;
  snap->read_only = writes_refused_;  // isro says "ro" while the log has failed
  snap->serving = serving_;
  snap->read_latency_ms = read_latency_ms_;
  snap->update_latency_ms = update_latency_ms_;
  snap->frames_per_batch = frames_per_batch_;
  snap->frames_per_turn = frames_per_turn_;
  snap->pipeline_turns = pipeline_turns_;
  if (options_.add_figures) options_.add_figures(*snap);
  if (snapshot_filler_) snapshot_filler_(*snap);

  Cursor cur = what.from;
  if (!cur.head_done) {
    if (what.connections) {
      snap->connections.reserve(connections_.size());
      for (const auto& [id, conn] : connections_) snap->connections.push_back(snapshot_of(conn));
    }
    cur.head_done = true;
  }
  size_t budget = kSnapshotPieceEntries;
  if ((what.sessions || what.ephemerals) && !cur.sessions_done) {
    cur.sessions_done = copy_sessions(tree, what, cur, budget, *snap);
  }
  if (what.watches && !cur.watches_done && budget > 0) {
    state::DataWatchWalk walk{cur.watch_bucket, cur.watch_buckets, false};
    watches.walk_data_watches(walk, budget, [&](const std::string& path, state::WatcherId w) {
      auto conn = connections_.find(w);
      const int64_t session = conn == connections_.end() ? 0 : conn->second.session_id;
      snap->watches.push_back(WatchSnapshot{session, w, path});
    });
    cur.watch_bucket = walk.next_bucket;
    cur.watch_buckets = walk.bucket_count;
    cur.watches_done = walk.done;
  }
  snap->complete = (!(what.sessions || what.ephemerals) || cur.sessions_done) &&
                   (!what.watches || cur.watches_done);
  snap->next = std::move(cur);
  return snap;
}

}  // namespace paddock::pipeline
