#include "client/watch_registry.h"

#include <gtest/gtest.h>

namespace paddock::client {
namespace {

// A watcher that appends its tag to `log` when it runs.
Watcher tagged(std::vector<std::string>& log, std::string tag) {
  return [&log, tag](const WatchEvent&) { log.push_back(tag); };
}

std::vector<std::string> run(std::vector<Watcher> ws, std::vector<std::string>& log) {
  log.clear();
  for (auto& w : ws) w(WatchEvent{});
  return log;
}

TEST(WatchRegistry, DataChangeFiresDataExistPersistentAndRecursiveAncestors) {
  std::vector<std::string> log;
  WatchRegistry r;
  r.add(WatchKind::kData, "/a/b", tagged(log, "data"));
  r.add(WatchKind::kExist, "/a/b", tagged(log, "exist"));
  r.add(WatchKind::kChild, "/a/b", tagged(log, "child"));
  r.add(WatchKind::kPersistent, "/a/b", tagged(log, "persistent"));
  r.add(WatchKind::kPersistentRecursive, "/a", tagged(log, "rec-a"));
  r.add(WatchKind::kPersistentRecursive, "/", tagged(log, "rec-root"));
  r.add(WatchKind::kPersistentRecursive, "/a/bc", tagged(log, "rec-sibling"));
  EXPECT_EQ(run(r.materialize(EventType::kNodeDataChanged, "/a/b"), log),
            (std::vector<std::string>{"data", "exist", "persistent", "rec-a", "rec-root"}));
  // One-shot watches went; persistent ones stay.
  EXPECT_EQ(run(r.materialize(EventType::kNodeDataChanged, "/a/b"), log),
            (std::vector<std::string>{"persistent", "rec-a", "rec-root"}));
  EXPECT_EQ(r.size(), 5u);
}

TEST(WatchRegistry, ChildrenChangedNeverFiresRecursiveWatches) {
  std::vector<std::string> log;
  WatchRegistry r;
  r.add(WatchKind::kChild, "/p", tagged(log, "child"));
  r.add(WatchKind::kPersistent, "/p", tagged(log, "persistent"));
  r.add(WatchKind::kPersistentRecursive, "/p", tagged(log, "rec"));
  EXPECT_EQ(run(r.materialize(EventType::kNodeChildrenChanged, "/p"), log),
            (std::vector<std::string>{"child", "persistent"}));
}

TEST(WatchRegistry, DeleteFiresDataExistAndChildWatches) {
  std::vector<std::string> log;
  WatchRegistry r;
  r.add(WatchKind::kData, "/n", tagged(log, "data"));
  r.add(WatchKind::kChild, "/n", tagged(log, "child"));
  r.add(WatchKind::kData, "/other", tagged(log, "other"));
  EXPECT_EQ(run(r.materialize(EventType::kNodeDeleted, "/n"), log),
            (std::vector<std::string>{"data", "child"}));
  EXPECT_EQ(r.size(), 1u);
}

TEST(WatchRegistry, RemoveByTypeAndContains) {
  std::vector<std::string> log;
  WatchRegistry r;
  r.add(WatchKind::kData, "/n", tagged(log, "data"));
  r.add(WatchKind::kChild, "/n", tagged(log, "child"));
  r.add(WatchKind::kPersistentRecursive, "/n", tagged(log, "rec"));
  EXPECT_TRUE(r.contains("/n", WatcherType::kChildren));
  auto removed = r.remove("/n", WatcherType::kChildren);
  EXPECT_EQ(removed.child.size(), 1u);
  EXPECT_TRUE(removed.data.empty());
  EXPECT_TRUE(removed.persistent.empty());  // recursive watches are not child watches
  removed = r.remove("/n", WatcherType::kAny);
  EXPECT_EQ(removed.data.size(), 1u);
  EXPECT_EQ(removed.persistent.size(), 1u);
  EXPECT_FALSE(r.contains("/n", WatcherType::kAny));
  EXPECT_TRUE(r.empty());
}

TEST(WatchRegistry, PathsListEveryKindAndClearTakesAll) {
  std::vector<std::string> log;
  WatchRegistry r;
  r.add(WatchKind::kData, "/d", tagged(log, "1"));
  r.add(WatchKind::kExist, "/e", tagged(log, "2"));
  r.add(WatchKind::kChild, "/c", tagged(log, "3"));
  r.add(WatchKind::kPersistent, "/p", tagged(log, "4"));
  r.add(WatchKind::kPersistentRecursive, "/r", tagged(log, "5"));
  auto p = r.paths();
  EXPECT_EQ(p.data, std::vector<std::string>{"/d"});
  EXPECT_EQ(p.exist, std::vector<std::string>{"/e"});
  EXPECT_EQ(p.child, std::vector<std::string>{"/c"});
  EXPECT_EQ(p.persistent, std::vector<std::string>{"/p"});
  EXPECT_EQ(p.recursive, std::vector<std::string>{"/r"});
  EXPECT_EQ(r.clear().size(), 5u);
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace paddock::client
