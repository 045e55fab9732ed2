// The pending overlay: writes prepared back to back, before any applies, see each other.
#include <gtest/gtest.h>

#include "state/database_test_util.h"
#include "state/pending_changes.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;
using testing::DbTest;
using testing::kOpen;
using testing::kSession;

class PendingTest : public DbTest {
 protected:
  proto::Txn prep_create(const std::string& path, int32_t flags = 0) {
    return prep(OpCode::kCreate, proto::CreateRequest{path, "", kOpen, flags});
  }
  static std::string created_path(const proto::Txn& txn) {
    return std::get<proto::CreateTxn>(txn.body).path;
  }
};

TEST_F(PendingTest, SecondCreateOfTheSamePathFailsBeforeEitherApplies) {
  proto::Txn first = prep_create("/a");
  proto::Txn second = prep_create("/a");
  EXPECT_EQ(txn_error(first), Err::kOk);
  EXPECT_EQ(txn_error(second), Err::kNodeExists);
  EXPECT_EQ(apply(first, OpCode::kCreate).reply.err, Err::kOk);
  EXPECT_EQ(apply(second, OpCode::kCreate).reply.err, Err::kNodeExists);
}

TEST_F(PendingTest, DeleteThenCreatePreparedBackToBackBothSucceed) {
  ASSERT_EQ(create("/a"), Err::kOk);
  proto::Txn del = prep(OpCode::kDelete, proto::DeleteRequest{"/a", 0});
  proto::Txn again = prep_create("/a");
  proto::Txn del_again = prep(OpCode::kDelete, proto::DeleteRequest{"/a", 0});
  proto::Txn set_gone = prep(OpCode::kSetData, proto::SetDataRequest{"/a/none", "", -1});
  EXPECT_EQ(txn_error(del), Err::kOk);
  EXPECT_EQ(txn_error(again), Err::kOk);
  EXPECT_EQ(txn_error(del_again), Err::kOk);
  EXPECT_EQ(txn_error(set_gone), Err::kNoNode);
  for (const proto::Txn* t : {&del, &again, &del_again}) apply(*t, OpCode::kDelete);
  EXPECT_FALSE(exists("/a"));
}

TEST_F(PendingTest, SequentialNamesStayUniqueAcrossPendingCreates) {
  ASSERT_EQ(create("/q"), Err::kOk);
  proto::Txn a = prep_create("/q/n-", 2);
  proto::Txn b = prep_create("/q/n-", 2);
  proto::Txn c = prep_create("/q/n-", 3);
  EXPECT_EQ(created_path(a), "/q/n-0000000000");
  EXPECT_EQ(created_path(b), "/q/n-0000000001");
  EXPECT_EQ(created_path(c), "/q/n-0000000002");
  EXPECT_EQ(std::get<proto::CreateTxn>(c.body).parent_cversion, 3);
  for (const proto::Txn* t : {&a, &b, &c}) {
    EXPECT_EQ(apply(*t, OpCode::kCreate).reply.err, Err::kOk);
  }
  EXPECT_EQ(db_.tree().find("/q")->children().size(), 3u);
}

TEST_F(PendingTest, VersionsChainAcrossPendingSetData) {
  ASSERT_EQ(create("/a"), Err::kOk);
  proto::Txn s1 = prep(OpCode::kSetData, proto::SetDataRequest{"/a", "1", 0});
  proto::Txn s2 = prep(OpCode::kSetData, proto::SetDataRequest{"/a", "2", 1});
  proto::Txn stale = prep(OpCode::kSetData, proto::SetDataRequest{"/a", "3", 1});
  EXPECT_EQ(std::get<proto::SetDataTxn>(s2.body).version, 2);
  EXPECT_EQ(txn_error(stale), Err::kBadVersion);
}

TEST_F(PendingTest, ChildOfAPendingCreateAndItsAclAreSeen) {
  proto::Txn parent =
      prep(OpCode::kCreate, proto::CreateRequest{"/p", "", testing::world(proto::perm::kRead), 0});
  proto::Txn child = prep_create("/p/c");
  EXPECT_EQ(txn_error(parent), Err::kOk);
  EXPECT_EQ(txn_error(child), Err::kNoAuth);  // the pending node's ACL has no CREATE
  proto::Txn eph = prep_create("/e", 1);
  EXPECT_EQ(txn_error(prep_create("/e/c")), Err::kNoChildrenForEphemerals);
  (void)eph;
}

TEST_F(PendingTest, ApplyDropsChangesUpToItsZxid) {
  proto::Txn a = prep_create("/a");
  proto::Txn b = prep_create("/b");
  EXPECT_EQ(db_.pending_change_count(), 4u);  // each create: the node and its parent
  apply(a, OpCode::kCreate);
  EXPECT_EQ(db_.pending_change_count(), 2u);
  apply(b, OpCode::kCreate);
  EXPECT_EQ(db_.pending_change_count(), 0u);
}

TEST_F(PendingTest, DropPendingForgetsEverything) {
  prep_create("/a");
  db_.drop_pending();
  EXPECT_EQ(db_.pending_change_count(), 0u);
  EXPECT_EQ(txn_error(prep_create("/a")), Err::kOk);
}

TEST_F(PendingTest, CloseSessionDeletesTreeAndPendingEphemeralsOnly) {
  open_session(0x42);
  ASSERT_EQ(create("/e1", "", kOpen, 1), Err::kOk);
  ASSERT_EQ(create("/e2", "", kOpen, 1), Err::kOk);
  ASSERT_EQ(create("/dir"), Err::kOk);
  proto::Txn pending_eph = prep_create("/dir/e3", 1);
  proto::Txn pending_del = prep(OpCode::kDelete, proto::DeleteRequest{"/e2", -1});
  proto::Txn close = db_.prep_close_session(kSession, ++zxid_, now_);
  EXPECT_EQ(close.header.type, -11);
  EXPECT_EQ(close.header.session_id, kSession);
  const auto& paths = std::get<proto::CloseSessionTxn>(close.body).paths_to_delete;
  EXPECT_EQ(paths, (std::vector<std::string>{"/dir/e3", "/e1"}));
  EXPECT_EQ(txn_error(prep(OpCode::kDelete, proto::DeleteRequest{"/dir", -1})),
            Err::kSessionExpired);  // the session is closing
  // Another session sees the directory empty once the close is prepared.
  session_ = 0x42;
  proto::Txn del_dir = prep(OpCode::kDelete, proto::DeleteRequest{"/dir", -1});
  EXPECT_EQ(txn_error(del_dir), Err::kOk);
  for (const proto::Txn* t : {&pending_eph, &pending_del, &close, &del_dir}) {
    db_.apply(*t, nullptr);
  }
  EXPECT_FALSE(exists("/e1"));
  EXPECT_FALSE(exists("/dir"));
  EXPECT_TRUE(exists("/e2") == false);
  EXPECT_TRUE(db_.tree().ephemerals(kSession).empty());
}

TEST_F(PendingTest, CloseSessionListsEphemeralsInZooKeeperOrder) {
  // Seen on ZooKeeper 3.8.0 (differential seed 395): these ephemerals, created in this
  // order, were deleted (and their NodeDeleted events fired) in the order checked below.
  const std::string b = "/diff-395";
  ASSERT_EQ(create(b), Err::kOk);
  ASSERT_EQ(create(b + "/b0000000003"), Err::kOk);
  for (const char* p : {"/a0000000004", "/b0000000003/b", "/b0000000003/c0000000001"}) {
    ASSERT_EQ(create(b + p, "", kOpen, 1), Err::kOk);
  }
  // The last one is still pending when the close is prepared: ZooKeeper adds it to the set.
  proto::Txn pending = prep_create(b + "/b0000000003/a0000000002", 1);
  proto::Txn close = db_.prep_close_session(kSession, ++zxid_, now_);
  EXPECT_EQ(
      std::get<proto::CloseSessionTxn>(close.body).paths_to_delete,
      (std::vector<std::string>{b + "/b0000000003/a0000000002", b + "/b0000000003/c0000000001",
                                b + "/a0000000004", b + "/b0000000003/b"}));
}

TEST_F(PendingTest, AnotherSessionMayRecreateAClosingSessionsEphemeral) {
  open_session(0x42);
  ASSERT_EQ(create("/e", "", kOpen, 1), Err::kOk);
  proto::Txn close = db_.prep_close_session(kSession, ++zxid_, now_);
  session_ = 0x42;
  proto::Txn again = prep_create("/e", 1);
  EXPECT_EQ(txn_error(again), Err::kOk);
  db_.apply(close, nullptr);
  apply(again, OpCode::kCreate);
  EXPECT_EQ(stat("/e").ephemeral_owner, 0x42);
}

TEST_F(PendingTest, DeleteContainerRemovesAnEmptyContainerOnly) {
  ASSERT_EQ(write(OpCode::kCreateContainer, proto::CreateRequest{"/k", "", kOpen, 4}).reply.err,
            Err::kOk);
  ASSERT_EQ(create("/k/c"), Err::kOk);
  proto::Txn busy = db_.prep_delete_container("/k", ++zxid_, now_);
  EXPECT_EQ(txn_error(busy), Err::kNotEmpty);
  ASSERT_EQ(remove("/k/c"), Err::kOk);
  proto::Txn pending_child = prep_create("/k/again");
  EXPECT_EQ(txn_error(db_.prep_delete_container("/k", ++zxid_, now_)), Err::kNotEmpty);
  apply(pending_child, OpCode::kCreate);
  ASSERT_EQ(remove("/k/again"), Err::kOk);
  proto::Txn del = db_.prep_delete_container("/k", ++zxid_, now_);
  EXPECT_EQ(del.header.type, 20);
  EXPECT_EQ(del.header.session_id, 0);
  EXPECT_EQ(std::get<proto::DeleteTxn>(del.body).path, "/k");
  db_.apply(del, nullptr);
  EXPECT_FALSE(exists("/k"));
}

TEST_F(PendingTest, DeleteContainerRefusesOtherNodesAndUnexpiredTtls) {
  ASSERT_EQ(create("/plain"), Err::kOk);
  ASSERT_EQ(create("/eph", "", kOpen, 1), Err::kOk);
  EXPECT_EQ(txn_error(db_.prep_delete_container("/plain", ++zxid_, now_)), Err::kBadVersion);
  EXPECT_EQ(txn_error(db_.prep_delete_container("/eph", ++zxid_, now_)), Err::kBadVersion);
  EXPECT_EQ(txn_error(db_.prep_delete_container("/none", ++zxid_, now_)), Err::kNoNode);
  EXPECT_EQ(txn_error(db_.prep_delete_container("/zookeeper", ++zxid_, now_)), Err::kBadArguments);
}

class TtlPendingTest : public DbTest {
 protected:
  TtlPendingTest()
      : DbTest([] {
          DatabaseOptions o;
          o.extended_types_enabled = true;
          return o;
        }()) {}
};

TEST_F(TtlPendingTest, DeleteContainerRemovesATtlNodeOnlyOnceItsTtlHasPassed) {
  ASSERT_EQ(write(OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 5, 1000}).reply.err,
            Err::kOk);
  EXPECT_EQ(txn_error(db_.prep_delete_container("/t", ++zxid_, now_ + 1000)), Err::kBadVersion);
  proto::Txn del = db_.prep_delete_container("/t", ++zxid_, now_ + 1001);
  EXPECT_EQ(txn_error(del), Err::kOk);
  db_.apply(del, nullptr);
  EXPECT_FALSE(exists("/t"));
}

// A node record told apart from others by its data length.
NodeRecord record_of_length(int64_t data_length) {
  NodeRecord r;
  r.data_length = data_length;
  return r;
}

TEST(PendingChangesTest, RollbackRestoresTheShadowedChange) {
  PendingChanges p;
  p.add(5, "/a", record_of_length(1));
  uint64_t mark = p.mark();
  p.add(6, "/a", record_of_length(2));
  p.add(6, "/b", std::nullopt);
  p.rollback(mark);
  ASSERT_NE(p.latest("/a"), nullptr);
  EXPECT_EQ(p.latest("/a")->node->data_length, 1);
  EXPECT_EQ(p.latest("/b"), nullptr);
  p.applied(5);
  EXPECT_EQ(p.latest("/a"), nullptr);
  EXPECT_TRUE(p.empty());
}

TEST(PendingChangesTest, ApplyKeepsALaterChangeOfTheSamePath) {
  PendingChanges p;
  p.add(5, "/a", NodeRecord{});
  p.add(7, "/a", std::nullopt);
  p.applied(5);
  ASSERT_NE(p.latest("/a"), nullptr);
  EXPECT_EQ(p.latest("/a")->zxid, 7);
  EXPECT_FALSE(p.latest("/a")->node.has_value());
  p.applied(7);
  EXPECT_EQ(p.latest("/a"), nullptr);
}

TEST(PendingChangesTest, AMultiChangingOnePathTwiceIsForgottenOnlyAfterBothApply) {
  PendingChanges p;
  p.add(9, "/a", record_of_length(1));  // one multi: both ops share zxid 9
  p.add(9, "/a", record_of_length(2));
  ASSERT_NE(p.latest("/a"), nullptr);
  EXPECT_EQ(p.latest("/a")->node->data_length, 2);
  p.applied(8);
  EXPECT_EQ(p.latest("/a")->node->data_length, 2);
  p.applied(9);
  EXPECT_EQ(p.latest("/a"), nullptr);
  EXPECT_TRUE(p.empty());
}

TEST(PendingChangesTest, RollingBackAMultiThatChangedOnePathTwiceRestoresTheEarlierTxn) {
  PendingChanges p;
  p.add(4, "/a", record_of_length(7));
  uint64_t mark = p.mark();
  p.add(5, "/a", NodeRecord{});
  p.add(5, "/a", std::nullopt);
  p.rollback(mark);
  ASSERT_NE(p.latest("/a"), nullptr);
  EXPECT_EQ(p.latest("/a")->zxid, 4);
  EXPECT_EQ(p.latest("/a")->node->data_length, 7);
  EXPECT_EQ(p.change_count(), 1u);
  p.applied(4);
  EXPECT_TRUE(p.empty());
}

// Entries point into the map of latest changes; growing it (rehashing) must not lose them.
TEST(PendingChangesTest, ThousandsOfPathsSurviveTheMapGrowingAndDrainInOrder) {
  PendingChanges p;
  constexpr int kPaths = 5000;
  for (int i = 0; i < kPaths; ++i) {
    p.add(i + 1, "/n" + std::to_string(i), record_of_length(i));
    p.add(i + 1, "/n" + std::to_string(i / 2), std::nullopt);
  }
  size_t visited = 0;
  p.for_each_change([&](const std::string& path, const PendingChanges::Change&) {
    EXPECT_EQ(path.front(), '/');
    ++visited;
  });
  EXPECT_EQ(visited, 2u * kPaths);
  p.applied(kPaths / 2);
  EXPECT_EQ(p.latest("/n0"), nullptr);
  ASSERT_NE(p.latest("/n" + std::to_string(kPaths - 1)), nullptr);
  EXPECT_EQ(p.latest("/n" + std::to_string(kPaths - 1))->node->data_length, kPaths - 1);
  p.applied(kPaths);
  EXPECT_TRUE(p.empty());
}

TEST(PendingChangesTest, ForEachChangeVisitsEveryChangeInTheOrderAdded) {
  PendingChanges p;
  p.add(5, "/a", record_of_length(1));
  p.add(6, "/b", record_of_length(2));
  p.add(7, "/a", std::nullopt);
  p.add(8, "/a", record_of_length(3));
  auto visited = [&p] {
    std::vector<std::pair<std::string, int64_t>> out;  // data length, -1 for a deletion
    p.for_each_change([&](const std::string& path, const PendingChanges::Change& c) {
      out.emplace_back(path, c.node ? c.node->data_length : -1);
    });
    return out;
  };
  using V = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(visited(), (V{{"/a", 1}, {"/b", 2}, {"/a", -1}, {"/a", 3}}));
  p.applied(6);
  EXPECT_EQ(visited(), (V{{"/a", -1}, {"/a", 3}}));
}

TEST(PendingChangesTest, SessionMarksLastUntilTheirTxnApplies) {
  PendingChanges p;
  p.session_created(1, 10);
  p.session_closing(2, 11);
  EXPECT_TRUE(p.is_creating(1));
  EXPECT_TRUE(p.is_closing(2));
  p.applied(10);
  EXPECT_FALSE(p.is_creating(1));
  EXPECT_TRUE(p.is_closing(2));
  p.applied(11);
  EXPECT_FALSE(p.is_closing(2));
}

}  // namespace
}  // namespace paddock::state
