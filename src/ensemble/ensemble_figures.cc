#include "ensemble/ensemble_figures.h"

namespace paddock::ensemble {

using quorum::PacketType;
using quorum::Role;

void EnsembleFigures::started(int64_t now_ms) {
  role_ = Role::kLooking;
  looking_since_ms_ = now_ms;
  ++looking_count_;
}

void EnsembleFigures::role_changed(const quorum::RoleChange& role, int64_t now_ms) {
  if (role.role == Role::kLooking) {
    if (looking_since_ms_ < 0) {
      looking_since_ms_ = now_ms;
      ++looking_count_;
    }
  } else if (looking_since_ms_ >= 0) {
    // ZooKeeper's election_time: from entering LOOKING to the vote's decision.
    election_time_ms_.record(now_ms - looking_since_ms_);
    looking_since_ms_ = -1;
  }

  const bool learner = role.role == Role::kFollowing || role.role == Role::kObserving;
  if (learner && !role.serving) {
    syncing_since_ms_ = now_ms;
  } else if (learner && role.serving && syncing_since_ms_ >= 0) {
    // From the decision to follow to UPTODATE: the sync with the leader.
    (role.role == Role::kFollowing ? follower_sync_time_ms_ : observer_sync_time_ms_)
        .record(now_ms - syncing_since_ms_);
    syncing_since_ms_ = -1;
  } else if (!learner) {
    syncing_since_ms_ = -1;
  }

  const bool serving_leader = role.role == Role::kLeading && role.serving;
  if (serving_leader && leading_since_ms_ < 0) leading_since_ms_ = now_ms;
  if (!serving_leader) leading_since_ms_ = -1;
  if (role.role != Role::kLeading) proposed_at_.clear();
  role_ = role.role;
}

void EnsembleFigures::proposed(quorum::Zxid zxid, int64_t now_ms) {
  ++proposal_count_;
  proposed_at_.emplace_back(zxid, now_ms);
}

void EnsembleFigures::committed(quorum::Zxid zxid, int64_t now_ms) {
  ++commit_count_;
  while (!proposed_at_.empty() && proposed_at_.front().first < zxid) proposed_at_.pop_front();
  if (!proposed_at_.empty() && proposed_at_.front().first == zxid) {
    quorum_ack_latency_ms_.record(now_ms - proposed_at_.front().second);
    proposed_at_.pop_front();
  }
}

void EnsembleFigures::sent(PacketType type) {
  // As ZooKeeper's LearnerHandler counts a learner's sync: by the packet that starts it.
  if (type == PacketType::kDiff) ++diff_count_;
  if (type == PacketType::kSnap) ++snap_count_;
}

void EnsembleFigures::received(PacketType type) {
  if (type == PacketType::kProposal) ++learner_proposals_received_;
  if (type == PacketType::kCommit || type == PacketType::kCommitAndActivate) {
    ++learner_commits_received_;
  }
}

void EnsembleFigures::fill(pipeline::ServerSnapshot::Quorum& q, int64_t now_ms) const {
  q.looking_count = looking_count_;
  q.proposal_count = proposal_count_;
  q.commit_count = commit_count_;
  q.diff_count = diff_count_;
  q.snap_count = snap_count_;
  q.learner_proposal_received_count = learner_proposals_received_;
  q.learner_commit_received_count = learner_commits_received_;
  q.leader_uptime_ms = leading_since_ms_ < 0 ? -1 : now_ms - leading_since_ms_;
  q.election_time_ms = election_time_ms_;
  q.quorum_ack_latency_ms = quorum_ack_latency_ms_;
  q.follower_sync_time_ms = follower_sync_time_ms_;
  q.observer_sync_time_ms = observer_sync_time_ms_;
}

}  // namespace paddock::ensemble
