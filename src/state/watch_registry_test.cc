// WatchRegistry: ZooKeeper 3.8's watch rules. Scenarios marked [ZK] were run against an
// Apache ZooKeeper 3.8.0 server over the raw protocol and reproduce what it sent.
#include "state/watch_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace paddock::state {
namespace {

using proto::EventType;
using proto::WatcherType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

struct Fired {
  WatcherId watcher;
  EventType type;
  std::string path;
  friend bool operator==(const Fired&, const Fired&) = default;
};
std::ostream& operator<<(std::ostream& os, const Fired& f) {
  return os << "{" << f.watcher << ", " << static_cast<int>(f.type) << ", " << f.path << "}";
}

std::vector<Fired> fire(WatchRegistry& w, const std::string& path, EventType type) {
  std::vector<WatchEvent> events;
  w.trigger(path, type, events);
  std::vector<Fired> out;
  for (const auto& e : events) {
    EXPECT_EQ(e.state, proto::KeeperState::kSyncConnected);
    out.push_back({e.watcher, e.type, e.path});
  }
  return out;
}

// What ZooKeeper fires for each change (DataTree.createNode/deleteNode/setData).
std::vector<Fired> create(WatchRegistry& w, const std::string& path, const std::string& parent) {
  auto out = fire(w, path, EventType::kNodeCreated);
  auto more = fire(w, parent, EventType::kNodeChildrenChanged);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}
std::vector<Fired> remove(WatchRegistry& w, const std::string& path, const std::string& parent) {
  auto out = fire(w, path, EventType::kNodeDeleted);
  auto more = fire(w, parent, EventType::kNodeChildrenChanged);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}
std::vector<Fired> set(WatchRegistry& w, const std::string& path) {
  return fire(w, path, EventType::kNodeDataChanged);
}

constexpr EventType kCreated = EventType::kNodeCreated;
constexpr EventType kDeleted = EventType::kNodeDeleted;
constexpr EventType kChanged = EventType::kNodeDataChanged;
constexpr EventType kChildren = EventType::kNodeChildrenChanged;

TEST(WatchRegistryTest, DataWatchFiresOnceOnDataChange) {
  WatchRegistry w;
  w.add("/a", 1, WatchKind::kData);
  EXPECT_TRUE(w.has_watch("/a", 1, WatchKind::kData));
  EXPECT_THAT(set(w, "/a"), ElementsAre(Fired{1, kChanged, "/a"}));
  EXPECT_THAT(set(w, "/a"), IsEmpty());
  EXPECT_FALSE(w.has_watch("/a", 1, WatchKind::kData));
  EXPECT_EQ(w.watch_count(), 0u);
  EXPECT_EQ(w.path_count(), 0u);
}

TEST(WatchRegistryTest, ExistsWatchOnMissingNodeFiresNodeCreated) {
  WatchRegistry w;
  w.add("/a", 1, WatchKind::kData);
  EXPECT_THAT(create(w, "/a", "/"), ElementsAre(Fired{1, kCreated, "/a"}));
  EXPECT_EQ(w.watch_count(), 0u);
}

TEST(WatchRegistryTest, ChildWatchFiresOnChildrenChangedButNotOnDataChange) {
  WatchRegistry w;
  w.add("/p", 1, WatchKind::kChild);
  EXPECT_THAT(set(w, "/p"), IsEmpty());
  EXPECT_THAT(create(w, "/p/c", "/p"), ElementsAre(Fired{1, kChildren, "/p"}));
  EXPECT_THAT(create(w, "/p/d", "/p"), IsEmpty());
}

TEST(WatchRegistryTest, NodeDeletedReachesDataAndChildWatchesOncePerWatcher) {
  // [ZK] getData + getChildren on /e6/y and getChildren on /e6, then delete /e6/y.
  WatchRegistry w;
  w.add("/e6/y", 1, WatchKind::kData);
  w.add("/e6/y", 1, WatchKind::kChild);
  w.add("/e6/y", 2, WatchKind::kChild);
  w.add("/e6", 1, WatchKind::kChild);
  EXPECT_THAT(remove(w, "/e6/y", "/e6"),
              ElementsAre(Fired{1, kDeleted, "/e6/y"}, Fired{2, kDeleted, "/e6/y"},
                          Fired{1, kChildren, "/e6"}));
  EXPECT_EQ(w.watch_count(), 0u);  // all one-shot, all used up
  EXPECT_EQ(w.watcher_count(), 0u);
}

TEST(WatchRegistryTest, EveryWatcherOnAPathGetsOneEventInTheOrderTheyWatched) {
  WatchRegistry w;
  for (WatcherId id : {5, 3, 9}) w.add("/a", id, WatchKind::kData);
  w.add("/a", 3, WatchKind::kData);  // again: still one watch
  EXPECT_EQ(w.watch_count(), 3u);
  EXPECT_THAT(set(w, "/a"), ElementsAre(Fired{5, kChanged, "/a"}, Fired{3, kChanged, "/a"},
                                        Fired{9, kChanged, "/a"}));
}

TEST(WatchRegistryTest, PersistentWatchSeesEveryEventOnItsPathAndStays) {
  // [ZK] addWatch(/e5, PERSISTENT); delete, create, create child, set child.
  WatchRegistry w;
  w.add("/e5", 1, WatchKind::kPersistent);
  EXPECT_THAT(remove(w, "/e5", "/"), ElementsAre(Fired{1, kDeleted, "/e5"}));
  EXPECT_THAT(create(w, "/e5", "/"), ElementsAre(Fired{1, kCreated, "/e5"}));
  EXPECT_THAT(create(w, "/e5/k", "/e5"), ElementsAre(Fired{1, kChildren, "/e5"}));
  EXPECT_THAT(set(w, "/e5/k"), IsEmpty());
  EXPECT_THAT(set(w, "/e5"), ElementsAre(Fired{1, kChanged, "/e5"}));
  EXPECT_TRUE(w.has_watch("/e5", 1, WatchKind::kPersistent));
}

TEST(WatchRegistryTest, RecursiveWatchSeesTheSubtreeExceptChildrenChanged) {
  // [ZK] addWatch(/, PERSISTENT_RECURSIVE); create /h1, /h1/h2, set, delete both.
  WatchRegistry w;
  w.add("/", 7, WatchKind::kPersistentRecursive);
  std::vector<Fired> all;
  for (auto events : {create(w, "/h1", "/"), create(w, "/h1/h2", "/h1"), set(w, "/h1/h2"),
                      remove(w, "/h1/h2", "/h1"), remove(w, "/h1", "/")}) {
    all.insert(all.end(), events.begin(), events.end());
  }
  EXPECT_THAT(all, ElementsAre(Fired{7, kCreated, "/h1"}, Fired{7, kCreated, "/h1/h2"},
                               Fired{7, kChanged, "/h1/h2"}, Fired{7, kDeleted, "/h1/h2"},
                               Fired{7, kDeleted, "/h1"}));
  EXPECT_TRUE(w.has_watch("/", 7, WatchKind::kPersistentRecursive));
}

TEST(WatchRegistryTest, RecursiveWatchDoesNotSeeSiblingsWithACommonPrefix) {
  WatchRegistry w;
  w.add("/a", 1, WatchKind::kPersistentRecursive);
  EXPECT_THAT(set(w, "/ab"), IsEmpty());
  EXPECT_THAT(set(w, "/a/b/c/d"), ElementsAre(Fired{1, kChanged, "/a/b/c/d"}));
  EXPECT_THAT(set(w, "/a"), ElementsAre(Fired{1, kChanged, "/a"}));
}

TEST(WatchRegistryTest, OneEventPerWatcherWhenRecursiveAndExistsWatchesBothMatch) {
  // [ZK] addWatch(/e4, RECURSIVE) + exists(/e4/x) from one connection; create /e4/x gave one
  // NodeCreated; a later setData still reached it through the recursive watch.
  WatchRegistry w;
  w.add("/e4", 1, WatchKind::kPersistentRecursive);
  w.add("/e4/x", 1, WatchKind::kData);
  w.add("/e4", 2, WatchKind::kPersistentRecursive);
  EXPECT_THAT(create(w, "/e4/x", "/e4"),
              ElementsAre(Fired{1, kCreated, "/e4/x"}, Fired{2, kCreated, "/e4/x"}));
  EXPECT_FALSE(w.has_watch("/e4/x", 1, WatchKind::kData));
  EXPECT_THAT(set(w, "/e4/x"), ElementsAre(Fired{1, kChanged, "/e4/x"},
                                           Fired{2, kChanged, "/e4/x"}));
}

TEST(WatchRegistryTest, DataWatchAfterPersistentMakesTheDataSideOneShot) {
  // [ZK] addWatch(/e1, PERSISTENT) then getData(/e1, watch): ZooKeeper 3.8.0 keeps one mode
  // per (path, connection) and table, so the data side became one-shot; the child side
  // stayed persistent. Events seen: set -> DataChanged, set -> nothing, create child ->
  // ChildrenChanged.
  WatchRegistry w;
  w.add("/e1", 1, WatchKind::kPersistent);
  w.add("/e1", 1, WatchKind::kData);
  EXPECT_THAT(set(w, "/e1"), ElementsAre(Fired{1, kChanged, "/e1"}));
  EXPECT_THAT(set(w, "/e1"), IsEmpty());
  EXPECT_THAT(create(w, "/e1/c", "/e1"), ElementsAre(Fired{1, kChildren, "/e1"}));
  EXPECT_THAT(create(w, "/e1/d", "/e1"), ElementsAre(Fired{1, kChildren, "/e1"}));
}

TEST(WatchRegistryTest, ChildWatchAfterPersistentMakesTheChildSideOneShot) {
  // [ZK] getChildren(/f2, watch), addWatch(/f2, PERSISTENT), getChildren(/f2, watch).
  WatchRegistry w;
  w.add("/f2", 1, WatchKind::kChild);
  w.add("/f2", 1, WatchKind::kPersistent);
  w.add("/f2", 1, WatchKind::kChild);
  EXPECT_THAT(create(w, "/f2/k", "/f2"), ElementsAre(Fired{1, kChildren, "/f2"}));
  EXPECT_THAT(create(w, "/f2/k2", "/f2"), IsEmpty());
  EXPECT_THAT(set(w, "/f2"), ElementsAre(Fired{1, kChanged, "/f2"}));
}

TEST(WatchRegistryTest, RemovingTheDataSideOfARecursiveWatchLeavesOnlyDeletes) {
  // [ZK] addWatch(/f4, RECURSIVE), removeWatches(/f4, Data): set and create under /f4 fired
  // nothing, delete /f4/x still fired NodeDeleted (the child table's recursive entry);
  // removeWatches(/f4, Children) then matched, and a second Any did not.
  WatchRegistry w;
  w.add("/f4", 1, WatchKind::kPersistentRecursive);
  EXPECT_TRUE(w.remove("/f4", 1, WatcherType::kData, true));
  EXPECT_THAT(set(w, "/f4/x"), IsEmpty());
  EXPECT_THAT(create(w, "/f4/y", "/f4"), IsEmpty());
  EXPECT_THAT(remove(w, "/f4/x", "/f4"), ElementsAre(Fired{1, kDeleted, "/f4/x"}));
  EXPECT_TRUE(w.remove("/f4", 1, WatcherType::kChildren, true));
  EXPECT_FALSE(w.remove("/f4", 1, WatcherType::kAny, true));
  EXPECT_THAT(remove(w, "/f4/y", "/f4"), IsEmpty());
  EXPECT_EQ(w.watch_count(), 0u);
}

TEST(WatchRegistryTest, CheckMatchesAnyConnectionOnThePathButRemoveOnlyYourOwn) {
  // [ZK] A: getChildren(/e2, watch). B: checkWatches(/e2, Children) -> 0 and Any -> 0, but
  // removeWatches(/e2, Children) -> NOWATCHER. A: checkWatches(/e2, Data) -> NOWATCHER.
  WatchRegistry w;
  w.add("/e2", 1, WatchKind::kChild);
  EXPECT_TRUE(w.remove("/e2", 2, WatcherType::kChildren, false));
  EXPECT_TRUE(w.remove("/e2", 2, WatcherType::kAny, false));
  EXPECT_FALSE(w.remove("/e2", 2, WatcherType::kChildren, true));
  EXPECT_FALSE(w.remove("/e2", 1, WatcherType::kData, false));
  EXPECT_TRUE(w.remove("/e2", 1, WatcherType::kChildren, false));
  EXPECT_TRUE(w.has_watch("/e2", 1, WatchKind::kChild));  // a check removes nothing
  EXPECT_TRUE(w.remove("/e2", 1, WatcherType::kAny, true));
  EXPECT_FALSE(w.remove("/e2", 1, WatcherType::kAny, false));
}

TEST(WatchRegistryTest, CheckBelowARecursiveWatchFindsNothing) {
  // [ZK] addWatch(/f4, RECURSIVE); checkWatches(/f4/x, Data/Any) -> NOWATCHER; on /f4 both
  // Data and Children match (a recursive watch sits in both tables).
  WatchRegistry w;
  w.add("/f4", 1, WatchKind::kPersistentRecursive);
  EXPECT_FALSE(w.remove("/f4/x", 1, WatcherType::kData, false));
  EXPECT_FALSE(w.remove("/f4/x", 1, WatcherType::kAny, false));
  EXPECT_TRUE(w.remove("/f4", 1, WatcherType::kData, false));
  EXPECT_TRUE(w.remove("/f4", 1, WatcherType::kChildren, false));
}

TEST(WatchRegistryTest, CountsFollowZooKeeper) {
  // [ZK] mntr zk_watch_count counts both tables; wchs/wchc/wchp show the data table only.
  WatchRegistry w;
  w.add("/a", 1, WatchKind::kChild);
  EXPECT_EQ(w.watch_count(), 1u);
  EXPECT_EQ(w.data_watch_count(), 0u);
  EXPECT_EQ(w.path_count(), 0u);
  EXPECT_EQ(w.watcher_count(), 0u);
  w.add("/b", 1, WatchKind::kPersistent);
  w.add("/c", 2, WatchKind::kPersistentRecursive);
  w.add("/b", 3, WatchKind::kData);
  EXPECT_EQ(w.watch_count(), 6u);
  EXPECT_EQ(w.data_watch_count(), 3u);
  EXPECT_EQ(w.path_count(), 2u);
  EXPECT_EQ(w.watcher_count(), 3u);
  EXPECT_THAT(w.by_watcher(), ElementsAre(Pair(1u, ElementsAre("/b")), Pair(2u, ElementsAre("/c")),
                                          Pair(3u, ElementsAre("/b"))));
  EXPECT_THAT(w.by_path(), ElementsAre(Pair("/b", ElementsAre(1u, 3u)),
                                       Pair("/c", ElementsAre(2u))));
}

TEST(WatchRegistryTest, ClosingAConnectionDropsAllItsWatches) {
  WatchRegistry w;
  w.add("/a", 1, WatchKind::kData);
  w.add("/a", 2, WatchKind::kData);
  w.add("/b", 1, WatchKind::kPersistentRecursive);
  w.add("/c", 1, WatchKind::kChild);
  w.remove_watcher(1);
  w.remove_watcher(42);  // unknown: nothing happens
  EXPECT_EQ(w.watch_count(), 1u);
  EXPECT_THAT(set(w, "/b/x"), IsEmpty());
  EXPECT_THAT(set(w, "/a"), ElementsAre(Fired{2, kChanged, "/a"}));
}

TEST(WatchRegistryTest, ManyWatchersOnOnePathAllFire) {
  WatchRegistry w;
  constexpr WatcherId kWatchers = 20000;
  for (WatcherId id = 1; id <= kWatchers; ++id) w.add("/herd", id, WatchKind::kData);
  w.add("/", 1, WatchKind::kPersistentRecursive);  // forces the de-duplicating path
  auto events = set(w, "/herd");
  EXPECT_EQ(events.size(), kWatchers);
  EXPECT_EQ(w.watch_count(), 2u);
  for (WatcherId id = 1; id <= kWatchers; ++id) w.remove_watcher(id);
  EXPECT_EQ(w.watch_count(), 0u);
}

// The wchs counts are kept as watches come and go; they must agree with a full walk.
TEST(WatchRegistryTest, KeptCountsAgreeWithTheTablesThroughAddsFiresRemovesAndCloses) {
  WatchRegistry w;
  auto check = [&](const std::string& when) {
    size_t total = 0;
    for (const auto& [watcher, paths] : w.by_watcher()) total += paths.size();
    EXPECT_EQ(w.watcher_count(), w.by_watcher().size()) << when;
    EXPECT_EQ(w.path_count(), w.by_path().size()) << when;
    EXPECT_EQ(w.data_watch_count(), total) << when;
  };
  for (WatcherId c = 1; c <= 5; ++c) {
    for (int p = 0; p < 8; ++p) {
      const std::string path = "/p" + std::to_string(p);
      if ((c + p) % 3 == 0) w.add(path, c, WatchKind::kChild);
      if ((c + p) % 2 == 0) w.add(path, c, WatchKind::kData);
      if ((c * p) % 7 == 1) w.add(path, c, WatchKind::kPersistent);
    }
  }
  check("after adds");
  fire(w, "/p2", EventType::kNodeDataChanged);
  check("after a data change");
  fire(w, "/p3", EventType::kNodeDeleted);
  check("after a delete");
  w.remove("/p4", 2, WatcherType::kData, true);
  w.remove("/p5", 3, WatcherType::kAny, true);
  check("after removes");
  w.remove_watcher(4);
  check("after a close");
  for (WatcherId c = 1; c <= 5; ++c) w.remove_watcher(c);
  check("after every close");
  EXPECT_EQ(w.path_count(), 0u);
}

TEST(WatchRegistryTest, WalkInPiecesVisitsEveryDataWatchAndNoChildWatch) {
  WatchRegistry w;
  std::set<std::pair<std::string, WatcherId>> expected;
  for (int p = 0; p < 3000; ++p) {
    const std::string path = "/n" + std::to_string(p);
    w.add(path, p % 7, WatchKind::kData);
    expected.emplace(path, p % 7);
    w.add(path, 100, WatchKind::kChild);  // not listed: wchc/wchp show the data table
  }
  DataWatchWalk walk;
  std::set<std::pair<std::string, WatcherId>> seen;
  size_t pieces = 0;
  while (!walk.done) {
    size_t in_piece = 0;
    w.walk_data_watches(walk, 100, [&](const std::string& path, WatcherId watcher) {
      seen.emplace(path, watcher);
      ++in_piece;
    });
    EXPECT_LE(in_piece, 100u + 30u);  // a piece ends at a bucket boundary
    ++pieces;
    ASSERT_LT(pieces, 10000u);
  }
  EXPECT_GE(pieces, 30u);
  EXPECT_EQ(seen, expected);
}

TEST(WatchRegistryTest, WalkRestartsAfterARehashAndStillMissesNothing) {
  WatchRegistry w;
  for (int p = 0; p < 50; ++p) w.add("/a" + std::to_string(p), 1, WatchKind::kData);
  DataWatchWalk walk;
  std::set<std::string> seen;
  auto visit = [&](const std::string& path, WatcherId) { seen.insert(path); };
  w.walk_data_watches(walk, 10, visit);
  ASSERT_FALSE(walk.done);
  for (int p = 0; p < 5000; ++p) w.add("/b" + std::to_string(p), 2, WatchKind::kData);  // rehash
  while (!walk.done) w.walk_data_watches(walk, 1000, visit);
  EXPECT_EQ(seen.size(), 5050u);
}

}  // namespace
}  // namespace paddock::state
