// QuorumPeer as follower or observer: ZooKeeper's Learner (registerWithLeader,
// syncWithLeader) and Follower/Observer processing, with the fixes for ZOOKEEPER-3911, 4394,
// 4643, 4646 and 4785: every txn of the sync is durable before the NEWLEADER ACK and
// currentEpoch is written only then.
#include <algorithm>

#include "quorum/quorum_peer.h"
#include "quorum/quorum_peer_state.h"
#include "util/assert.h"

namespace paddock::quorum {

using Phase = QuorumPeer::LearnerState::Phase;

void QuorumPeer::learn(const Vote& vote) {
  learning_ = std::make_unique<LearnerState>();
  LearnerState& s = *learning_;
  s.leader = vote.leader;
  s.observer = qv_.is_observer(config_.sid);
  s.deadline_ms = now_ms_ + config_.init_limit * config_.tick_ms;
  set_role(s.observer ? Role::kObserving : Role::kFollowing, vote.leader, 0, false);
  ready_.dial.push_back(vote.leader);
}

void QuorumPeer::learner_fail(const char* why) { start_election(why); }

void QuorumPeer::learner_tick() {
  LearnerState& s = *learning_;
  if (s.phase == Phase::kConnecting) {
    if (now_ms_ >= s.deadline_ms) learner_fail("could not connect to the leader");
    return;
  }
  int64_t limit =
      (s.phase == Phase::kServing ? config_.sync_limit : config_.init_limit) * config_.tick_ms;
  if (now_ms_ - s.last_heard_ms > limit) learner_fail("read timeout from the leader");
}

void QuorumPeer::learner_step(const QuorumPacket& p) {
  LearnerState& s = *learning_;
  s.last_heard_ms = now_ms_;
  bool synced = s.phase >= Phase::kSyncing;
  switch (p.type) {
    case PacketType::kLeaderInfo:
      if (s.phase == Phase::kAwaitLeaderInfo) return learner_on_leader_info(p);
      break;
    case PacketType::kDiff:
    case PacketType::kTrunc:
    case PacketType::kSnap:
      if (s.phase != Phase::kAwaitSync) break;
      s.phase = Phase::kSyncing;
      if (p.type == PacketType::kTrunc) {
        // Drop what the quorum never committed: the log and the state go back to p.zxid.
        if (p.zxid > last_logged_) return learner_fail("TRUNC above our last zxid");
        ready_.truncate_to = p.zxid;
        last_logged_ = last_committed_ = p.zxid;
        last_persisted_ = std::min(last_persisted_, p.zxid);
        committed_log_.drop_after(p.zxid);
      } else if (p.type == PacketType::kSnap) {
        s.snapshot_unsaved = true;
        s.saved_last_logged = last_logged_;
        s.saved_last_persisted = last_persisted_;
        s.saved_committed_log = committed_log_;
        ready_.load_snapshot = p.zxid;
        last_logged_ = last_committed_ = last_persisted_ = p.zxid;
        committed_log_.clear();
      }
      return;
    case PacketType::kProposal:
      if (!synced) break;
      // Observers take the sync's PROPOSAL/COMMIT pairs, then only INFORM (ZooKeeper's
      // Observer ignores proposals and commits once serving).
      if (s.observer && s.phase == Phase::kServing) return;
      return learner_on_proposal(p.zxid, p.data.value_or(""), false);
    case PacketType::kCommit:
    case PacketType::kCommitAndActivate:
      if (!synced) break;
      if (s.observer && s.phase == Phase::kServing) return;
      return learner_on_commit(p.zxid);
    case PacketType::kInform:
      if (!synced || !s.observer) break;
      return learner_on_proposal(p.zxid, p.data.value_or(""), true);
    case PacketType::kNewLeader:
      if (s.phase != Phase::kSyncing) break;
      return learner_on_new_leader(p);
    case PacketType::kUpToDate:
      if (s.phase != Phase::kAwaitUpToDate) break;
      return learner_on_up_to_date();
    case PacketType::kPing:
      if (s.phase != Phase::kServing) return;  // ZooKeeper ignores pings while syncing
      {
        std::vector<SessionTouch> touches;
        for (const auto& [session, timeout] : s.touches) touches.push_back({session, timeout});
        s.touches.clear();
        send(s.leader, QuorumPacket{PacketType::kPing, p.zxid, encode_touches(touches), {}});
      }
      return;
    case PacketType::kSync:
      if (s.phase == Phase::kServing) ++ready_.syncs_completed;
      return;
    case PacketType::kRevalidate: {
      auto answer = decode_revalidate_answer(p.data.value_or(""));
      if (answer) ready_.revalidate_results.push_back({answer->first, answer->second});
      return;
    }
    default:
      break;
  }
  learner_fail("unexpected packet from the leader");
}

void QuorumPeer::learner_on_leader_info(const QuorumPacket& p) {
  LearnerState& s = *learning_;
  int64_t epoch = zxid_epoch(p.zxid);
  int32_t reply = -1;
  if (epoch > accepted_epoch_) {
    // acceptedEpoch is in this Ready, which the adapter writes before sending ACKEPOCH.
    reply = static_cast<int32_t>(current_epoch_);
    write_accepted_epoch(epoch);
  } else if (epoch < accepted_epoch_) {
    return learner_fail("leader's epoch is older than our accepted epoch");
  }
  s.new_epoch = epoch;
  s.phase = Phase::kAwaitSync;
  send(s.leader, QuorumPacket{PacketType::kAckEpoch, last_logged_, encode_int(reply), {}});
}

void QuorumPeer::learner_on_proposal(Zxid zxid, std::string bytes, bool inform) {
  LearnerState& s = *learning_;
  if (zxid <= last_logged_) return learner_fail("proposal does not follow our last zxid");
  last_logged_ = zxid;
  if (s.snapshot_unsaved) {
    s.held.push_back({zxid, bytes});  // logged once the snapshot is saved, at NEWLEADER
  } else {
    ready_.append.push_back({zxid, bytes});
  }
  if (inform) {
    commit_txn({zxid, std::move(bytes)});
    return;
  }
  uncommitted_.push_back({zxid, std::move(bytes)});
  if (s.phase == Phase::kServing) {
    s.to_ack.push_back(zxid);
    learner_maybe_ack();
  }
}

void QuorumPeer::learner_on_commit(Zxid zxid) {
  if (uncommitted_.empty() || uncommitted_.front().zxid != zxid) {
    // ZooKeeper exits here ("Committing zxid but next pending txn"): our history is not the
    // leader's. Start over with a new sync.
    return learner_fail("COMMIT for a zxid that is not the next pending proposal");
  }
  LoggedTxn txn = std::move(uncommitted_.front());
  uncommitted_.pop_front();
  commit_txn(std::move(txn));
}

void QuorumPeer::learner_on_new_leader(const QuorumPacket& p) {
  LearnerState& s = *learning_;
  if (zxid_epoch(p.zxid) != s.new_epoch) return learner_fail("NEWLEADER for another epoch");
  if (s.snapshot_unsaved) {
    // The snapshot and what committed on top of it become the durable base, then the held
    // txns above it are logged; the ACK waits for them (ZOOKEEPER-3642).
    s.snapshot_unsaved = false;
    s.saved_committed_log.reset();
    ready_.save_snapshot = last_committed_;
    last_persisted_ = last_committed_;
    for (auto& txn : s.held) {
      if (txn.zxid > last_committed_) ready_.append.push_back(std::move(txn));
    }
    s.held.clear();
  }
  s.phase = Phase::kAwaitPersist;
  learner_maybe_ack();
}

void QuorumPeer::learner_on_up_to_date() {
  LearnerState& s = *learning_;
  s.phase = Phase::kServing;
  send(s.leader, QuorumPacket{PacketType::kAck, make_zxid(s.new_epoch, 0), std::nullopt, {}});
  set_role(s.observer ? Role::kObserving : Role::kFollowing, s.leader, s.new_epoch, true);
  Vote v = election_.current_vote();
  v.peer_epoch = s.new_epoch;
  election_.set_current_vote(v);
  // A follower acks the proposals of the sync that are still outstanding (they are durable:
  // the NEWLEADER ACK waited for them, or persisted() will say so).
  if (!s.observer) {
    for (const auto& txn : uncommitted_) s.to_ack.push_back(txn.zxid);
  }
  learner_maybe_ack();
}

void QuorumPeer::learner_maybe_ack() {
  LearnerState& s = *learning_;
  if (s.phase == Phase::kAwaitPersist && last_persisted_ >= last_logged_) {
    // Synced history durable: now currentEpoch, then the ACK (ZOOKEEPER-4643).
    write_current_epoch(s.new_epoch);
    s.phase = Phase::kAwaitUpToDate;
    send(s.leader, QuorumPacket{PacketType::kAck, make_zxid(s.new_epoch, 0), std::nullopt, {}});
    return;
  }
  if (s.phase != Phase::kServing) return;
  while (!s.to_ack.empty() && s.to_ack.front() <= last_persisted_) {
    send(s.leader, QuorumPacket{PacketType::kAck, s.to_ack.front(), std::nullopt, {}});
    s.to_ack.pop_front();
  }
}

Status QuorumPeer::forward(const ForwardedRequest& request) {
  if (!learning_ || learning_->phase != Phase::kServing) {
    return Status::error("not a serving learner");
  }
  send(learning_->leader, encode_request(request));
  return Status::ok();
}

void QuorumPeer::touch(int64_t session_id, int32_t timeout_ms) {
  if (learning_) learning_->touches[session_id] = timeout_ms;
}

Status QuorumPeer::revalidate(int64_t session_id, int32_t timeout_ms) {
  if (!learning_ || learning_->phase != Phase::kServing) {
    return Status::error("not a serving learner");
  }
  send(learning_->leader,
       QuorumPacket{
           PacketType::kRevalidate, -1, encode_revalidate_query(session_id, timeout_ms), {}});
  return Status::ok();
}

}  // namespace paddock::quorum
