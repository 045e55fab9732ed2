// MemberSessions: who decides a session's liveness in each role.
#include "ensemble/member_sessions.h"

#include <gtest/gtest.h>

namespace paddock::ensemble {
namespace {

using Mode = MemberSessions::Mode;

TEST(MemberSessionsTest, TheLeaderExpiresSessionsNobodyTouched) {
  MemberSessions s(100);
  s.set_mode(Mode::kLeader);
  s.session_added(1, 1000, 0);
  s.session_added(2, 1000, 0);
  EXPECT_TRUE(s.touch(1, 900));                  // its own client
  s.touched_by_learner(2, 900);                  // relayed in a learner's ping
  EXPECT_TRUE(s.expire(1500).empty());           // both moved on at 900
  EXPECT_EQ(s.expire(2100), (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(s.touch(1, 2100));  // closing: its closeSession txn is on its way
}

TEST(MemberSessionsTest, TheLeaderAnswersRevalidationFromItsBuckets) {
  MemberSessions s(100);
  s.set_mode(Mode::kLeader);
  s.session_added(7, 1000, 0);
  EXPECT_TRUE(s.alive(7, 500));
  EXPECT_FALSE(s.alive(8, 500));  // unknown
  bool answer = false;
  s.revalidate(7, 1000, 600, [&](bool alive) { answer = alive; });
  EXPECT_TRUE(answer);  // a client resuming on the leader itself is answered at once
}

TEST(MemberSessionsTest, LearnersAndLookingServersNeverExpireSessions) {
  MemberSessions s(100);
  s.set_mode(Mode::kLearner);
  s.session_added(1, 1000, 0);
  EXPECT_TRUE(s.expire(1'000'000).empty());
  EXPECT_TRUE(s.touch(1, 10));   // known: relayed to the leader with the next ping
  EXPECT_FALSE(s.touch(2, 10));  // unknown to the tree
  s.set_mode(Mode::kNone);
  EXPECT_TRUE(s.expire(1'000'000).empty());
  EXPECT_FALSE(s.touch(1, 10));
}

TEST(MemberSessionsTest, ALearnerWithoutALeaderRefusesResumes) {
  MemberSessions s(100);
  s.set_mode(Mode::kLearner);  // no core: no leader to ask
  s.session_added(5, 1000, 0);
  std::optional<bool> answer;
  s.revalidate(5, 1000, 0, [&](bool alive) { answer = alive; });
  EXPECT_EQ(answer, false);
}

TEST(MemberSessionsTest, ANewLeaderStartsEveryTimeoutAfresh) {
  MemberSessions s(100);
  s.set_mode(Mode::kLeader);
  s.session_added(1, 1000, 0);
  s.set_mode(Mode::kNone);  // an election: the buckets go
  s.set_mode(Mode::kLeader);
  EXPECT_EQ(s.tracked(), 0u);       // the pipeline adds the tree's sessions when serving
  s.session_added(1, 1000, 5000);   // ... at that moment
  EXPECT_TRUE(s.expire(5500).empty());
  EXPECT_EQ(s.expire(6200), std::vector<int64_t>{1});
}

TEST(MemberSessionsTest, RevivedSessionsLiveAgainOnTheLeader) {
  MemberSessions s(100);
  s.set_mode(Mode::kLeader);
  s.session_added(1, 1000, 0);
  EXPECT_EQ(s.expire(1200), std::vector<int64_t>{1});
  s.revive(1, 1000, 1200);
  EXPECT_TRUE(s.touch(1, 1300));
}

}  // namespace
}  // namespace paddock::ensemble
