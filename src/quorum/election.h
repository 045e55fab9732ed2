#pragma once
// Fast leader election as ZooKeeper 3.8's FastLeaderElection, as a pure state machine: the
// caller hands it notifications and the time, it hands back notifications to send and, once
// the round ends, the decided vote. No threads, queues or clock of its own.
//
// Rules kept from ZooKeeper (ZK-FORMATS.md section 1):
// - a vote is (leader, zxid, election epoch, peer epoch); order: peer epoch, zxid, sid; a
//   candidate that is not a voter (weight 0, e.g. an observer or Long.MIN_VALUE) never wins;
// - a higher election epoch in a LOOKING notification is adopted and clears the tally;
// - when a quorum agrees on our proposal we wait finalize_wait (200 ms) for anything better;
// - with no notification for not_timeout we resend, not_timeout doubling from 200 ms to 60 s;
// - FOLLOWING/LEADING notifications let a server join an established leader: a quorum naming
//   L (same peer epoch) plus L itself saying LEADING;
// - a server that is not LOOKING answers LOOKING notifications with its current vote, and a
//   LOOKING server answers LOOKING notifications of an older round with its proposal.
// One deliberate difference: an observer never answers a voter's notification (ZooKeeper's
// does, and a voter answers every observer notification, so the two echo each other while
// the voter looks; the answer is useless to the voter, which ignores observers' votes).
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "quorum/messages.h"
#include "quorum/quorum_verifier.h"

namespace paddock::quorum {

struct Vote {
  Sid leader = 0;
  Zxid zxid = 0;
  int64_t election_epoch = 0;
  int64_t peer_epoch = 0;
  ServerState state = ServerState::kLooking;
  int32_t version = 2;
  friend bool operator==(const Vote&, const Vote&) = default;
};

// Vote.equals of ZooKeeper: full comparison if either side is LOOKING, else (leader, peer
// epoch) only.
bool same_vote(const Vote& a, const Vote& b);
// totalOrderPredicate: whether (id, zxid, epoch) beats (cur_id, cur_zxid, cur_epoch).
bool vote_beats(const QuorumVerifier& qv, Sid id, Zxid zxid, int64_t epoch, Sid cur_id,
                Zxid cur_zxid, int64_t cur_epoch);

struct ElectionTimeouts {
  int64_t finalize_wait_ms = 200;
  int64_t max_notification_interval_ms = 60000;
};

struct OutgoingNotification {
  Sid to = 0;
  Notification message;
  friend bool operator==(const OutgoingNotification&, const OutgoingNotification&) = default;
};

class FastLeaderElection {
 public:
  static constexpr int64_t kMinValue = std::numeric_limits<int64_t>::min();

  // `config_text` goes into every notification (ZooKeeper peers parse it).
  FastLeaderElection(Sid self, const QuorumVerifier& qv, std::string config_text = {},
                     ElectionTimeouts timeouts = {});

  // Starts a new round (logicalclock + 1) proposing ourselves with our last logged zxid and
  // current epoch (observers propose Long.MIN_VALUE). Sends to every voter.
  void start(Zxid last_logged, int64_t current_epoch, int64_t now_ms,
             std::vector<OutgoingNotification>& out);
  // A notification from `from`. `my_state` is the peer's state: when it is not LOOKING the
  // election only answers. Returns the decided vote when the round ends.
  std::optional<Vote> receive(Sid from, const Notification& n, ServerState my_state, int64_t now_ms,
                              std::vector<OutgoingNotification>& out);
  // Time passes: resends with back-off, or ends the finalize wait with a decision.
  std::optional<Vote> tick(int64_t now_ms, std::vector<OutgoingNotification>& out);

  // The vote answered while FOLLOWING/LEADING/OBSERVING (after a decision, or updated with
  // the new epoch once synced).
  void set_current_vote(const Vote& vote) { current_ = vote; }
  const Vote& current_vote() const { return current_; }
  const Vote& proposal() const { return proposal_; }
  int64_t logical_clock() const { return logical_clock_; }
  bool looking() const { return looking_; }
  void stop() { looking_ = false; }
  // The voters this server has a live election connection with, as its transport sees
  // them (nullopt: unknown, as in the simulator). Once every one of them and this server
  // voted for our proposal in this round, the finalize wait is cut short: no better vote
  // can come before another voter connects, and one that connects later finds the leader
  // established. (ZooKeeper always waits finalizeWait, 200 ms, after a quorum agrees; with
  // a leader killed, that wait was most of the fail-over.)
  void set_connected_voters(std::optional<std::set<Sid>> voters) {
    connected_voters_ = std::move(voters);
  }

 private:
  Notification notification(const Vote& v, ServerState state) const;
  void send_to_voters(std::vector<OutgoingNotification>& out);
  void update_proposal(Sid leader, Zxid zxid, int64_t epoch);
  std::optional<Vote> receive_looking(Sid from, const Notification& n, int64_t now_ms,
                                      std::vector<OutgoingNotification>& out);
  std::optional<Vote> receive_established(Sid from, const Notification& n);
  bool has_quorum_for(const std::map<Sid, Vote>& votes, const Vote& target) const;
  bool every_connected_voter_agrees() const;
  bool check_leader(const std::map<Sid, Vote>& votes, Sid leader, int64_t election_epoch) const;
  Vote decide(Sid leader, Zxid zxid, int64_t peer_epoch, bool use_proposal_zxid);

  Sid self_;
  const QuorumVerifier& qv_;
  std::string config_text_;
  ElectionTimeouts timeouts_;
  bool observer_;
  bool looking_ = false;
  int64_t logical_clock_ = 0;
  Zxid init_zxid_ = 0;
  int64_t init_epoch_ = 0;
  Vote proposal_;
  Vote current_;
  std::map<Sid, Vote> recvset_;
  std::map<Sid, Vote> outofelection_;
  int64_t not_timeout_ms_ = 200;
  int64_t resend_at_ms_ = 0;
  std::optional<int64_t> finalize_deadline_ms_;
  std::optional<std::set<Sid>> connected_voters_;
};

}  // namespace paddock::quorum
