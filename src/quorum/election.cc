#include "quorum/election.h"

#include <algorithm>
#include <set>

namespace paddock::quorum {

bool same_vote(const Vote& a, const Vote& b) {
  if (a.state == ServerState::kLooking || b.state == ServerState::kLooking) {
    return a.leader == b.leader && a.zxid == b.zxid && a.election_epoch == b.election_epoch &&
           a.peer_epoch == b.peer_epoch;
  }
  if ((a.version > 0) != (b.version > 0)) return a.leader == b.leader;
  return a.leader == b.leader && a.peer_epoch == b.peer_epoch;
}

bool vote_beats(const QuorumVerifier& qv, Sid id, Zxid zxid, int64_t epoch, Sid cur_id,
                Zxid cur_zxid, int64_t cur_epoch) {
  if (!qv.is_voter(id)) return false;  // weight 0 never wins
  if (epoch != cur_epoch) return epoch > cur_epoch;
  if (zxid != cur_zxid) return zxid > cur_zxid;
  return id > cur_id;
}

FastLeaderElection::FastLeaderElection(Sid self, const QuorumVerifier& qv, std::string config_text,
                                       ElectionTimeouts timeouts)
    : self_(self),
      qv_(qv),
      config_text_(std::move(config_text)),
      timeouts_(timeouts),
      observer_(!qv.is_voter(self)) {
  current_ = Vote{observer_ ? kMinValue : self, observer_ ? kMinValue : 0, 0,
                  observer_ ? kMinValue : 0,    ServerState::kLooking,     2};
}

Notification FastLeaderElection::notification(const Vote& v, ServerState state) const {
  return Notification{state, v.leader, v.zxid, v.election_epoch, v.peer_epoch, 2, config_text_};
}

void FastLeaderElection::update_proposal(Sid leader, Zxid zxid, int64_t epoch) {
  proposal_ = Vote{leader, zxid, logical_clock_, epoch, ServerState::kLooking, 2};
}

void FastLeaderElection::send_to_voters(std::vector<OutgoingNotification>& out) {
  for (Sid sid : qv_.voters()) {
    if (sid == self_) {
      // ZooKeeper's notification to itself, taken in at once.
      recvset_[self_] = proposal_;
      continue;
    }
    out.push_back({sid, notification(proposal_, ServerState::kLooking)});
  }
}

void FastLeaderElection::start(Zxid last_logged, int64_t current_epoch, int64_t now_ms,
                               std::vector<OutgoingNotification>& out) {
  looking_ = true;
  ++logical_clock_;
  init_zxid_ = observer_ ? kMinValue : last_logged;
  init_epoch_ = observer_ ? kMinValue : current_epoch;
  recvset_.clear();
  outofelection_.clear();
  finalize_deadline_ms_.reset();
  update_proposal(observer_ ? kMinValue : self_, init_zxid_, init_epoch_);
  not_timeout_ms_ = timeouts_.finalize_wait_ms;
  resend_at_ms_ = now_ms + not_timeout_ms_;
  send_to_voters(out);
  if (has_quorum_for(recvset_, proposal_))
    finalize_deadline_ms_ = now_ms + timeouts_.finalize_wait_ms;
}

bool FastLeaderElection::has_quorum_for(const std::map<Sid, Vote>& votes,
                                        const Vote& target) const {
  std::set<Sid> acks;
  for (const auto& [sid, vote] : votes) {
    if (same_vote(vote, target)) acks.insert(sid);
  }
  return qv_.contains_quorum(acks);
}

bool FastLeaderElection::check_leader(const std::map<Sid, Vote>& votes, Sid leader,
                                      int64_t election_epoch) const {
  if (leader != self_) {
    auto it = votes.find(leader);
    return it != votes.end() && it->second.state == ServerState::kLeading;
  }
  return logical_clock_ == election_epoch;
}

Vote FastLeaderElection::decide(Sid leader, Zxid zxid, int64_t peer_epoch, bool) {
  looking_ = false;
  finalize_deadline_ms_.reset();
  ServerState state = leader == self_ ? ServerState::kLeading
                      : observer_     ? ServerState::kObserving
                                      : ServerState::kFollowing;
  current_ = Vote{leader, zxid, logical_clock_, peer_epoch, state, 2};
  return current_;
}

std::optional<Vote> FastLeaderElection::receive(Sid from, const Notification& n,
                                                ServerState my_state, int64_t now_ms,
                                                std::vector<OutgoingNotification>& out) {
  if (!qv_.is_voter(from)) {
    // An observer (or a stranger): answer with our vote, never count it.
    if (qv_.is_observer(from)) {
      Vote v = current_;
      v.election_epoch = logical_clock_;
      out.push_back({from, notification(v, my_state)});
    }
    return std::nullopt;
  }
  if (my_state != ServerState::kLooking) {
    // An observer does not answer: voters ignore its votes and answer each one, so a LOOKING
    // voter and an observer would echo each other for as long as the voter looks.
    if (n.state == ServerState::kLooking && !observer_) {
      out.push_back({from, notification(current_, my_state)});
    }
    return std::nullopt;
  }
  if (!looking_) return std::nullopt;
  // Bring a voter of an older round up to date. An observer does not: voters ignore its
  // votes and answer each one, so two LOOKING ends of different rounds would echo forever.
  if (!observer_ && n.state == ServerState::kLooking && n.election_epoch < logical_clock_) {
    out.push_back({from, notification(proposal_, ServerState::kLooking)});
  }
  resend_at_ms_ = now_ms + not_timeout_ms_;
  if (!qv_.is_voter(n.leader)) return std::nullopt;
  if (finalize_deadline_ms_) {
    // Inside the finalize wait only a better vote matters; the rest is consumed unseen.
    if (!vote_beats(qv_, n.leader, n.zxid, n.peer_epoch, proposal_.leader, proposal_.zxid,
                    proposal_.peer_epoch)) {
      return std::nullopt;
    }
    finalize_deadline_ms_.reset();
  }
  switch (n.state) {
    case ServerState::kLooking:
      return receive_looking(from, n, now_ms, out);
    case ServerState::kFollowing:
    case ServerState::kLeading:
      return receive_established(from, n);
    case ServerState::kObserving:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Vote> FastLeaderElection::receive_looking(Sid from, const Notification& n,
                                                        int64_t now_ms,
                                                        std::vector<OutgoingNotification>& out) {
  if (n.election_epoch > logical_clock_) {
    logical_clock_ = n.election_epoch;
    recvset_.clear();
    Sid init_id = observer_ ? kMinValue : self_;
    if (vote_beats(qv_, n.leader, n.zxid, n.peer_epoch, init_id, init_zxid_, init_epoch_)) {
      update_proposal(n.leader, n.zxid, n.peer_epoch);
    } else {
      update_proposal(init_id, init_zxid_, init_epoch_);
    }
    send_to_voters(out);
  } else if (n.election_epoch < logical_clock_) {
    return std::nullopt;
  } else if (vote_beats(qv_, n.leader, n.zxid, n.peer_epoch, proposal_.leader, proposal_.zxid,
                        proposal_.peer_epoch)) {
    update_proposal(n.leader, n.zxid, n.peer_epoch);
    send_to_voters(out);
  } else if (!observer_ && vote_beats(qv_, proposal_.leader, proposal_.zxid, proposal_.peer_epoch,
                                      n.leader, n.zxid, n.peer_epoch)) {
    // The sender of a worse vote in our round has not taken ours in: it may have got it
    // while it was still following (and answered it then), before it started looking. Send
    // it again now rather than at the next resend (200 ms later): with a leader killed this
    // race made half of the fail-overs wait for the resend. (ZooKeeper does not answer; its
    // own resend timer covers it.) Proposals only move up, so this cannot echo.
    out.push_back({from, notification(proposal_, ServerState::kLooking)});
  }
  recvset_[from] =
      Vote{n.leader, n.zxid, n.election_epoch, n.peer_epoch, ServerState::kLooking, n.version};
  if (has_quorum_for(recvset_, proposal_)) {
    if (every_connected_voter_agrees()) {
      return decide(proposal_.leader, proposal_.zxid, proposal_.peer_epoch, true);
    }
    finalize_deadline_ms_ = now_ms + timeouts_.finalize_wait_ms;
  }
  return std::nullopt;
}

bool FastLeaderElection::every_connected_voter_agrees() const {
  if (!connected_voters_) return false;
  std::set<Sid> voters = *connected_voters_;
  voters.insert(self_);
  for (Sid sid : voters) {
    if (!qv_.is_voter(sid)) continue;
    auto it = recvset_.find(sid);
    if (it == recvset_.end()) return false;
    const Vote& v = it->second;
    if (v.leader != proposal_.leader || v.zxid != proposal_.zxid ||
        v.peer_epoch != proposal_.peer_epoch) {
      return false;
    }
  }
  return true;
}

std::optional<Vote> FastLeaderElection::receive_established(Sid from, const Notification& n) {
  Vote vote{n.leader, n.zxid, n.election_epoch, n.peer_epoch, n.state, n.version};
  if (n.election_epoch == logical_clock_) {
    recvset_[from] = vote;
    if (has_quorum_for(recvset_, vote) && check_leader(recvset_, n.leader, n.election_epoch)) {
      return decide(n.leader, n.zxid, n.peer_epoch, false);
    }
  }
  // Servers already past the election: join them if a quorum follows L and L leads.
  outofelection_[from] = vote;
  if (has_quorum_for(outofelection_, vote) && check_leader(outofelection_, n.leader, -1)) {
    logical_clock_ = n.election_epoch;
    return decide(n.leader, n.zxid, n.peer_epoch, false);
  }
  return std::nullopt;
}

std::optional<Vote> FastLeaderElection::tick(int64_t now_ms,
                                             std::vector<OutgoingNotification>& out) {
  if (!looking_) return std::nullopt;
  if (finalize_deadline_ms_) {
    // A voter whose connection dropped meanwhile no longer holds the decision up.
    if (now_ms < *finalize_deadline_ms_ && !every_connected_voter_agrees()) return std::nullopt;
    return decide(proposal_.leader, proposal_.zxid, proposal_.peer_epoch, true);
  }
  if (now_ms >= resend_at_ms_) {
    send_to_voters(out);
    not_timeout_ms_ = std::min(not_timeout_ms_ * 2, timeouts_.max_notification_interval_ms);
    resend_at_ms_ = now_ms + not_timeout_ms_;
  }
  return std::nullopt;
}

}  // namespace paddock::quorum
