#include "quorum/election.h"

#include <gtest/gtest.h>

#include <set>

namespace paddock::quorum {
namespace {

constexpr int64_t kMin = FastLeaderElection::kMinValue;

struct ElectionTest : ::testing::Test {
  MajorityQuorum qv{{1, 2, 3}, {4}};
  std::vector<OutgoingNotification> out;

  static Notification looking(Sid leader, Zxid zxid, int64_t round, int64_t epoch) {
    return Notification{ServerState::kLooking, leader, zxid, round, epoch, 2, ""};
  }
};

TEST_F(ElectionTest, VoteOrderIsPeerEpochThenZxidThenSid) {
  EXPECT_TRUE(vote_beats(qv, 1, 0, 2, 3, 100, 1));    // higher peer epoch wins over zxid
  EXPECT_TRUE(vote_beats(qv, 1, 101, 1, 3, 100, 1));  // then zxid
  EXPECT_TRUE(vote_beats(qv, 3, 100, 1, 2, 100, 1));  // then sid
  EXPECT_FALSE(vote_beats(qv, 2, 100, 1, 3, 100, 1));
  EXPECT_FALSE(vote_beats(qv, 4, 999, 9, 1, 0, 0));  // an observer never wins
}

TEST_F(ElectionTest, StartProposesSelfToEveryOtherVoter) {
  FastLeaderElection e(1, qv);
  e.start(0x500000007, 5, 0, out);
  ASSERT_EQ(out.size(), 2u);  // to 2 and 3; to itself it is taken in at once
  EXPECT_EQ(out[0].to, 2);
  EXPECT_EQ(out[0].message, looking(1, 0x500000007, 1, 5));
}

TEST_F(ElectionTest, ObserverVotesLongMinValue) {
  FastLeaderElection e(4, qv);
  e.start(0x500000007, 5, 0, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].message, looking(kMin, kMin, 1, kMin));
}

TEST_F(ElectionTest, DecidesOnlyAfterTheFinalizeWait) {
  FastLeaderElection e(3, qv);
  e.start(10, 1, 0, out);
  EXPECT_FALSE(e.receive(1, looking(3, 10, 1, 1), ServerState::kLooking, 5, out));
  EXPECT_FALSE(e.tick(204, out));
  auto vote = e.tick(205, out);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->leader, 3);
  EXPECT_EQ(vote->state, ServerState::kLeading);
}

TEST_F(ElectionTest, DecidesAtOnceWhenEveryConnectedVoterAgrees) {
  FastLeaderElection e(3, qv);
  e.set_connected_voters(std::set<Sid>{1});  // 2 is down (its leader was just killed)
  e.start(10, 1, 0, out);
  auto vote = e.receive(1, looking(3, 10, 1, 1), ServerState::kLooking, 5, out);
  ASSERT_TRUE(vote);  // no finalize wait: nobody else can vote before connecting
  EXPECT_EQ(vote->leader, 3);
}

TEST_F(ElectionTest, AConnectedVoterThatHasNotVotedHoldsTheFinalizeWaitUntilItGoes) {
  FastLeaderElection e(3, qv);
  e.set_connected_voters(std::set<Sid>{1, 2});
  e.start(10, 1, 0, out);
  EXPECT_FALSE(e.receive(1, looking(3, 10, 1, 1), ServerState::kLooking, 5, out));
  EXPECT_FALSE(e.tick(50, out));  // 2 may still send a better vote
  e.set_connected_voters(std::set<Sid>{1});  // 2's connection dropped
  auto vote = e.tick(60, out);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->leader, 3);
}

// Found by timing fail-overs: the survivor that noticed the leader's death last answered
// the other's vote while still following, then started looking with its own; without an
// answer to that worse vote both waited for the 200 ms resend.
TEST_F(ElectionTest, AWorseVoteInOurRoundGetsOurProposalBack) {
  FastLeaderElection e(3, qv);
  e.start(10, 1, 0, out);
  out.clear();
  EXPECT_FALSE(e.receive(1, looking(1, 10, 1, 1), ServerState::kLooking, 5, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 1);
  EXPECT_EQ(out[0].message, looking(3, 10, 1, 1));
  out.clear();
  e.receive(1, looking(3, 10, 1, 1), ServerState::kLooking, 6, out);  // it took ours in
  EXPECT_TRUE(out.empty());  // an equal vote is not answered: nothing echoes
}

TEST_F(ElectionTest, ABetterVoteDuringTheFinalizeWaitIsTaken) {
  FastLeaderElection e(1, qv);
  e.start(10, 1, 0, out);
  e.receive(2, looking(2, 10, 1, 1), ServerState::kLooking, 1, out);  // 2 beats 1: adopt
  EXPECT_EQ(e.proposal().leader, 2);
  // Quorum {1,2} on 2: finalize wait; then 3 shows up with a better vote.
  e.receive(3, looking(3, 10, 1, 1), ServerState::kLooking, 50, out);
  EXPECT_EQ(e.proposal().leader, 3);
  EXPECT_FALSE(e.tick(205, out));  // {1,3} agree now: a fresh wait from t=50
  auto vote = e.tick(250, out);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->leader, 3);
  EXPECT_EQ(vote->state, ServerState::kFollowing);
}

TEST_F(ElectionTest, AHigherRoundIsAdoptedAndClearsTheTally) {
  FastLeaderElection e(1, qv);
  e.start(10, 1, 0, out);
  out.clear();
  e.receive(2, looking(2, 5, 7, 1), ServerState::kLooking, 1, out);
  EXPECT_EQ(e.logical_clock(), 7);
  EXPECT_EQ(e.proposal().leader, 1);  // our zxid is higher
  EXPECT_EQ(out.size(), 2u);          // re-sent in the new round
}

TEST_F(ElectionTest, AnOlderRoundGetsOurProposalBack) {
  FastLeaderElection e(1, qv);
  e.start(10, 1, 0, out);
  e.start(10, 1, 0, out);  // round 2
  out.clear();
  e.receive(2, looking(2, 5, 1, 1), ServerState::kLooking, 1, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 2);
  EXPECT_EQ(out[0].message.election_epoch, 2);
}

TEST_F(ElectionTest, ResendBacksOffFrom200msDoublingTo60s) {
  FastLeaderElection e(1, qv);
  e.start(0, 0, 0, out);
  std::vector<int64_t> resent_at;
  for (int64_t t = 0; t <= 300000; t += 10) {
    out.clear();
    e.tick(t, out);
    if (!out.empty()) resent_at.push_back(t);
  }
  ASSERT_GE(resent_at.size(), 10u);
  EXPECT_EQ(resent_at[0], 200);
  EXPECT_EQ(resent_at[1], 600);   // + 400
  EXPECT_EQ(resent_at[2], 1400);  // + 800
  EXPECT_EQ(resent_at.back() - resent_at[resent_at.size() - 2], 60000);
}

TEST_F(ElectionTest, JoinsAnEstablishedLeader) {
  FastLeaderElection e(1, qv);
  e.start(3, 1, 0, out);
  Notification following{ServerState::kFollowing, 3, 0x400000002, 9, 4, 2, ""};
  Notification leading{ServerState::kLeading, 3, 0x400000002, 9, 4, 2, ""};
  EXPECT_FALSE(e.receive(2, following, ServerState::kLooking, 1, out));
  auto vote = e.receive(3, leading, ServerState::kLooking, 2, out);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->leader, 3);
  EXPECT_EQ(vote->peer_epoch, 4);
  EXPECT_EQ(e.logical_clock(), 9);
}

TEST_F(ElectionTest, FollowersAloneDoNotMakeALeader) {
  FastLeaderElection e(1, qv);
  e.start(3, 1, 0, out);
  Notification following{ServerState::kFollowing, 3, 0x400000002, 9, 4, 2, ""};
  EXPECT_FALSE(e.receive(2, following, ServerState::kLooking, 1, out));
  EXPECT_FALSE(e.tick(10000, out).has_value() && e.current_vote().leader == 3);
}

TEST_F(ElectionTest, AnswersLookingServersWhenNotLooking) {
  FastLeaderElection e(1, qv);
  e.start(3, 1, 0, out);
  e.set_current_vote(Vote{2, 0x400000002, 9, 5, ServerState::kFollowing, 2});
  e.stop();
  out.clear();
  e.receive(3, looking(3, 0, 1, 0), ServerState::kFollowing, 1, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].message.state, ServerState::kFollowing);
  EXPECT_EQ(out[0].message.leader, 2);
  EXPECT_EQ(out[0].message.peer_epoch, 5);
}

TEST_F(ElectionTest, VotersAnswerObserversAndNeverCountThem) {
  FastLeaderElection e(1, qv);
  e.start(3, 1, 0, out);
  out.clear();
  e.receive(4, looking(kMin, kMin, 1, kMin), ServerState::kLooking, 1, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, 4);
  EXPECT_EQ(e.proposal().leader, 1);
}

}  // namespace
}  // namespace paddock::quorum
