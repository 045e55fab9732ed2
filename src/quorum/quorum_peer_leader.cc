// QuorumPeer as leader: discovery (epoch), synchronisation of each learner, broadcast.
// ZooKeeper's Leader and LearnerHandler, without their threads.
#include <algorithm>

#include "quorum/quorum_peer.h"
#include "quorum/quorum_peer_state.h"
#include "util/assert.h"

namespace paddock::quorum {

using HPhase = LearnerHandler::Phase;
using LPhase = QuorumPeer::LeaderState::Phase;

void QuorumPeer::lead(const Vote&) {
  leading_ = std::make_unique<LeaderState>();
  LeaderState& l = *leading_;
  l.max_accepted = accepted_epoch_;
  l.connecting.insert(config_.sid);
  l.phase_deadline_ms = now_ms_ + config_.init_limit * config_.tick_ms;
  set_role(Role::kLeading, config_.sid, 0, false);
  leader_maybe_decide_epoch();
}

void QuorumPeer::step_down(const char* why) { start_election(why); }

void QuorumPeer::forget_learner(Sid sid) {
  // Syncs die with the connection they came on, as with ZooKeeper's LearnerHandler.
  std::erase_if(leading_->pending_syncs, [&](const auto& p) { return p.second == sid; });
  leading_->learners.erase(sid);
}

void QuorumPeer::leader_drop_learner(Sid sid, const char*) {
  forget_learner(sid);
  ready_.hang_up.push_back(sid);
}

void QuorumPeer::leader_step(Sid from, const QuorumPacket& p) {
  LeaderState& l = *leading_;
  if (p.type == PacketType::kFollowerInfo || p.type == PacketType::kObserverInfo) {
    leader_on_info(from, p);
    return;
  }
  auto it = l.learners.find(from);
  if (it == l.learners.end()) return;
  LearnerHandler& h = it->second;
  h.last_heard_ms = now_ms_;
  switch (p.type) {
    case PacketType::kAckEpoch:
      leader_on_ack_epoch(from, p);
      return;
    case PacketType::kAck:
      if (h.phase == HPhase::kAwaitNewLeaderAck && p.zxid == make_zxid(l.epoch, 0)) {
        h.phase = HPhase::kAwaitUpToDate;
        if (l.phase == LPhase::kBroadcast) {
          // A late joiner: the leader serves already.
          h.phase = HPhase::kBroadcast;
          send(from, QuorumPacket{PacketType::kUpToDate, -1, std::nullopt, std::nullopt});
          return;
        }
        if (!h.observer) l.newleader_acks.insert(from);
        leader_maybe_start_serving();
        return;
      }
      if (h.phase == HPhase::kBroadcast && !h.observer) leader_on_ack(from, p.zxid);
      return;
    case PacketType::kPing: {
      auto touches = decode_touches(p.data.value_or(""));
      if (touches) {
        for (auto& t : *touches) ready_.touches.push_back(t);
      }
      return;
    }
    case PacketType::kRequest: {
      auto request = decode_request(p);
      if (request) ready_.requests.push_back({from, std::move(*request)});
      return;
    }
    case PacketType::kRevalidate: {
      auto q = decode_revalidate_query(p.data.value_or(""));
      if (q) ready_.revalidate_queries.push_back({from, q->session_id, q->timeout_ms});
      return;
    }
    default:
      return;  // ZooKeeper logs unexpected packets and goes on
  }
}

void QuorumPeer::leader_on_info(Sid from, const QuorumPacket& p) {
  LeaderState& l = *leading_;
  auto info = decode_learner_info(p.data.value_or(""));
  if (!info) {
    ready_.hang_up.push_back(from);
    return;
  }
  bool observer = p.type == PacketType::kObserverInfo;
  if (observer != qv_.is_observer(from) || (!observer && !qv_.is_voter(from))) {
    ready_.hang_up.push_back(from);  // not a member in that role
    return;
  }
  LearnerHandler h;
  h.sid = from;
  h.observer = observer;
  h.accepted_epoch = zxid_epoch(p.zxid);
  h.peer_current_epoch = info->current_epoch.value_or(-1);
  h.last_heard_ms = now_ms_;
  forget_learner(from);  // a new connection replaces the old one
  l.learners[from] = h;
  if (l.epoch == 0) {
    l.max_accepted = std::max(l.max_accepted, h.accepted_epoch);
    if (!observer) l.connecting.insert(from);
    leader_maybe_decide_epoch();
    return;
  }
  if (h.accepted_epoch > l.epoch && l.phase == LPhase::kBroadcast) {
    // It accepted a newer epoch from a leader that never got established, and will never
    // follow an older one. ZooKeeper leaves it cycling between election and this leader
    // until the epoch ends; ending it now lets the next election pick an epoch above both.
    step_down("a learner accepted a newer epoch");
    return;
  }
  // The epoch is decided: LEADERINFO at once (late joiners too).
  l.learners[from].phase = HPhase::kAwaitAckEpoch;
  send(from,
       QuorumPacket{
           PacketType::kLeaderInfo, make_zxid(l.epoch, 0), encode_int(kQuorumProtocolVersion), {}});
}

void QuorumPeer::leader_maybe_decide_epoch() {
  LeaderState& l = *leading_;
  if (l.epoch != 0 || !qv_.contains_quorum(l.connecting)) return;
  // New epoch = the highest accepted epoch reported (the leader's own included) + 1.
  l.epoch = l.max_accepted + 1;
  write_accepted_epoch(l.epoch);
  l.phase = LPhase::kAwaitEpochAcks;
  l.phase_deadline_ms = now_ms_ + config_.init_limit * config_.tick_ms;
  l.last_allocated = l.last_proposed = make_zxid(l.epoch, 0);
  l.electing.insert(config_.sid);
  for (auto& [sid, h] : l.learners) {
    h.phase = HPhase::kAwaitAckEpoch;
    send(sid, QuorumPacket{PacketType::kLeaderInfo,
                           make_zxid(l.epoch, 0),
                           encode_int(kQuorumProtocolVersion),
                           {}});
  }
  leader_maybe_finish_epoch_acks();
}

void QuorumPeer::leader_on_ack_epoch(Sid from, const QuorumPacket& p) {
  LeaderState& l = *leading_;
  LearnerHandler& h = l.learners.at(from);
  if (h.phase != HPhase::kAwaitAckEpoch) return;
  auto current = decode_int(p.data.value_or(""));
  if (!current) {
    leader_drop_learner(from, "malformed ACKEPOCH");
    return;
  }
  h.peer_last_zxid = p.zxid;
  if (*current != -1) h.peer_current_epoch = *current;
  if (l.phase == LPhase::kAwaitEpochAcks && *current != -1) {
    // A learner with a more recent history than ours cannot follow us.
    bool ahead = *current > current_epoch_ || (*current == current_epoch_ && p.zxid > last_logged_);
    if (ahead) {
      leader_drop_learner(from, "follower is ahead of the leader");
      return;
    }
    if (!h.observer) l.electing.insert(from);
  }
  h.phase = HPhase::kAwaitSync;
  if (l.phase == LPhase::kAwaitEpochAcks) leader_maybe_finish_epoch_acks();
}

void QuorumPeer::leader_maybe_finish_epoch_acks() {
  LeaderState& l = *leading_;
  if (l.phase != LPhase::kAwaitEpochAcks || !qv_.contains_quorum(l.electing)) return;
  l.phase = LPhase::kAwaitNewLeaderAcks;
  l.phase_deadline_ms = now_ms_ + config_.init_limit * config_.tick_ms;
  write_current_epoch(l.epoch);
  set_role(Role::kLeading, config_.sid, l.epoch, false);
  // The leader acks its own NEWLEADER once its history is durable.
  if (last_persisted_ >= last_logged_) l.newleader_acks.insert(config_.sid);
  leader_maybe_start_serving();
}

void QuorumPeer::leader_maybe_start_serving() {
  LeaderState& l = *leading_;
  if (l.phase != LPhase::kAwaitNewLeaderAcks || !qv_.contains_quorum(l.newleader_acks)) return;
  l.phase = LPhase::kBroadcast;
  l.next_ping_ms = now_ms_;
  set_role(Role::kLeading, config_.sid, l.epoch, true);
  Vote v = election_.current_vote();
  v.peer_epoch = l.epoch;
  election_.set_current_vote(v);
  for (auto& [sid, h] : l.learners) {
    if (h.phase == HPhase::kAwaitUpToDate) {
      h.phase = HPhase::kBroadcast;
      send(sid, QuorumPacket{PacketType::kUpToDate, -1, std::nullopt, std::nullopt});
    }
  }
}

void QuorumPeer::leader_on_ack(Sid from, Zxid zxid) {
  LeaderState& l = *leading_;
  if (from == config_.sid && l.phase == LPhase::kAwaitNewLeaderAcks &&
      last_persisted_ >= last_logged_) {
    l.newleader_acks.insert(config_.sid);
    leader_maybe_start_serving();
  }
  if (l.phase != LPhase::kBroadcast) return;
  if (from == config_.sid) {
    // persisted(zxid) covers every outstanding proposal up to zxid.
    for (auto& [z, acks] : l.acks) {
      if (z <= zxid) acks.insert(from);
    }
  } else {
    auto it = l.acks.find(zxid);
    if (it == l.acks.end()) return;  // already committed, or never proposed
    it->second.insert(from);
  }
  leader_try_commit();
}

void QuorumPeer::leader_try_commit() {
  LeaderState& l = *leading_;
  // Commits go in zxid order: a proposal waits for every one before it.
  while (!uncommitted_.empty()) {
    Zxid zxid = uncommitted_.front().zxid;
    auto it = l.acks.find(zxid);
    PADDOCK_ASSERT(it != l.acks.end());
    if (!qv_.contains_quorum(it->second)) return;
    l.acks.erase(it);
    LoggedTxn txn = std::move(uncommitted_.front());
    uncommitted_.pop_front();
    for (const auto& [sid, h] : l.learners) {
      if (!h.forwarding) continue;
      if (h.observer) {
        send(sid, QuorumPacket{PacketType::kInform, zxid, txn.bytes, std::nullopt});
      } else {
        send(sid, QuorumPacket{PacketType::kCommit, zxid, std::nullopt, std::nullopt});
      }
    }
    commit_txn(std::move(txn));
    while (!l.pending_syncs.empty() && l.pending_syncs.front().first <= zxid) {
      Sid learner = l.pending_syncs.front().second;
      l.pending_syncs.pop_front();
      answer_sync(learner);
    }
  }
}

Result<Zxid> QuorumPeer::allocate_zxid() {
  if (!leading_ || leading_->phase != LPhase::kBroadcast) {
    return Status::error("not a serving leader");
  }
  LeaderState& l = *leading_;
  int64_t counter = zxid_counter(l.last_allocated) + 1;
  if (counter >= config_.zxid_counter_limit) {
    // ZooKeeper: "zxid lower 32 bits have rolled over, forcing re-election, and therefore
    // new epoch start". The zxid is never used.
    step_down("zxid counter overflow");
    return Status::error("zxid counter exhausted; a new election starts");
  }
  l.last_allocated = make_zxid(l.epoch, counter);
  return l.last_allocated;
}

Status QuorumPeer::propose(Zxid zxid, std::string txn_bytes) {
  if (!leading_ || leading_->phase != LPhase::kBroadcast) {
    return Status::error("not a serving leader");
  }
  LeaderState& l = *leading_;
  if (zxid <= l.last_proposed || zxid > l.last_allocated) {
    return Status::error("proposal out of order");
  }
  PADDOCK_ASSERT(zxid == l.last_proposed + 1);
  l.last_proposed = zxid;
  last_logged_ = zxid;
  l.acks[zxid];
  for (const auto& [sid, h] : l.learners) {
    if (h.forwarding && !h.observer) {
      send(sid, QuorumPacket{PacketType::kProposal, zxid, txn_bytes, std::nullopt});
    }
  }
  ready_.append.push_back({zxid, txn_bytes});
  uncommitted_.push_back({zxid, std::move(txn_bytes)});
  return Status::ok();
}

void QuorumPeer::answer_sync(Sid learner) {
  if (!leading_) return;
  LeaderState& l = *leading_;
  if (!uncommitted_.empty()) {
    l.pending_syncs.emplace_back(l.last_proposed, learner);
    return;
  }
  if (learner == config_.sid) {
    ++ready_.syncs_completed;
  } else if (l.learners.count(learner)) {
    send(learner, QuorumPacket{PacketType::kSync, 0, std::nullopt, std::nullopt});
  }
}

void QuorumPeer::revalidated(Sid learner, int64_t session_id, bool valid) {
  if (!leading_ || !leading_->learners.count(learner)) return;
  send(learner, QuorumPacket{PacketType::kRevalidate, -1,
                             encode_revalidate_answer(session_id, valid), std::nullopt});
}

void QuorumPeer::leader_tick() {
  LeaderState& l = *leading_;
  int64_t sync_ms = config_.sync_limit * config_.tick_ms;
  int64_t init_ms = config_.init_limit * config_.tick_ms;
  if (l.phase != LPhase::kBroadcast) {
    if (now_ms_ >= l.phase_deadline_ms) step_down("timed out establishing the epoch");
    return;
  }
  // Learners silent past their read timeout are dropped, as their handler's socket would be.
  std::vector<Sid> silent;
  for (const auto& [sid, h] : l.learners) {
    int64_t limit = h.phase == HPhase::kBroadcast ? sync_ms : init_ms;
    if (now_ms_ - h.last_heard_ms > limit) silent.push_back(sid);
  }
  for (Sid sid : silent) leader_drop_learner(sid, "read timeout");
  if (now_ms_ >= l.next_ping_ms) {
    l.next_ping_ms = now_ms_ + std::max<int64_t>(1, config_.tick_ms / 2);
    if (!l.tick_skip) {
      std::set<Sid> synced{config_.sid};
      for (const auto& [sid, h] : l.learners) {
        if (!h.observer && now_ms_ - h.last_heard_ms <= sync_ms) synced.insert(sid);
      }
      if (!qv_.contains_quorum(synced)) {
        step_down("not sufficient followers synced");
        return;
      }
    }
    l.tick_skip = !l.tick_skip;
    for (const auto& [sid, h] : l.learners) {
      // Only once its sync is on the wire: a ZooKeeper learner takes anything else before
      // DIFF/TRUNC/SNAP as a protocol error and exits (as its own leader's LearnerHandler,
      // whose sender starts after the sync is queued, never does).
      if (h.phase < HPhase::kAwaitNewLeaderAck) continue;
      send(sid, QuorumPacket{PacketType::kPing, l.last_proposed, std::nullopt, std::nullopt});
    }
  }
}

}  // namespace paddock::quorum
