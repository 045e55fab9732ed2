#include "client/event_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace paddock::client {
namespace {

TEST(EventQueue, RunsTasksInOrderAndEndsAfterClose) {
  EventQueue q(4);
  std::vector<int> seen;
  for (int i = 0; i < 3; ++i) q.push([&seen, i] { seen.push_back(i); });
  q.close();
  EventQueue::Task t;
  while (q.pop(t)) t();
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST(EventQueue, HasRoomUntilCapacity) {
  EventQueue q(2);
  EXPECT_TRUE(q.has_room());
  q.push([] {});
  q.push([] {});
  EXPECT_FALSE(q.has_room());
  EXPECT_TRUE(q.has_room(1));
  EXPECT_EQ(q.size(), 2u);
}

TEST(EventQueue, NotifierRunsOnceDrainedToHalf) {
  EventQueue q(4);
  for (int i = 0; i < 4; ++i) q.push([] {});
  int notified = 0;
  q.notify_when_room([&] { notified++; });
  EventQueue::Task t;
  ASSERT_TRUE(q.pop(t));  // 3 left
  EXPECT_EQ(notified, 0);
  ASSERT_TRUE(q.pop(t));  // 2 left: half
  EXPECT_EQ(notified, 1);
  ASSERT_TRUE(q.pop(t));
  EXPECT_EQ(notified, 1);
}

TEST(EventQueue, NotifierRunsAtOnceWhenAlreadyRoomy) {
  EventQueue q(4);
  int notified = 0;
  q.notify_when_room([&] { notified++; });
  EXPECT_EQ(notified, 1);
}

TEST(EventQueue, PopWaitsForAPush) {
  EventQueue q(4);
  std::thread pusher([&] { q.push([] {}); });
  EventQueue::Task t;
  EXPECT_TRUE(q.pop(t));
  pusher.join();
}

}  // namespace
}  // namespace paddock::client
