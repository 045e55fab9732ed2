// DataTree: the stat rules, errors and indexes of applying each txn kind.
#include "state/data_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/tree_test_util.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::EventType;
using testing::child_names;
using testing::create_body;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::make_txn;
using testing::open_acl;
using testing::TreeDriver;

std::vector<std::pair<EventType, std::string>> kinds(const std::vector<WatchEvent>& events) {
  std::vector<std::pair<EventType, std::string>> out;
  for (const auto& e : events) out.emplace_back(e.type, e.path);
  return out;
}

TEST(DataTreeTest, StartsWithTheNodesOfAStandaloneZooKeeper) {
  DataTree tree;
  EXPECT_EQ(tree.node_count(), 4u);
  ASSERT_NE(tree.find("/"), nullptr);
  const Znode* zk = tree.find("/zookeeper");
  ASSERT_NE(zk, nullptr);
  EXPECT_THAT(child_names(*zk), ElementsAre("config", "quota"));
  EXPECT_EQ(tree.client_stat(*zk).cversion, -2);  // two children, no counted creates
  const Znode* config = tree.find("/zookeeper/config");
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->data(), "");
  EXPECT_EQ(config->stat.aversion, -1);
  EXPECT_EQ(config->stat.version, 0);
  EXPECT_THAT(tree.acl(*config),
              ElementsAre(proto::Acl{proto::perm::kRead, proto::Id{"world", "anyone"}}));
  EXPECT_EQ(tree.acl(*tree.find("/")), open_acl());
  EXPECT_EQ(tree.approximate_data_size(), 44);  // as mntr reports on a fresh ZooKeeper
  EXPECT_EQ(tree.descendant_count("/"), 3);
  EXPECT_EQ(tree.last_zxid(), 0);
}

TEST(DataTreeTest, ConfigNodeTakesTheEnsembleConfigOutsideAnyTxn) {
  DataTree tree;
  tree.watches().add("/zookeeper/config", 3, WatchKind::kData);
  int64_t digest = tree.digest();
  auto events = tree.set_config_node("server.1=127.0.0.1:2888:3888:participant\nversion=100000000",
                                     0x100000000, 777);
  const Znode* config = tree.find("/zookeeper/config");
  EXPECT_EQ(config->data(), "server.1=127.0.0.1:2888:3888:participant\nversion=100000000");
  EXPECT_EQ(config->stat.version, -1);
  EXPECT_EQ(config->stat.mzxid, 0x100000000);
  EXPECT_EQ(config->stat.mtime, 777);
  EXPECT_EQ(config->stat.aversion, -1);
  EXPECT_EQ(tree.last_zxid(), 0);
  EXPECT_EQ(tree.digest(), digest);  // under /zookeeper/
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kNodeDataChanged);
}

TEST(DataTreeTest, CreateSetsTheStatFromTheTxn) {
  DataTree tree;
  ApplyResult r = tree.apply(make_txn(7, create_body("/a", "hello", 1), 0x100, 5555));
  ASSERT_EQ(r.err, Err::kOk);
  const Znode* a = tree.find("/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->data(), "hello");
  proto::StatPersisted want{7, 7, 5555, 5555, 0, 0, 0, 0, 7};
  EXPECT_EQ(a->stat, want);
  EXPECT_EQ(r.single.path, "/a");
  EXPECT_EQ(r.single.stat, tree.client_stat(*a));
  EXPECT_EQ(r.single.stat.data_length, 5);
  const Znode* root = tree.find("/");
  EXPECT_EQ(root->stat.cversion, 1);
  EXPECT_EQ(root->stat.pzxid, 7);
  EXPECT_EQ(tree.last_zxid(), 7);
}

TEST(DataTreeTest, CreateTakesTheParentCversionFromTheTxn) {
  DataTree tree;
  tree.apply(make_txn(1, create_body("/p", "", 1)));
  tree.apply(make_txn(2, create_body("/p/n-0000000005", "", 6)));
  EXPECT_EQ(tree.find("/p")->stat.cversion, 6);
  EXPECT_EQ(tree.find("/p")->stat.pzxid, 2);
  // -1 (older txn formats) means "one more than now".
  tree.apply(make_txn(3, create_body("/p/x", "", -1)));
  EXPECT_EQ(tree.find("/p")->stat.cversion, 7);
}

TEST(DataTreeTest, CreateFailsWithNoNodeWhenTheParentIsMissing) {
  DataTree tree;
  ApplyResult r = tree.apply(make_txn(1, create_body("/a/b", "", 1)));
  EXPECT_EQ(r.err, Err::kNoNode);
  EXPECT_EQ(r.single.err, Err::kNoNode);
  EXPECT_EQ(tree.find("/a/b"), nullptr);
  EXPECT_EQ(tree.last_zxid(), 1);
}

TEST(DataTreeTest, CreateOfAnExistingNodeFailsButMovesTheParentCversionForward) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a", "x");
  // A replay over a fuzzy snapshot: the node is already there, the parent lags behind.
  ApplyResult r = tree.apply(make_txn(5, create_body("/a", "other", 4)));
  EXPECT_EQ(r.err, Err::kNodeExists);
  EXPECT_EQ(tree.find("/a")->data(), "x");
  EXPECT_EQ(tree.find("/")->stat.cversion, 4);
  EXPECT_EQ(tree.find("/")->stat.pzxid, 5);
  // A lower cversion never moves it back.
  tree.apply(make_txn(6, create_body("/a", "", 2)));
  EXPECT_EQ(tree.find("/")->stat.cversion, 4);
  EXPECT_EQ(tree.find("/")->stat.pzxid, 5);
}

TEST(DataTreeTest, CreateOfTheRootFailsWithNodeExists) {
  DataTree tree;
  EXPECT_EQ(tree.apply(make_txn(1, create_body("/", "", 1))).err, Err::kNodeExists);
}

TEST(DataTreeTest, DeleteMovesParentPzxidAndKeepsTheCountOfCreates) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/n");
  d.create("/n/c-0");
  d.create("/n/c-1");
  d.create("/n/c-2");
  ApplyResult r = d.remove("/n/c-1");
  ASSERT_EQ(r.err, Err::kOk);
  const Znode* n = tree.find("/n");
  EXPECT_EQ(n->stat.cversion, 3);  // creates only
  EXPECT_EQ(n->stat.pzxid, 5);
  EXPECT_EQ(tree.client_stat(*n).cversion, 4);  // 3 creates + 1 delete
  EXPECT_EQ(tree.client_stat(*n).num_children, 2);
  EXPECT_EQ(tree.find("/n/c-1"), nullptr);
  // The next sequential suffix comes from the stored cversion: 3.
  EXPECT_EQ(d.next_cversion("/n/x"), 4);
}

TEST(DataTreeTest, DeleteOfAMissingNodeFailsButStillMovesTheParentPzxid) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/n");
  ApplyResult r = tree.apply(make_txn(9, proto::DeleteTxn{"/n/gone"}));
  EXPECT_EQ(r.err, Err::kNoNode);
  EXPECT_EQ(tree.find("/n")->stat.pzxid, 9);
  // A lower zxid does not move it back.
  tree.apply(make_txn(10, proto::DeleteTxn{"/n/gone"}));
  EXPECT_EQ(tree.find("/n")->stat.pzxid, 10);
  EXPECT_EQ(tree.apply(make_txn(11, proto::DeleteTxn{"/x/y"})).err, Err::kNoNode);
  EXPECT_EQ(tree.apply(make_txn(12, proto::DeleteTxn{"/"})).err, Err::kNoNode);
}

TEST(DataTreeTest, DeleteDoesNotLowerAHigherParentPzxid) {
  DataTree tree;
  tree.apply(make_txn(1, create_body("/n", "", 1)));
  tree.apply(make_txn(20, create_body("/n/a", "", 1)));
  tree.apply(make_txn(15, proto::DeleteTxn{"/n/a"}));  // replayed out of the fuzzy range
  EXPECT_EQ(tree.find("/n")->stat.pzxid, 20);
}

TEST(DataTreeTest, SetDataSetsMzxidMtimeAndTheTxnVersion) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a", "x", false, 0x100, 100);
  ApplyResult r = tree.apply(make_txn(2, proto::SetDataTxn{"/a", "longer", 1}, 0x100, 200));
  ASSERT_EQ(r.err, Err::kOk);
  const Znode* a = tree.find("/a");
  EXPECT_EQ(a->data(), "longer");
  EXPECT_EQ(a->stat.mzxid, 2);
  EXPECT_EQ(a->stat.mtime, 200);
  EXPECT_EQ(a->stat.czxid, 1);
  EXPECT_EQ(a->stat.ctime, 100);
  EXPECT_EQ(a->stat.version, 1);
  EXPECT_EQ(a->stat.pzxid, 1);
  EXPECT_EQ(r.single.stat.version, 1);
  EXPECT_EQ(r.single.stat.data_length, 6);
  EXPECT_EQ(tree.approximate_data_size(), 44 + 2 + 6);
  EXPECT_EQ(tree.apply(make_txn(3, proto::SetDataTxn{"/b", "", 1})).err, Err::kNoNode);
}

TEST(DataTreeTest, SetAclSetsAversionAndSharesIdenticalLists) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a");
  d.create("/b");
  EXPECT_EQ(tree.find("/a")->acl_id, tree.find("/b")->acl_id);
  uint32_t open_id = tree.find("/a")->acl_id;
  EXPECT_EQ(tree.acl_table().references(open_id), 2u);
  proto::AclList read{proto::Acl{proto::perm::kRead, proto::Id{"ip", "127.0.0.1"}}};
  ApplyResult r = d.apply(proto::SetAclTxn{"/a", read, 1});
  ASSERT_EQ(r.err, Err::kOk);
  EXPECT_EQ(tree.find("/a")->stat.aversion, 1);
  EXPECT_EQ(r.single.stat.aversion, 1);
  EXPECT_EQ(tree.acl(*tree.find("/a")), read);
  EXPECT_EQ(tree.acl_table().references(open_id), 1u);
  d.remove("/b");
  EXPECT_EQ(tree.acl_table().references(open_id), 0u);
  EXPECT_EQ(d.apply(proto::SetAclTxn{"/zz", read, 1}).err, Err::kNoNode);
  EXPECT_THAT(r.events, IsEmpty());
}

TEST(DataTreeTest, ErrorTxnReturnsItsCodeAndAdvancesTheZxid) {
  DataTree tree;
  ApplyResult r = tree.apply(make_txn(4, proto::ErrorTxn{-110}));
  EXPECT_EQ(r.err, Err::kNodeExists);
  EXPECT_EQ(tree.last_zxid(), 4);
  EXPECT_EQ(tree.node_count(), 4u);
}

TEST(DataTreeTest, LastZxidNeverMovesBack) {
  DataTree tree;
  tree.apply(make_txn(9, proto::ErrorTxn{-101}));
  tree.apply(make_txn(3, proto::ErrorTxn{-101}));
  EXPECT_EQ(tree.last_zxid(), 9);
}

TEST(DataTreeTest, EphemeralsAreIndexedBySession) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/e1", "", true, 0x55);
  d.create("/e2", "", true, 0x55);
  d.create("/f", "", true, 0x66);
  EXPECT_THAT(tree.ephemerals(0x55), ElementsAre("/e1", "/e2"));
  EXPECT_EQ(tree.ephemeral_count(), 3u);
  EXPECT_EQ(tree.client_stat(*tree.find("/e1")).ephemeral_owner, 0x55);
  d.remove("/e1");
  EXPECT_THAT(tree.ephemerals(0x55), ElementsAre("/e2"));
  EXPECT_THAT(tree.ephemerals(0x77), IsEmpty());
  EXPECT_EQ(tree.ephemeral_count(), 2u);
}

TEST(DataTreeTest, EphemeralPeakKeepsTheMostHeldAtOnceUntilTheSessionCloses) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateSessionTxn{5000}, 0x55);
  EXPECT_EQ(tree.ephemeral_peak(0x55), 0u);
  for (int i = 0; i < 13; ++i) d.create("/e" + std::to_string(i), "", true, 0x55);
  for (int i = 0; i < 13; ++i) d.remove("/e" + std::to_string(i));
  EXPECT_TRUE(tree.ephemerals(0x55).empty());
  EXPECT_EQ(tree.ephemeral_peak(0x55), 13u);  // ZooKeeper's set keeps its grown table
  d.create("/again", "", true, 0x55);
  EXPECT_EQ(tree.ephemeral_peak(0x55), 13u);
  d.apply(proto::CloseSessionTxn{{"/again"}}, 0x55);
  EXPECT_EQ(tree.ephemeral_peak(0x55), 0u);
}

TEST(DataTreeTest, SessionTxnsMaintainTheSessionMap) {
  DataTree tree;
  tree.apply(make_txn(1, proto::CreateSessionTxn{30000}, 0x55));
  tree.apply(make_txn(2, proto::CreateSessionTxn{4000}, 0x66));
  EXPECT_EQ(tree.sessions().size(), 2u);
  EXPECT_EQ(tree.sessions().at(0x55), 30000);
  tree.apply(make_txn(3, proto::CloseSessionTxn{}, 0x55));
  EXPECT_EQ(tree.sessions().count(0x55), 0u);
  EXPECT_EQ(tree.last_zxid(), 3);
}

TEST(DataTreeTest, CloseSessionDeletesListedAndKnownEphemerals) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateSessionTxn{30000}, 0x55);
  d.create("/p");
  d.create("/p/e1", "", true, 0x55);
  d.create("/p/e2", "", true, 0x55);
  d.create("/other", "", true, 0x66);
  tree.watches().add("/p", 9, WatchKind::kChild);
  tree.watches().add("/p/e2", 9, WatchKind::kData);
  // The txn lists only e1 (and a path already gone); e2 is still the session's.
  ApplyResult r = d.apply(proto::CloseSessionTxn{{"/p/e1", "/p/missing"}}, 0x55);
  EXPECT_EQ(r.err, Err::kOk);
  EXPECT_EQ(tree.find("/p/e1"), nullptr);
  EXPECT_EQ(tree.find("/p/e2"), nullptr);
  EXPECT_NE(tree.find("/other"), nullptr);
  EXPECT_THAT(tree.ephemerals(0x55), IsEmpty());
  EXPECT_EQ(tree.ephemeral_count(), 1u);
  EXPECT_EQ(tree.sessions().count(0x55), 0u);
  EXPECT_THAT(kinds(r.events), ElementsAre(std::pair(EventType::kNodeChildrenChanged, "/p"),
                                           std::pair(EventType::kNodeDeleted, "/p/e2")));
  EXPECT_EQ(tree.find("/p")->stat.pzxid, tree.last_zxid());
}

TEST(DataTreeTest, ContainersAndTtlNodesShowNoEphemeralOwnerToClients) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateContainerTxn{"/c", "", open_acl(), 1});
  d.apply(proto::CreateTtlTxn{"/t", "", open_acl(), 2, 60000});
  EXPECT_EQ(tree.find("/c")->stat.ephemeral_owner, proto::kContainerOwner);
  EXPECT_EQ(tree.find("/t")->stat.ephemeral_owner,
            static_cast<int64_t>(0xFF0000000000EA60ULL));
  EXPECT_EQ(tree.client_stat(*tree.find("/c")).ephemeral_owner, 0);
  EXPECT_EQ(tree.client_stat(*tree.find("/t")).ephemeral_owner, 0);
  EXPECT_EQ(tree.ephemeral_count(), 0u);
}

TEST(DataTreeTest, ContainerExpiresOnlyAfterItHadChildren) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateContainerTxn{"/c", "", open_acl(), 1}, 0x100, 1000);
  EXPECT_THAT(tree.expired_containers_and_ttls(1'000'000), IsEmpty());
  // Never used for longer than the configured interval: a candidate too.
  EXPECT_THAT(tree.expired_containers_and_ttls(5000, 3000), ElementsAre("/c"));
  EXPECT_THAT(tree.expired_containers_and_ttls(3500, 3000), IsEmpty());
  d.create("/c/child");
  EXPECT_THAT(tree.expired_containers_and_ttls(1'000'000), IsEmpty());
  d.remove("/c/child");
  EXPECT_THAT(tree.expired_containers_and_ttls(0), ElementsAre("/c"));
  d.apply(proto::DeleteTxn{"/c"});
  EXPECT_THAT(tree.expired_containers_and_ttls(1'000'000), IsEmpty());
}

TEST(DataTreeTest, TtlNodeExpiresWhenChildlessAndOlderThanItsTtl) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateTtlTxn{"/t", "", open_acl(), 1, 500}, 0x100, 1000);
  EXPECT_THAT(tree.expired_containers_and_ttls(1500), IsEmpty());  // not strictly past
  EXPECT_THAT(tree.expired_containers_and_ttls(1501), ElementsAre("/t"));
  d.set_data("/t", "touch", 2000);  // mtime moves the deadline
  EXPECT_THAT(tree.expired_containers_and_ttls(1501), IsEmpty());
  EXPECT_THAT(tree.expired_containers_and_ttls(2501), ElementsAre("/t"));
  d.create("/t/child");
  EXPECT_THAT(tree.expired_containers_and_ttls(9999), IsEmpty());
}

TEST(DataTreeTest, EventsOfCreateDeleteAndSetData) {
  DataTree tree;
  TreeDriver d(tree);
  tree.watches().add("/a", 1, WatchKind::kData);  // exists() on a missing node
  tree.watches().add("/", 2, WatchKind::kChild);
  ApplyResult r = d.create("/a");
  EXPECT_EQ(r.events, (std::vector<WatchEvent>{
                          {1, EventType::kNodeCreated, proto::KeeperState::kSyncConnected, "/a"},
                          {2, EventType::kNodeChildrenChanged,
                           proto::KeeperState::kSyncConnected, "/"}}));
  tree.watches().add("/a", 1, WatchKind::kData);
  r = d.set_data("/a", "v");
  EXPECT_THAT(kinds(r.events), ElementsAre(std::pair(EventType::kNodeDataChanged, "/a")));
  r = d.set_data("/a", "w");
  EXPECT_THAT(r.events, IsEmpty());  // one-shot
  tree.watches().add("/a", 1, WatchKind::kData);
  tree.watches().add("/a", 1, WatchKind::kChild);
  tree.watches().add("/", 2, WatchKind::kChild);
  r = d.remove("/a");
  EXPECT_THAT(kinds(r.events), ElementsAre(std::pair(EventType::kNodeDeleted, "/a"),
                                           std::pair(EventType::kNodeChildrenChanged, "/")));
  EXPECT_EQ(tree.watches().watch_count(), 0u);
}

TEST(DataTreeTest, FailedMultiChangesNothingAndReportsPerOpErrors) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a", "x");
  int64_t digest = tree.digest();
  tree.watches().add("/", 1, WatchKind::kChild);
  proto::MultiTxn m;
  m.ops.push_back({1, create_body("/b", "", 2)});
  m.ops.push_back({-1, proto::ErrorTxn{-101}});
  m.ops.push_back({-1, proto::ErrorTxn{-2}});
  ApplyResult r = d.apply(m);
  EXPECT_EQ(r.err, Err::kNoNode);
  ASSERT_EQ(r.multi.size(), 3u);
  EXPECT_EQ(r.multi[0].err, Err::kOk);
  EXPECT_EQ(r.multi[1].err, Err::kNoNode);
  EXPECT_EQ(r.multi[2].err, Err::kRuntimeInconsistency);
  EXPECT_EQ(tree.find("/b"), nullptr);
  EXPECT_EQ(tree.digest(), digest);
  EXPECT_THAT(r.events, IsEmpty());
  EXPECT_EQ(tree.last_zxid(), 2);
}

TEST(DataTreeTest, MultiAppliesEveryOpInOrderWithTheirEvents) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a", "x");
  tree.watches().add("/a", 1, WatchKind::kData);
  tree.watches().add("/", 2, WatchKind::kChild);
  proto::MultiTxn m;
  m.ops.push_back({1, create_body("/b", "bee", 2)});
  m.ops.push_back({5, proto::SetDataTxn{"/a", "y", 1}});
  m.ops.push_back({13, proto::CheckVersionTxn{"/a", 1}});
  m.ops.push_back({2, proto::DeleteTxn{"/b"}});
  ApplyResult r = d.apply(m);
  EXPECT_EQ(r.err, Err::kOk);
  ASSERT_EQ(r.multi.size(), 4u);
  EXPECT_EQ(r.multi[0].path, "/b");
  EXPECT_EQ(r.multi[0].stat.czxid, 2);
  EXPECT_EQ(r.multi[1].stat.version, 1);
  EXPECT_EQ(r.multi[2].err, Err::kOk);
  EXPECT_EQ(tree.find("/a")->data(), "y");
  EXPECT_EQ(tree.find("/b"), nullptr);
  EXPECT_EQ(tree.find("/")->stat.cversion, 2);
  EXPECT_THAT(kinds(r.events), ElementsAre(std::pair(EventType::kNodeChildrenChanged, "/"),
                                           std::pair(EventType::kNodeDataChanged, "/a")));
  // Every op carries the multi's zxid.
  EXPECT_EQ(tree.find("/a")->stat.mzxid, 2);
  EXPECT_EQ(tree.find("/")->stat.pzxid, 2);
}

TEST(DataTreeTest, EmptyMultiOnlyAdvancesTheZxid) {
  DataTree tree;
  ApplyResult r = tree.apply(make_txn(3, proto::MultiTxn{}));
  EXPECT_EQ(r.err, Err::kOk);
  EXPECT_THAT(r.multi, IsEmpty());
  EXPECT_EQ(tree.last_zxid(), 3);
}

TEST(DataTreeTest, DescendantCountAndPreOrderWalk) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a");
  d.create("/a/b");
  d.create("/a/b/c");
  d.create("/a/d");
  d.create("/ab");
  EXPECT_EQ(tree.descendant_count("/a"), 3);
  EXPECT_EQ(tree.descendant_count("/a/b/c"), 0);
  EXPECT_EQ(tree.descendant_count("/nope"), 0);
  EXPECT_EQ(tree.descendant_count("/"), 8);
  std::vector<std::string> order;
  tree.for_each_node([&](std::string_view path, const Znode&) { order.emplace_back(path); });
  EXPECT_THAT(order, ElementsAre("/", "/a", "/a/b", "/a/b/c", "/a/d", "/ab", "/zookeeper",
                                 "/zookeeper/config", "/zookeeper/quota"));
}

TEST(DataTreeTest, RestoreRebuildsIndexesDigestAndSize) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateSessionTxn{5000}, 0x55);
  d.create("/a", "data");
  d.create("/a/e", "", true, 0x55);
  d.apply(proto::CreateContainerTxn{"/c", "", open_acl(), 3});
  d.apply(proto::SetAclTxn{"/a", {proto::Acl{1, proto::Id{"world", "anyone"}}}, 1});

  DataTree copy;
  copy.begin_restore();
  for (const auto& [id, timeout] : tree.sessions()) copy.restore_session(id, timeout);
  tree.for_each_node([&](std::string_view path, const Znode& n) {
    std::optional<proto::AclList> acl;
    if (n.acl_id != AclTable::kOpenId) acl = tree.acl(n);
    ASSERT_TRUE(copy.restore_node(path, n.nullable_data(), acl, n.stat).is_ok()) << path;
  });
  ASSERT_TRUE(copy.finish_restore(tree.last_zxid()).is_ok());
  EXPECT_EQ(copy.digest(), tree.digest());
  EXPECT_EQ(copy.approximate_data_size(), tree.approximate_data_size());
  EXPECT_EQ(copy.node_count(), tree.node_count());
  EXPECT_EQ(copy.last_zxid(), tree.last_zxid());
  EXPECT_THAT(copy.ephemerals(0x55), ElementsAre("/a/e"));
  EXPECT_EQ(copy.sessions(), tree.sessions());
  EXPECT_EQ(copy.acl(*copy.find("/a")), tree.acl(*tree.find("/a")));
  EXPECT_EQ(copy.find("/")->acl_id, AclTable::kOpenId);
  // The container is tracked again.
  TreeDriver dc(copy);
  dc.create("/c/x");
  dc.remove("/c/x");
  EXPECT_THAT(copy.expired_containers_and_ttls(0), ElementsAre("/c"));
}

TEST(DataTreeTest, RestoreRefusesAChildBeforeItsParent) {
  DataTree tree;
  tree.begin_restore();
  EXPECT_FALSE(tree.restore_node("/a/b", "", std::nullopt, {}).is_ok());
  EXPECT_TRUE(tree.restore_node("/", "", std::nullopt, {}).is_ok());
  EXPECT_FALSE(tree.restore_node("/", "", std::nullopt, {}).is_ok());
  EXPECT_TRUE(tree.finish_restore(0).is_ok());
  EXPECT_NE(tree.find("/zookeeper/quota"), nullptr);  // added when missing
}

}  // namespace
}  // namespace paddock::state
