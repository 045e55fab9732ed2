#pragma once
// QuorumPeer: one server's side of ZooKeeper 3.8's replication (fast leader election,
// discovery, synchronisation, broadcast) as a deterministic state machine in the manner of
// etcd's raft library. Inputs are the step/tick/propose/persisted calls below; outputs
// collect in a Ready that the adapter takes with ready(), carries out in field order, and
// acknowledges with advance(). No I/O, no clock reads, no randomness: time comes in with
// tick(), durability with persisted(), txns older than the committed log with log_read().
//
// Persist-before-send is in the shape of the outputs: an ACK for a proposal is produced only
// by persisted(); ACKEPOCH and the NEWLEADER ACK come in the same Ready as the epoch they
// depend on, which the adapter writes before sending; the NEWLEADER ACK waits until every
// txn of the sync is durable (ZOOKEEPER-3911, 4646, 4643, 4785).
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "quorum/committed_log.h"
#include "quorum/election.h"
#include "quorum/messages.h"
#include "quorum/payloads.h"
#include "quorum/quorum_verifier.h"
#include "quorum/ready.h"
#include "util/result.h"

namespace paddock::quorum {

struct PeerConfig {
  Sid sid = 0;
  std::set<Sid> participants;          // voting members (may include sid)
  std::set<Sid> observers;             // non-voting members (may include sid)
  int64_t tick_ms = 2000;              // tickTime
  int32_t init_limit = 10;             // ticks to connect and sync
  int32_t sync_limit = 5;              // ticks a synced peer may stay silent
  size_t commit_log_count = 500;       // zookeeper.commitLogCount (paddockd: at least 500)
  double snapshot_size_factor = 0.33;  // zookeeper.snapshotSizeFactor (< 0: never DIFF from log)
  std::string config_text;             // sent in notifications and NEWLEADER
  ElectionTimeouts election;
  // The highest zxid counter a leader may use; reaching it forces a new election (and
  // epoch), as ZooKeeper does at 0xffffffff. Lower only in tests.
  int64_t zxid_counter_limit = 0xffffffffLL;
};

// What the durable layer recovered at start.
struct PeerBootstrap {
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;
  Zxid last_logged = 0;           // the state has every logged txn applied (ZooKeeper loads so)
  std::vector<LoggedTxn> recent;  // the last txns replayed at load, for the committed log
};

class QuorumPeer {
 public:
  QuorumPeer(PeerConfig config, PeerBootstrap boot, const StateSize& state_size, int64_t now_ms);
  ~QuorumPeer();
  QuorumPeer(const QuorumPeer&) = delete;
  QuorumPeer& operator=(const QuorumPeer&) = delete;

  // --- inputs ------------------------------------------------------------------------------
  void step(Sid from, const Notification& n);  // election port
  void step(Sid from, const QuorumPacket& p);  // quorum port (connection to/from `from`)
  // Quorum-port connection events. The leader learns a learner's sid from its first packet
  // (FOLLOWERINFO/OBSERVERINFO); the adapter reports connected() then, or not at all.
  void connected(Sid peer);
  void disconnected(Sid peer);
  void tick(int64_t now_ms);
  // The voters with a live election connection now (see FastLeaderElection::
  // set_connected_voters); adapters that know it make elections end sooner.
  void election_links(std::set<Sid> connected) { election_.set_connected_voters(std::move(connected)); }
  void persisted(Zxid zxid);  // every appended txn with zxid <= this is durable
  // Leader: the answer to Ready::log_reads' read `id` (an answer nobody waits for any more,
  // as after the learner left, is dropped).
  void log_read(uint64_t id, Result<std::vector<LoggedTxn>> txns);

  // Leader, serving: reserve the next zxid for a txn being prepared, then propose its bytes
  // (in the order reserved). Fails when not a serving leader; reaching the counter limit
  // forces a new election.
  Result<Zxid> allocate_zxid();
  Status propose(Zxid zxid, std::string txn_bytes);
  // Answer a sync from `learner` (or from this leader's own client when learner == sid): a
  // SYNC (or syncs_completed) once every proposal made so far has committed.
  void answer_sync(Sid learner);
  // Leader: the session authority's answer to a RevalidateQuery.
  void revalidated(Sid learner, int64_t session_id, bool valid);

  // Learner, serving: relay a client write (or sync) to the leader; a session this server
  // served (sent with the next PING reply); a session that moved here.
  Status forward(const ForwardedRequest& request);
  void touch(int64_t session_id, int32_t timeout_ms);
  Status revalidate(int64_t session_id, int32_t timeout_ms);

  // --- outputs -----------------------------------------------------------------------------
  bool has_ready() const { return !ready_.empty() || has_pending_sync_generation(); }
  Ready ready();
  void advance();

  // --- introspection -----------------------------------------------------------------------
  Role role() const { return role_; }
  bool serving() const { return serving_; }
  Sid leader() const { return leader_sid_; }
  Sid sid() const { return config_.sid; }
  int64_t accepted_epoch() const { return accepted_epoch_; }
  int64_t current_epoch() const { return current_epoch_; }
  Zxid last_logged() const { return last_logged_; }
  Zxid last_committed() const { return last_committed_; }
  Zxid last_persisted() const { return last_persisted_; }
  const FastLeaderElection& election() const { return election_; }
  // Learners synced with this leader (followers, observers), for mntr.
  size_t synced_followers() const;
  size_t synced_observers() const;
  size_t learner_count() const;  // leader: learners connected, in any phase
  size_t pending_syncs() const;

  // Per-role state, defined in quorum_peer_state.h (private to the core's .cc files).
  struct LeaderState;
  struct LearnerState;

 private:
  // common (quorum_peer.cc)
  void start_election(const char* why);
  void on_decision(const Vote& vote);
  void set_role(Role role, Sid leader, int64_t epoch, bool serving);
  void reload_uncommitted();
  void send(Sid to, QuorumPacket p);
  void write_accepted_epoch(int64_t epoch);
  void write_current_epoch(int64_t epoch);
  void commit_txn(LoggedTxn txn);
  bool has_pending_sync_generation() const;
  void process_deferred();

  // leader (quorum_peer_leader.cc)
  void lead(const Vote& vote);
  void leader_step(Sid from, const QuorumPacket& p);
  void leader_on_info(Sid from, const QuorumPacket& p);
  void leader_on_ack_epoch(Sid from, const QuorumPacket& p);
  void leader_on_ack(Sid from, Zxid zxid);
  void leader_maybe_decide_epoch();
  void leader_maybe_finish_epoch_acks();
  void leader_maybe_start_serving();
  void leader_try_commit();
  void leader_tick();
  // Whether learners' syncs may be generated: once a quorum acknowledged the epoch.
  bool leader_may_sync() const;
  void leader_generate_syncs();
  void leader_generate_sync(Sid sid);
  // A txn for a learner's sync: from the in-memory committed log (its bytes are copied) or
  // read from the log files for this sync alone (its bytes are moved into the packet).
  class SyncTxn {
   public:
    static SyncTxn copied(const LoggedTxn& txn) { return SyncTxn(&txn, nullptr); }
    static SyncTxn moved(LoggedTxn& txn) { return SyncTxn(&txn, &txn); }
    Zxid zxid() const { return txn_->zxid; }
    std::string take_bytes() const { return owned_ ? std::move(owned_->bytes) : txn_->bytes; }

   private:
    SyncTxn(const LoggedTxn* txn, LoggedTxn* owned) : txn_(txn), owned_(owned) {}
    const LoggedTxn* txn_;
    LoggedTxn* owned_;  // set when the bytes may be moved (taken at most once)
  };
  bool leader_queue_committed(Sid sid, const std::vector<SyncTxn>& txns, Zxid peer, Zxid max);
  // A DIFF from the log files: asked of the adapter, answered by log_read().
  void leader_request_log_read(Sid sid);
  void leader_issue_log_reads();  // those whose txns are durable here by now
  std::optional<Zxid> committed_log_keep_after() const;
  void leader_drop_learner(Sid sid, const char* why);
  void forget_learner(Sid sid);
  void step_down(const char* why);

  // learner (quorum_peer_learner.cc)
  void learn(const Vote& vote);
  void learner_step(const QuorumPacket& p);
  void learner_on_leader_info(const QuorumPacket& p);
  void learner_on_proposal(Zxid zxid, std::string bytes, bool inform);
  void learner_on_commit(Zxid zxid);
  void learner_on_new_leader(const QuorumPacket& p);
  void learner_on_up_to_date();
  void learner_maybe_ack();
  void learner_tick();
  void learner_fail(const char* why);

  PeerConfig config_;
  MajorityQuorum qv_;
  const StateSize& state_size_;
  FastLeaderElection election_;
  CommittedLog committed_log_;
  int64_t now_ms_;

  int64_t accepted_epoch_;
  int64_t current_epoch_;
  Zxid last_logged_;
  Zxid last_persisted_;
  Zxid last_committed_;
  // Logged txns not (yet) known committed, in zxid order: the leader's outstanding proposals,
  // a learner's proposals waiting for COMMIT.
  std::deque<LoggedTxn> uncommitted_;

  Role role_ = Role::kLooking;
  bool serving_ = false;
  Sid leader_sid_ = 0;
  std::unique_ptr<LeaderState> leading_;
  std::unique_ptr<LearnerState> learning_;

  Ready ready_;
  bool ready_out_ = false;
  // Leader packets held back while the current Ready carries txns: a TRUNC or SNAP must be
  // carried out on a log and state with nothing else pending.
  std::deque<std::pair<Sid, QuorumPacket>> deferred_;
  uint64_t last_log_read_id_ = 0;
};

}  // namespace paddock::quorum
