#include "shell/watch_mirror.h"

#include <gtest/gtest.h>

namespace paddock::shell {
namespace {

using client::EventType;
using client::KeeperState;
using client::WatchEvent;
using Kind = WatchMirror::Kind;

WatchEvent ev(EventType t, const std::string& p) {
  return WatchEvent{t, KeeperState::kSyncConnected, p};
}

// Feeds one library task: `calls` callbacks with the same event; returns how many printed.
int task(WatchMirror& m, const WatchEvent& e, int calls) {
  int printed = 0;
  for (int i = 0; i < calls; ++i) printed += m.deliver(e) ? 1 : 0;
  return printed;
}

TEST(WatchMirror, TwoDataWatchesOnOnePathPrintOnce) {
  WatchMirror m;
  m.add(Kind::kData, "/a");
  m.add(Kind::kData, "/a");
  EXPECT_EQ(task(m, ev(EventType::kNodeDataChanged, "/a"), 2), 1);
  EXPECT_EQ(m.count(Kind::kData, "/a"), 0);
  // The next event is a new one, printed again.
  m.add(Kind::kChild, "/a");
  EXPECT_EQ(task(m, ev(EventType::kNodeChildrenChanged, "/a"), 1), 1);
}

TEST(WatchMirror, DeleteFiresDataChildAndRecursiveWatchesOnce) {
  WatchMirror m;
  m.add(Kind::kData, "/a/b");
  m.add(Kind::kChild, "/a/b");
  m.add(Kind::kRecursive, "/a");
  m.add(Kind::kRecursive, "/");
  EXPECT_EQ(task(m, ev(EventType::kNodeDeleted, "/a/b"), 4), 1);
  EXPECT_EQ(m.count(Kind::kChild, "/a/b"), 0);
  EXPECT_EQ(m.count(Kind::kRecursive, "/a"), 1);  // persistent ones stay
  EXPECT_EQ(task(m, ev(EventType::kNodeCreated, "/a/c"), 2), 1);
}

TEST(WatchMirror, ChildrenChangedSkipsRecursiveWatchesAsTheLibraryDoes) {
  WatchMirror m;
  m.add(Kind::kRecursive, "/a");
  m.add(Kind::kPersistent, "/a");
  m.add(Kind::kChild, "/a");
  // The library calls the child watch and the persistent one, not the recursive one.
  EXPECT_EQ(task(m, ev(EventType::kNodeChildrenChanged, "/a"), 2), 1);
  EXPECT_EQ(task(m, ev(EventType::kNodeDataChanged, "/a"), 2), 1);
}

TEST(WatchMirror, RemovalEventsCountByTheRemovedType) {
  WatchMirror m;
  m.add(Kind::kPersistent, "/a");
  m.add(Kind::kRecursive, "/a");
  m.add(Kind::kData, "/a");
  m.expect_removal("/a", client::WatcherType::kAny);
  EXPECT_EQ(task(m, ev(EventType::kDataWatchRemoved, "/a"), 1), 1);
  EXPECT_EQ(task(m, ev(EventType::kPersistentWatchRemoved, "/a"), 2), 1);
  EXPECT_EQ(m.count(Kind::kRecursive, "/a"), 0);
  m.add(Kind::kPersistent, "/b");
  m.add(Kind::kRecursive, "/b");
  m.expect_removal("/b", client::WatcherType::kChildren);
  EXPECT_EQ(task(m, ev(EventType::kPersistentWatchRemoved, "/b"), 1), 1);
  EXPECT_EQ(m.count(Kind::kRecursive, "/b"), 1);
}

TEST(WatchMirror, ExpiryIsNeverPrintedHereAndClearsEverything) {
  WatchMirror m;
  m.add(Kind::kData, "/a");
  m.add(Kind::kChild, "/b");
  EXPECT_EQ(task(m, WatchEvent{EventType::kNone, KeeperState::kExpired, ""}, 2), 0);
  EXPECT_EQ(m.count(Kind::kData, "/a"), 0);
  m.add(Kind::kData, "/a");
  EXPECT_EQ(task(m, ev(EventType::kNodeDataChanged, "/a"), 1), 1);
}

}  // namespace
}  // namespace paddock::shell
