// The replication figures an ensemble member counts for ZooKeeper's metrics.
#include "ensemble/ensemble_figures.h"

#include <gtest/gtest.h>

namespace paddock::ensemble {
namespace {

using quorum::PacketType;
using quorum::Role;
using quorum::RoleChange;

pipeline::ServerSnapshot::Quorum figures_at(const EnsembleFigures& f, int64_t now_ms) {
  pipeline::ServerSnapshot::Quorum q;
  f.fill(q, now_ms);
  return q;
}

TEST(EnsembleFiguresTest, AnElectionIsTimedFromLookingToTheDecision) {
  EnsembleFigures f;
  f.started(1000);
  f.role_changed(RoleChange{Role::kLooking, 0, 0, false}, 1000);  // no second LOOKING
  f.role_changed(RoleChange{Role::kLeading, 1, 1, false}, 1250);
  f.role_changed(RoleChange{Role::kLeading, 1, 1, true}, 1300);
  auto q = figures_at(f, 1800);
  EXPECT_EQ(q.looking_count, 1u);
  EXPECT_EQ(q.election_time_ms.count(), 1u);
  EXPECT_EQ(q.election_time_ms.max(), 250);
  EXPECT_EQ(q.leader_uptime_ms, 500);  // since it started serving

  f.role_changed(RoleChange{Role::kLooking, 0, 1, false}, 2000);
  q = figures_at(f, 2100);
  EXPECT_EQ(q.looking_count, 2u);
  EXPECT_EQ(q.leader_uptime_ms, -1);
}

TEST(EnsembleFiguresTest, ALearnersSyncIsTimedUntilItServes) {
  EnsembleFigures f;
  f.started(0);
  f.role_changed(RoleChange{Role::kFollowing, 2, 1, false}, 40);
  f.role_changed(RoleChange{Role::kFollowing, 2, 1, true}, 110);
  EnsembleFigures o;
  o.started(0);
  o.role_changed(RoleChange{Role::kObserving, 2, 1, false}, 10);
  o.role_changed(RoleChange{Role::kObserving, 2, 1, true}, 13);
  auto q = figures_at(f, 200);
  EXPECT_EQ(q.follower_sync_time_ms.count(), 1u);
  EXPECT_EQ(q.follower_sync_time_ms.max(), 70);
  EXPECT_EQ(q.observer_sync_time_ms.count(), 0u);
  EXPECT_EQ(figures_at(o, 20).observer_sync_time_ms.max(), 3);
  // A sync cut short by a new election is not a sync time.
  f.role_changed(RoleChange{Role::kLooking, 0, 1, false}, 300);
  f.role_changed(RoleChange{Role::kFollowing, 2, 2, false}, 320);
  f.role_changed(RoleChange{Role::kLooking, 0, 2, false}, 400);
  EXPECT_EQ(figures_at(f, 500).follower_sync_time_ms.count(), 1u);
}

TEST(EnsembleFiguresTest, QuorumAckLatencyPairsEachCommitWithItsProposal) {
  EnsembleFigures f;
  f.started(0);
  f.role_changed(RoleChange{Role::kLeading, 1, 1, true}, 5);
  f.proposed(0x100000001, 10);
  f.proposed(0x100000002, 11);
  f.proposed(0x100000003, 12);
  f.committed(0x100000001, 13);
  f.committed(0x100000003, 20);  // 2 was dropped with a lost quorum (not timed)
  auto q = figures_at(f, 20);
  EXPECT_EQ(q.proposal_count, 3u);
  EXPECT_EQ(q.commit_count, 2u);
  EXPECT_EQ(q.quorum_ack_latency_ms.count(), 2u);
  EXPECT_EQ(q.quorum_ack_latency_ms.min(), 3);
  EXPECT_EQ(q.quorum_ack_latency_ms.max(), 8);
}

TEST(EnsembleFiguresTest, PacketsCountSyncsAndWhatALearnerReceived) {
  EnsembleFigures f;
  for (PacketType t : {PacketType::kDiff, PacketType::kProposal, PacketType::kSnap,
                       PacketType::kDiff, PacketType::kTrunc}) {
    f.sent(t);
  }
  for (PacketType t : {PacketType::kProposal, PacketType::kCommit, PacketType::kProposal,
                       PacketType::kPing, PacketType::kCommitAndActivate}) {
    f.received(t);
  }
  auto q = figures_at(f, 0);
  EXPECT_EQ(q.diff_count, 2u);
  EXPECT_EQ(q.snap_count, 1u);
  EXPECT_EQ(q.learner_proposal_received_count, 2u);
  EXPECT_EQ(q.learner_commit_received_count, 2u);
}

}  // namespace
}  // namespace paddock::ensemble
