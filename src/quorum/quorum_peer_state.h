#pragma once
// Private to quorum_peer*.cc: the leader's and the learner's per-role state.
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "quorum/quorum_peer.h"

namespace paddock::quorum {

// The leader's view of one learner (ZooKeeper's LearnerHandler).
struct LearnerHandler {
  enum class Phase {
    kAwaitEpoch,         // FOLLOWERINFO in; LEADERINFO once the epoch is decided
    kAwaitAckEpoch,      // LEADERINFO sent
    kAwaitSync,          // ACKEPOCH in; the sync is generated when the Ready is taken
    kAwaitLogRead,       // its DIFF is being read from the log files (Ready::log_reads)
    kAwaitNewLeaderAck,  // sync and NEWLEADER sent
    kAwaitUpToDate,      // NEWLEADER acked; UPTODATE when the leader serves
    kBroadcast,          // UPTODATE sent
  };
  Sid sid = 0;
  bool observer = false;
  Phase phase = Phase::kAwaitEpoch;
  int64_t accepted_epoch = 0;
  Zxid peer_last_zxid = 0;
  // The learner's currentEpoch, from its LearnerInfo (a Paddock learner) or its ACKEPOCH;
  // -1 when unknown (a ZooKeeper learner re-acking an epoch). A learner that
  // accepted a NEWLEADER by SNAP holds no history below that snapshot, whose zxid lies in an
  // earlier epoch: it cannot be truncated into an epoch older than this one.
  int64_t peer_current_epoch = -1;
  // A DIFF from the log files (kAwaitLogRead): the read asked for, the last txn committed
  // then (the committed log keeps every one after it until the answer is in, and the read
  // is issued once it is durable here), and the answer, taken by the sync's generation.
  uint64_t log_read_id = 0;
  Zxid log_read_through = 0;
  size_t log_read_max_bytes = 0;
  bool log_read_issued = false;
  std::optional<Result<std::vector<LoggedTxn>>> log_read;
  bool forwarding = false;    // gets proposals/commits (or informs)
  int64_t last_heard_ms = 0;  // for the read timeout and the synced check
};

struct QuorumPeer::LeaderState {
  enum class Phase { kDiscovery, kAwaitEpochAcks, kAwaitNewLeaderAcks, kBroadcast };
  Phase phase = Phase::kDiscovery;
  int64_t epoch = 0;  // 0 until a quorum reported its accepted epoch
  int64_t max_accepted = 0;
  std::set<Sid> connecting;      // participants that reported their accepted epoch
  std::set<Sid> electing;        // participants that acked the new epoch
  std::set<Sid> newleader_acks;  // participants that acked NEWLEADER
  int64_t phase_deadline_ms = 0;
  std::map<Sid, LearnerHandler> learners;
  std::map<Zxid, std::set<Sid>> acks;  // per outstanding proposal
  Zxid last_allocated = 0;
  Zxid last_proposed = 0;
  std::deque<std::pair<Zxid, Sid>> pending_syncs;  // answered once zxid commits
  int64_t next_ping_ms = 0;
  bool tick_skip = true;
};

struct QuorumPeer::LearnerState {
  enum class Phase {
    kConnecting,       // dialing the leader
    kAwaitLeaderInfo,  // FOLLOWERINFO sent
    kAwaitSync,        // ACKEPOCH sent; DIFF/TRUNC/SNAP next
    kSyncing,          // taking the sync; NEWLEADER next
    kAwaitPersist,     // NEWLEADER in; ACK once the synced txns are durable
    kAwaitUpToDate,    // NEWLEADER acked
    kServing,          // UPTODATE in
  };
  Sid leader = 0;
  bool observer = false;
  Phase phase = Phase::kConnecting;
  int64_t new_epoch = 0;
  int64_t deadline_ms = 0;    // connect deadline while kConnecting
  int64_t last_heard_ms = 0;  // read timeout afterwards
  std::deque<Zxid> to_ack;    // logged proposals to ACK once durable and serving
  // After SNAP and until NEWLEADER the snapshot is only in memory: txns are held, not logged,
  // and an abort goes back to what was durable before.
  bool snapshot_unsaved = false;
  std::vector<LoggedTxn> held;
  Zxid saved_last_logged = 0;
  Zxid saved_last_persisted = 0;
  std::optional<CommittedLog> saved_committed_log;
  std::map<int64_t, int32_t> touches;
};

}  // namespace paddock::quorum
