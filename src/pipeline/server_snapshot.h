#pragma once
// A copy of what the pipeline thread knows, taken on that thread and handed to the server
// for four-letter words (srvr, stat, cons, mntr, wchs, wchc, wchp, dump, conf, envi), the
// admin endpoint and metrics. Plain data; formatting belongs to server/.
//
// Counters are always there and cost O(1) to take. Tables are copied only when a request
// asks for them (SnapshotRequest): connections whole (one entry each, as stat lists them),
// sessions, ephemerals and watches -- which grow with the data, not with the clients -- in
// bounded pieces, one per pipeline turn, each piece saying where the next one starts.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/types.h"
#include "util/value_histogram.h"

namespace paddock::pipeline {

using ConnectionId = uint64_t;  // unique for the life of the process, never reused

struct LatencyStats {
  int64_t min_ms = 0;
  int64_t max_ms = 0;
  double avg_ms = 0;
  uint64_t count = 0;
};

struct ConnectionSnapshot {
  ConnectionId id = 0;
  std::string peer_ip;
  uint16_t peer_port = 0;
  int64_t session_id = 0;  // 0 before the handshake
  int32_t timeout_ms = 0;
  uint64_t queued = 0;         // requests received but not answered yet
  uint64_t received = 0;       // packets received
  uint64_t sent = 0;           // packets sent
  std::string last_op = "NA";  // ZooKeeper's short op names: GETD, SETD, CREA, PING, ...
  int32_t last_cxid = 0;
  int64_t last_zxid = 0;
  int64_t established_ms = 0;    // wall clock, ms since epoch
  int64_t last_response_ms = 0;  // wall clock, ms since epoch
  int64_t last_latency_ms = 0;
  LatencyStats latency;
};

struct SessionPath {
  int64_t session_id = 0;
  std::string path;
};

// A leader's connection to one learner, as ZooKeeper's LearnerHandler describes it (the
// admin `observers` command lists the observers').
struct LearnerSnapshot {
  std::string peer_ip;  // the learner's end of the connection
  uint16_t peer_port = 0;
  int64_t sid = 0;
  int64_t established_ms = 0;  // wall clock, ms since epoch
  uint64_t queued_packets = 0;
  int64_t queued_bytes = 0;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  uint64_t requests = 0;  // client writes it forwarded
  int64_t last_zxid = 0;  // the last zxid it acknowledged
};

// A data watch as wchc/wchp list it: the session of the connection that set it.
struct WatchSnapshot {
  int64_t session_id = 0;
  ConnectionId connection = 0;  // wchp orders a path's sessions by connection
  std::string path;
};

// What a snapshot request copies besides the counters, and where a piecewise copy resumes.
struct SnapshotRequest {
  bool connections = false;  // every connection (stat, cons, dump, admin connections/stats)
  bool sessions = false;     // every session id and timeout (dump)
  bool ephemerals = false;   // every ephemeral path by session (dump)
  bool watches = false;      // every data watch (wchc, wchp)

  // Where the previous piece stopped (ServerSnapshot::next); the default is the start.
  // Sessions and ephemerals resume by key in their ordered tables; watches by hash bucket
  // (state::WatchRegistry::walk_data_watches).
  struct Cursor {
    bool head_done = false;  // counters and connections were taken
    bool sessions_done = false;
    std::optional<int64_t> session;  // the session being copied
    bool session_row_done = false;   // its (id, timeout) was copied
    std::string after_ephemeral;     // its ephemerals up to this one were copied
    bool watches_done = false;
    uint64_t watch_bucket = 0;
    uint64_t watch_buckets = 0;
  } from;

  bool lists_anything() const { return connections || sessions || ephemerals || watches; }
};

struct ServerSnapshot {
  std::string version;              // e.g. "3.8.0-paddock-0.1.0, built on ..."
  std::string mode = "standalone";  // standalone, leader, follower, observer
  int64_t server_id = 0;
  int64_t last_zxid = 0;
  uint64_t node_count = 0;
  int64_t approximate_data_size = 0;
  LatencyStats latency;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  uint64_t outstanding_requests = 0;
  uint64_t connection_count = 0;  // listed in `connections` or not
  uint64_t session_count = 0;     // global sessions
  uint64_t ephemerals_count = 0;
  uint64_t watch_count = 0;           // mntr: every (table, path, connection) entry
  uint64_t data_watch_count = 0;      // wchs "Total watches": data-table entries
  uint64_t watched_paths = 0;         // wchs: paths with a data watch
  uint64_t watching_connections = 0;  // wchs: connections with a data watch
  int64_t max_request_bytes = 0;      // jute.maxbuffer
  proto::AclList root_acl;            // the root znode's ACL (admin commands' authorization)

  // Distributions since start or the last srst (metrics, mntr), copied in O(1).
  ValueHistogram read_latency_ms;    // reads and other non-writes answered (pings aside)
  ValueHistogram update_latency_ms;  // writes answered (a txn's or its error)
  ValueHistogram frames_per_batch;   // client frames per network batch the pipeline took
  ValueHistogram frames_per_turn;    // reply and event frames sent per pipeline turn
  uint64_t pipeline_turns = 0;       // turns that sent something

  // Figures of the parts around the pipeline, added on the pipeline thread by
  // PipelineOptions::add_figures from counters those parts keep (never a table walk).
  struct Durability {
    ValueHistogram fsync_ms;              // each fdatasync of the txn log
    ValueHistogram group_commit_records;  // records per log batch (one write, one sync)
    ValueHistogram snapshot_ms;           // each snapshot written
    uint64_t log_bytes = 0;               // written to log segments
    uint64_t snapshots_written = 0;
  };
  Durability durability;
  uint64_t network_loop_turns = 0;  // client-port loop turns that handed frames over
  uint64_t connection_drops = 0;     // connections the client ended (connection_drop_count)
  uint64_t connections_rejected = 0;  // refused at accept by maxClientCnxns
  uint64_t connection_requests = 0;  // ConnectRequests handled (connection_request_count)
  uint64_t sessions_expired = 0;     // sessions this server expired (stale_sessions_expired)

  // Tables, filled only as the SnapshotRequest asked.
  std::vector<ConnectionSnapshot> connections;
  std::vector<std::pair<int64_t, int32_t>> sessions;  // id, timeout; by id
  std::vector<SessionPath> ephemerals;                // by session, then path
  // In no particular order; a watch may appear twice (see walk_data_watches).
  std::vector<WatchSnapshot> watches;
  // False: a piece; ask again with `next` for the rest (server/snapshot_pieces.h).
  bool complete = true;
  SnapshotRequest::Cursor next;

  std::vector<std::pair<std::string, std::string>> config;  // conf, in order
  std::string data_dir;
  std::string data_log_dir;
  uint64_t fsync_threshold_exceeded = 0;
  uint64_t log_fsyncs = 0;
  bool read_only = false;
  bool serving = true;  // false: an ensemble member between leaders
  // The snapshot written last, or the one the state was loaded from when none was written
  // since (ZooKeeper's last_snapshot command); -1 and empty when there is none.
  int64_t last_snapshot_zxid = -1;
  std::string last_snapshot_path;

  // An ensemble member's figures (mntr, srvr, the admin commands); absent when standalone.
  struct Quorum {
    int64_t leader_id = 0;  // -1 while looking
    int64_t epoch = 0;      // currentEpoch
    int64_t accepted_epoch = 0;
    int64_t last_committed_zxid = 0;
    int64_t election_round = 0;
    std::string peer_state;  // "leading - broadcast", "following - synchronization", ...
    uint64_t learners = 0;  // leader: learner connections known to the core
    uint64_t synced_followers = 0;
    uint64_t synced_observers = 0;
    uint64_t pending_syncs = 0;
    uint64_t quorum_size = 0;  // voting members
    uint64_t proposals_in_flight = 0;
    int64_t last_proposal_size = -1;  // bytes of the txns proposed (leader; -1: none yet)
    int64_t min_proposal_size = -1;
    int64_t max_proposal_size = -1;
    // ZooKeeper's ServerMetrics for a quorum member (ensemble/ensemble_figures.h).
    uint64_t looking_count = 0;    // times this member entered LOOKING
    uint64_t proposal_count = 0;   // leader: txns proposed
    uint64_t commit_count = 0;     // leader: txns committed
    uint64_t diff_count = 0;       // leader: learner syncs by DIFF
    uint64_t snap_count = 0;       // leader: learner syncs by SNAP
    uint64_t learner_proposal_received_count = 0;
    uint64_t learner_commit_received_count = 0;
    int64_t leader_uptime_ms = -1;        // ms since this member became a serving leader
    ValueHistogram election_time_ms;       // LOOKING to the decision
    ValueHistogram quorum_ack_latency_ms;  // leader: proposal to its quorum of ACKs
    ValueHistogram follower_sync_time_ms;  // follower: decision to UPTODATE
    ValueHistogram observer_sync_time_ms;
    // Who this member is (the admin zabstate and voting_view commands).
    int64_t my_id = 0;
    std::string quorum_address;    // host:port of its quorum port
    std::string election_address;  // host:port of its election port
    bool voting = false;           // a participant, not an observer
    // The voting members as ZooKeeper prints a QuorumServer: host:2888:3888:participant;...
    std::vector<std::pair<int64_t, std::string>> voting_members;
    // Leader: its synced observers (the admin `observers` command). The ensemble adapter
    // does not fill it yet, so a leader lists none while `synced_observers` counts them.
    std::vector<LearnerSnapshot> observers;
  };
  std::optional<Quorum> quorum;
};

}  // namespace paddock::pipeline
