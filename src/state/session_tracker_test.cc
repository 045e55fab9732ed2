#include "state/session_tracker.h"

#include <gtest/gtest.h>

#include "proto/types.h"
#include "state/zk_session_ids.h"

namespace paddock::state {
namespace {

TEST(SessionTrackerTest, DeadlinesRoundUpToTheNextTick) {
  SessionTracker t(2000);
  EXPECT_EQ(t.bucket_for(0), 2000);
  EXPECT_EQ(t.bucket_for(1999), 2000);
  EXPECT_EQ(t.bucket_for(2000), 4000);  // an exact multiple goes to the next bucket
  t.add(1, 5000, 1000);                 // 6000 -> bucket 8000
  EXPECT_EQ(t.deadline_of(1), 8000);
  EXPECT_EQ(t.next_expiration(), 8000);
}

TEST(SessionTrackerTest, ExpireTakesWholeBucketsUpToNow) {
  SessionTracker t(1000);
  t.add(1, 3000, 0);    // bucket 4000
  t.add(2, 3000, 500);  // 3500 -> 4000
  t.add(3, 6000, 0);    // 7000
  EXPECT_TRUE(t.expire(3999).empty());
  EXPECT_EQ(t.expire(4000), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(t.is_closing(1));
  EXPECT_TRUE(t.contains(1));           // known until removed
  EXPECT_TRUE(t.expire(4000).empty());  // not expired twice
  EXPECT_EQ(t.expire(100000), (std::vector<int64_t>{3}));
  EXPECT_EQ(t.next_expiration(), std::nullopt);
}

TEST(SessionTrackerTest, TouchMovesTheDeadlineAndFailsForClosingOrUnknown) {
  SessionTracker t(1000);
  t.add(1, 3000, 0);
  EXPECT_TRUE(t.touch(1, 2500));  // 5500 -> 6000
  EXPECT_EQ(t.deadline_of(1), 6000);
  EXPECT_TRUE(t.expire(5999).empty());
  EXPECT_EQ(t.expire(6000), std::vector<int64_t>{1});
  EXPECT_FALSE(t.touch(1, 6000));
  EXPECT_FALSE(t.touch(99, 0));
  t.remove(1);
  EXPECT_FALSE(t.contains(1));
  EXPECT_EQ(t.size(), 0u);
}

TEST(SessionTrackerTest, ClosingSessionsAreNotExpiredNorRevived) {
  SessionTracker t(1000);
  t.add(1, 1000, 0);
  t.set_closing(1);
  EXPECT_TRUE(t.expire(100000).empty());
  t.add(1, 1000, 0);
  EXPECT_TRUE(t.is_closing(1));
  EXPECT_EQ(t.timeout_of(1), 1000);
}

TEST(SessionTrackerTest, NegotiateTimeoutClamps) {
  EXPECT_EQ(SessionTracker::negotiate_timeout(1000, 4000, 40000), 4000);
  EXPECT_EQ(SessionTracker::negotiate_timeout(30000, 4000, 40000), 30000);
  EXPECT_EQ(SessionTracker::negotiate_timeout(90000, 4000, 40000), 40000);
}

TEST(SessionTrackerTest, InitialSessionIdHasTheServerIdOnTop) {
  // ZooKeeper 3.8.0 handed out 0x100000915f60000 to server 1 (as seen on the wire):
  // the top byte is the server id, the next 40 bits the clock.
  const int64_t now = 0x0000019A1234ABCDLL;
  int64_t id = SessionTracker::initial_session_id(1, now);
  EXPECT_EQ(static_cast<uint64_t>(id) >> 56, 1u);
  EXPECT_EQ(id & 0x00FFFFFFFFFFFFFFLL,
            static_cast<int64_t>((static_cast<uint64_t>(now) << 24) >> 8));
  EXPECT_EQ(SessionTracker::initial_session_id(0, 0), 0);
  EXPECT_EQ(SessionTracker::initial_session_id(0x80, 0), proto::kContainerOwner + 1);
  EXPECT_NE(SessionTracker::initial_session_id(2, now), id);
}

TEST(SessionTrackerTest, PasswordsAre16BytesKeyedAndDeterministic) {
  std::string p = SessionTracker::password_for(42, 7);
  EXPECT_EQ(p.size(), 16u);
  EXPECT_EQ(p, SessionTracker::password_for(42, 7));
  EXPECT_NE(p, SessionTracker::password_for(43, 7));
  EXPECT_NE(p, SessionTracker::password_for(42, 8));
}

TEST(SessionTrackerTest, PasswordsAreZooKeepersSoSessionsMoveBetweenPaddockAndZooKeeper) {
  const int64_t id = 0x0100017d3a6b0000;
  const ZkSessionPassword zk = zk_session_password(id);
  EXPECT_EQ(SessionTracker::password_for(id, static_cast<uint64_t>(kZkPasswordSecret)),
            std::string(zk.begin(), zk.end()));
}

}  // namespace
}  // namespace paddock::state
