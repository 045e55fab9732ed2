// GroupMember/GroupMonitor and SubtreeCache against both servers: members come and go (a
// closed session drops its member), the cache converges to the tree after a burst of
// changes and after changes it missed while cut off.
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "client/recipes/group_membership.h"
#include "client/recipes/recipe_test_support.h"
#include "client/recipes/subtree_cache.h"

namespace paddock::client::recipes {
namespace {

class MembershipCacheTest : public RecipeTest {
 protected:
  // The subtree under `path` as the root client reads it (paths relative to the chroot).
  std::map<std::string, std::string> tree(const std::string& path) {
    std::map<std::string, std::string> out;
    SyncClient zk(*root_);
    std::function<void(const std::string&)> walk = [&](const std::string& p) {
      out[p.substr(base_.size())] = zk.get_data(p).data.value_or("<null>");
      for (auto& k : zk.get_children(p)) walk(p + "/" + k);
    };
    walk(base_ + path);
    return out;
  }
  static std::map<std::string, std::string> contents(const SubtreeCache& cache) {
    std::map<std::string, std::string> out;
    for (auto& [p, n] : cache.snapshot()) out[p] = n.data.value_or("<null>");
    return out;
  }
};

TEST_P(MembershipCacheTest, MonitorSeesMembersComeAndGo) {
  SessionEvents events;
  auto mc = chrooted(&events);
  std::atomic<int> changes{0};
  GroupMonitor monitor(*mc, events, "/workers", [&](const GroupMonitor::Members&) { changes++; });
  ASSERT_TRUE(monitor.start().ok());
  EXPECT_TRUE(monitor.members().empty());
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<GroupMember>> members;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(chrooted());
    members.push_back(std::make_unique<GroupMember>(
        *clients.back(), "/workers", "w" + std::to_string(i), "host" + std::to_string(i)));
    ASSERT_TRUE(members.back()->join().ok());
  }
  ASSERT_TRUE(monitor.wait_for([](auto& m) { return m.size() == 3; }, 20s));
  EXPECT_EQ(monitor.members().at("w1"), "host1");
  // Another session cannot take a live member's id.
  auto intruder = chrooted();
  EXPECT_EQ(GroupMember(*intruder, "/workers", "w1").join().code(), Err::kNodeExists);
  // A member whose session ends (its process died) is gone; one leaves on purpose.
  clients[0]->close();
  ASSERT_TRUE(monitor.wait_for([](auto& m) { return m.size() == 2 && !m.count("w0"); }, 20s));
  ASSERT_TRUE(members[2]->leave().ok());
  ASSERT_TRUE(monitor.wait_for([](auto& m) { return m.size() == 1 && m.count("w1"); }, 20s));
  EXPECT_GE(changes.load(), 3);
}

TEST_P(MembershipCacheTest, CacheConvergesAfterABurstOfChanges) {
  SyncClient zk(*root_);
  zk.create(base_ + "/tree", "root");
  zk.create(base_ + "/tree/pre", "existing");
  SessionEvents events;
  auto c = chrooted(&events);
  std::atomic<int> created{0}, changed{0}, deleted{0};
  SubtreeCache cache(*c, events, "/tree",
                     {.on_created = [&](auto&, auto&) { created++; },
                      .on_changed = [&](auto&, auto&, auto&) { changed++; },
                      .on_deleted = [&](auto&, auto&) { deleted++; }});
  cache.start();
  ASSERT_TRUE(cache.wait_initialized(20s));
  EXPECT_EQ(contents(cache), tree("/tree"));
  // A burst from another client, without waiting between writes.
  auto w = chrooted();
  std::vector<std::future<Result<CreateResult>>> creates;
  for (int i = 0; i < 10; ++i) {
    creates.push_back(w->create("/tree/n" + std::to_string(i), "v0"));
    creates.push_back(w->create("/tree/n" + std::to_string(i) + "/leaf", "x"));
  }
  std::vector<std::future<Result<Stat>>> sets;
  for (int i = 0; i < 10; ++i) sets.push_back(w->set_data("/tree/n" + std::to_string(i), "v1"));
  std::vector<std::future<Result<Empty>>> removes;
  for (int i = 0; i < 10; i += 2)
    removes.push_back(w->remove("/tree/n" + std::to_string(i) + "/leaf"));
  removes.push_back(w->remove("/tree/pre"));
  for (auto& f : creates) ASSERT_TRUE(f.get().ok());
  for (auto& f : sets) ASSERT_TRUE(f.get().ok());
  for (auto& f : removes) ASSERT_TRUE(f.get().ok());
  auto want = tree("/tree");
  EXPECT_EQ(want.size(), 1u + 10 + 5);
  ASSERT_TRUE(wait_until([&] { return contents(cache) == want; })) << contents(cache).size();
  // The listeners saw a history that adds up to the tree (a node created and deleted before
  // the cache read it is seen by neither listener: reads see the latest state).
  EXPECT_EQ(created.load() - deleted.load(), static_cast<int>(want.size()));
  EXPECT_GE(deleted.load(), 1);  // /tree/pre was in the cache before the burst
  EXPECT_EQ(cache.get("/tree/n3")->data, NodeData("v1"));
}

TEST_P(MembershipCacheTest, CacheReloadsWhatItMissedWhileCutOff) {
  SyncClient zk(*root_);
  zk.create(base_ + "/tree", "r");
  zk.create(base_ + "/tree/a", "1");
  zk.create(base_ + "/tree/b", "1");
  TcpProxy proxy(server_->port());
  SessionEvents events;
  auto c = open_client(proxy.hostport() + base_, &events);
  std::atomic<int> initialized{0};
  SubtreeCache cache(*c, events, "/tree", {.on_initialized = [&] { initialized++; }});
  cache.start();
  ASSERT_TRUE(cache.wait_initialized(20s));
  proxy.blackhole(true);
  zk.set_data(base_ + "/tree/a", "2");
  zk.remove(base_ + "/tree/b");
  zk.create(base_ + "/tree/c", "3");
  proxy.blackhole(false);
  proxy.cut();
  auto want = tree("/tree");
  ASSERT_TRUE(wait_until([&] { return contents(cache) == want; })) << contents(cache).size();
  EXPECT_EQ(initialized.load(), 2);
}

// A reload that a connection loss cuts short has not seen the whole tree: it must neither
// report live nodes deleted nor call on_initialized; the next connection loads again.
TEST_P(MembershipCacheTest, CacheIgnoresALoadCutShort) {
  SyncClient zk(*root_);
  zk.create(base_ + "/tree", "r");
  zk.create(base_ + "/tree/a", "1");
  zk.create(base_ + "/tree/b", "1");
  TcpProxy proxy(server_->port());
  SessionEvents events;
  auto c = open_client(proxy.hostport() + base_, &events, 6000ms);
  std::atomic<int> initialized{0}, deleted{0};
  SubtreeCache cache(*c, events, "/tree",
                     {.on_deleted = [&](const std::string&, const CachedNode&) { deleted++; },
                      .on_initialized = [&] { initialized++; }});
  cache.start();
  ASSERT_TRUE(cache.wait_initialized(20s));
  // Reconnect (the handshake and SetWatches replies pass), then hold the reload's replies
  // and cut again: the reload fails with kConnectionLoss.
  proxy.hold_replies_after(2);
  proxy.cut();
  ASSERT_TRUE(wait_until([&] { return proxy.held_frames() > 0; }));
  proxy.cut();
  proxy.release();
  proxy.cut();
  auto want = tree("/tree");
  ASSERT_TRUE(wait_until([&] { return contents(cache) == want && initialized.load() >= 2; }));
  EXPECT_EQ(deleted.load(), 0);
  EXPECT_EQ(initialized.load(), 2);
}

PADDOCK_RECIPE_SUITE(MembershipCacheTest);

}  // namespace
}  // namespace paddock::client::recipes
