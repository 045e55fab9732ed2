#pragma once
// EnsembleFigures: the replication figures ZooKeeper 3.8's ServerMetrics keeps for a quorum
// member (proposal_count, commit_count, quorum_ack_latency, election_time, looking_count,
// follower_sync_time, observer_sync_time, diff_count, snap_count, learner_*_received_count,
// leader_uptime), counted by the adapter from what it carries out and receives, so the
// deterministic core stays free of clocks. Times are the pipeline's monotonic ms.
//
// Pipeline thread only; fill() copies them into a snapshot in O(1).
#include <cstdint>
#include <deque>
#include <utility>

#include "pipeline/server_snapshot.h"
#include "quorum/messages.h"
#include "quorum/ready.h"
#include "util/value_histogram.h"

namespace paddock::ensemble {

class EnsembleFigures {
 public:
  // The member starts looking (ZooKeeper counts that first LOOKING too).
  void started(int64_t now_ms);
  // Every role change the core reports, in order.
  void role_changed(const quorum::RoleChange& role, int64_t now_ms);
  // Leader: a txn proposed / a txn committed (its quorum of ACKs arrived).
  void proposed(quorum::Zxid zxid, int64_t now_ms);
  void committed(quorum::Zxid zxid, int64_t now_ms);
  // Quorum packets this member sent / a learner received from its leader.
  void sent(quorum::PacketType type);
  void received(quorum::PacketType type);

  void fill(pipeline::ServerSnapshot::Quorum& q, int64_t now_ms) const;

 private:
  quorum::Role role_ = quorum::Role::kLooking;
  int64_t looking_since_ms_ = -1;  // -1: not looking
  int64_t syncing_since_ms_ = -1;  // -1: not a learner syncing with its leader
  int64_t leading_since_ms_ = -1;  // -1: not a serving leader
  // Leader: the proposals not yet committed and when each went out, in zxid order.
  std::deque<std::pair<quorum::Zxid, int64_t>> proposed_at_;

  uint64_t looking_count_ = 0;
  uint64_t proposal_count_ = 0;
  uint64_t commit_count_ = 0;
  uint64_t diff_count_ = 0;
  uint64_t snap_count_ = 0;
  uint64_t learner_proposals_received_ = 0;
  uint64_t learner_commits_received_ = 0;
  ValueHistogram election_time_ms_;
  ValueHistogram quorum_ack_latency_ms_;
  ValueHistogram follower_sync_time_ms_;
  ValueHistogram observer_sync_time_ms_;
};

}  // namespace paddock::ensemble
