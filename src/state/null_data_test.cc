// Null znode data (a buffer of length -1), which ZooKeeper 3.8 keeps apart from empty data:
// `zkCli.sh create /a` then `get /a` prints "null", kazoo's get() returns None. Checked
// against the real server: null survives create, createContainer, createTTL, setData and
// multi; getData and multiRead answer a null buffer; dataLength, quotas and
// zk_approximate_data_size count it as 0 bytes; the tree digest hashes it as empty.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proto/txn.h"
#include "state/data_tree.h"
#include "state/database_test_util.h"
#include "state/tree_test_util.h"
#include "util/test_hex.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::NodeData;
using proto::OpCode;
using testing::create_body;
using testing::DbTest;
using testing::kOpen;
using testing::MultiBuilder;
using testing::open_acl;
using testing::TreeDriver;

using test_hex::from_hex;

// --- the tree ---------------------------------------------------------------------------------
TEST(NullDataTreeTest, CreateWithNullDataKeepsItNullWithDataLengthZero) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/n", std::nullopt);
  d.create("/e", "");
  const Znode* n = tree.find("/n");
  const Znode* e = tree.find("/e");
  ASSERT_NE(n, nullptr);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(n->data_null());
  EXPECT_EQ(n->nullable_data(), std::nullopt);
  EXPECT_FALSE(e->data_null());
  EXPECT_EQ(e->nullable_data(), NodeData(""));
  EXPECT_EQ(n->data_view(), std::nullopt);
  EXPECT_EQ(e->data_view(), std::optional<std::string_view>(""));
  EXPECT_EQ(tree.client_stat(*n).data_length, 0);
}

TEST(NullDataTreeTest, SetDataMovesBetweenNullEmptyAndBytes) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a", "x");
  d.set_data("/a", std::nullopt);
  EXPECT_EQ(tree.find("/a")->nullable_data(), std::nullopt);
  EXPECT_EQ(tree.client_stat(*tree.find("/a")).version, 1);
  d.set_data("/a", "yz");
  EXPECT_EQ(tree.find("/a")->nullable_data(), NodeData("yz"));
  d.set_data("/a", "");
  EXPECT_EQ(tree.find("/a")->nullable_data(), NodeData(""));
  d.set_data("/a", std::nullopt);
  EXPECT_EQ(tree.find("/a")->nullable_data(), std::nullopt);
}

TEST(NullDataTreeTest, ContainerAndTtlCreatesKeepNullData) {
  DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateContainerTxn{"/c", std::nullopt, open_acl(), 1});
  d.apply(proto::CreateTtlTxn{"/t", std::nullopt, open_acl(), 2, 1000});
  EXPECT_TRUE(tree.find("/c")->data_null());
  EXPECT_TRUE(tree.find("/t")->data_null());
}

TEST(NullDataTreeTest, NullDataDigestsAndCountsAsEmpty) {
  DataTree with_null;
  DataTree with_empty;
  TreeDriver(with_null).create("/a", std::nullopt);
  TreeDriver(with_empty).create("/a", "");
  EXPECT_EQ(with_null.digest(), with_empty.digest());
  EXPECT_EQ(with_null.approximate_data_size(), with_empty.approximate_data_size());
}

TEST(NullDataTreeTest, MultiCreateAndSetDataKeepNullData) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/q", "data");
  d.apply(proto::MultiTxn{{proto::MultiTxnOp{1, create_body("/m", std::nullopt, 2)},
                           proto::MultiTxnOp{5, proto::SetDataTxn{"/q", std::nullopt, 1}}}});
  EXPECT_TRUE(tree.find("/m")->data_null());
  EXPECT_TRUE(tree.find("/q")->data_null());
}

TEST(NullDataTreeTest, QuotaCountsNullDataAsZeroBytes) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/q", "abc");
  d.create("/zookeeper/quota/q");
  d.create("/zookeeper/quota/q/zookeeper_limits", "count=-1,bytes=100");
  d.create("/zookeeper/quota/q/zookeeper_stats", std::nullopt);  // rewritten at once
  const Znode* stats = tree.find("/zookeeper/quota/q/zookeeper_stats");
  EXPECT_EQ(stats->nullable_data(), NodeData("count=1,bytes=3"));
  d.create("/q/n", std::nullopt);
  d.set_data("/q", std::nullopt);
  EXPECT_EQ(stats->nullable_data(), NodeData("count=2,bytes=0"));
  d.set_data("/q/n", "12");
  EXPECT_EQ(stats->nullable_data(), NodeData("count=2,bytes=2"));
}

TEST(NullDataTreeTest, RestoreKeepsNullApartFromEmpty) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/n", std::nullopt);
  d.create("/e", "");
  DataTree copy;
  copy.begin_restore();
  tree.for_each_node([&](std::string_view path, const Znode& n) {
    std::optional<proto::AclList> acl;
    if (n.acl_id != AclTable::kOpenId) acl = tree.acl(n);
    ASSERT_TRUE(copy.restore_node(path, n.nullable_data(), acl, n.stat).is_ok()) << path;
  });
  ASSERT_TRUE(copy.finish_restore(tree.last_zxid()).is_ok());
  EXPECT_TRUE(copy.find("/n")->data_null());
  EXPECT_FALSE(copy.find("/e")->data_null());
  EXPECT_EQ(copy.digest(), tree.digest());
  // A plain std::string still restores non-null data (the older call form).
  DataTree other;
  other.begin_restore();
  ASSERT_TRUE(other.restore_node("/", std::string(), std::nullopt, {}).is_ok());
  EXPECT_FALSE(other.find("/")->data_null());
}

// --- replay of a ZooKeeper 3.8.0 log with null data --------------------------------------------
struct NullDataTxn {
  std::string_view hex;
  int64_t digest;
};

// version-2/log.1 of a standalone ZooKeeper 3.8.0 (digest enabled): createSession, create /n
// with null data, create /e with empty data, setData /e null, createContainer /cn and
// createTTL /tn with null data, closeSession.
constexpr NullDataTxn kNullLog[] = {
    {"0100002f8c9b0000000000000000000000000001000001a2090bac86fffffff600007530000000020000000051"
     "c6d660",
     0x51c6d660},
    {"0100002f8c9b0000000000010000000000000002000001a2090bacea00000001000000022f6effffffff000000"
     "010000001f00000005776f726c6400000006616e796f6e6500000000010000000200000000cd622b36",
     0xcd622b36},
    {"0100002f8c9b0000000000020000000000000003000001a2090bacf500000001000000022f6500000000000000"
     "010000001f00000005776f726c6400000006616e796f6e65000000000200000002000000012af63a84",
     0x12af63a84},
    {"0100002f8c9b0000000000030000000000000004000001a2090bacf800000005000000022f65ffffffff000000"
     "010000000200000001d988cad2",
     0x1d988cad2},
    {"0100002f8c9b0000000000040000000000000005000001a2090bacfa00000013000000032f636effffffff0000"
     "00010000001f00000005776f726c6400000006616e796f6e650000000300000002000000023e9dfcbb",
     0x23e9dfcbb},
    {"0100002f8c9b0000000000050000000000000006000001a2090bacfc00000015000000032f746effffffff0000"
     "00010000001f00000005776f726c6400000006616e796f6e650000000400000000000186a000000002000000"
     "0262b620af",
     0x262b620af},
    {"0100002f8c9b0000000000060000000000000007000001a2090bacfefffffff500000000000000020000000262"
     "b620af",
     0x262b620af},
};

TEST(NullDataReplayTest, DigestAfterEveryTxnMatchesZooKeeperLog) {
  DataTree tree;
  for (const NullDataTxn& logged : kNullLog) {
    Result<proto::Txn> txn = proto::decode_txn(from_hex(logged.hex));
    ASSERT_TRUE(txn.is_ok()) << txn.error();
    ASSERT_EQ(txn->digest, std::optional<int64_t>(logged.digest));
    tree.apply(*txn);
    EXPECT_EQ(tree.digest(), logged.digest) << "after zxid " << txn->header.zxid;
  }
  EXPECT_TRUE(tree.find("/n")->data_null());
  EXPECT_TRUE(tree.find("/e")->data_null());
  EXPECT_TRUE(tree.find("/cn")->data_null());
  EXPECT_TRUE(tree.find("/tn")->data_null());
}

// --- requests and replies ---------------------------------------------------------------------
class NullDataDbTest : public DbTest {
 protected:
  // The raw getData reply: the buffer's length field tells null (-1) from empty (0).
  std::string get_data_body(const std::string& path) {
    Outcome o = read(OpCode::kGetData, proto::GetDataRequest{path, false});
    EXPECT_EQ(o.reply.err, Err::kOk);
    return o.reply.body;
  }
};

TEST_F(NullDataDbTest, CreateWithNullDataThenGetDataAnswersANullBuffer) {
  ASSERT_EQ(create("/n", std::nullopt), Err::kOk);
  ASSERT_EQ(create("/e", ""), Err::kOk);
  EXPECT_EQ(get_data_body("/n").substr(0, 4), from_hex("ffffffff"));
  EXPECT_EQ(get_data_body("/e").substr(0, 4), from_hex("00000000"));
  proto::GetDataResponse resp;
  ASSERT_TRUE(proto::decode(get_data_body("/n"), resp));
  EXPECT_EQ(resp.data, std::nullopt);
  EXPECT_EQ(resp.stat.data_length, 0);
}

TEST_F(NullDataDbTest, PreparedTxnsCarryNullData) {
  proto::Txn create = prep(OpCode::kCreate, proto::CreateRequest{"/n", std::nullopt, kOpen, 0});
  EXPECT_EQ(std::get<proto::CreateTxn>(create.body).data, std::nullopt);
  apply(create, OpCode::kCreate);
  proto::Txn set = prep(OpCode::kSetData, proto::SetDataRequest{"/n", std::nullopt, -1});
  EXPECT_EQ(std::get<proto::SetDataTxn>(set.body).data, std::nullopt);
  // Logged as ZooKeeper logs it: data length -1.
  EXPECT_NE(proto::encode_txn(set).find(from_hex("000000022f6effffffff")), std::string::npos);
}

TEST_F(NullDataDbTest, SetDataToNullThenGetDataAnswersNull) {
  ASSERT_EQ(create("/a", "x"), Err::kOk);
  ASSERT_EQ(set_data("/a", std::nullopt), Err::kOk);
  proto::GetDataResponse resp;
  ASSERT_TRUE(proto::decode(get_data_body("/a"), resp));
  EXPECT_EQ(resp.data, std::nullopt);
  EXPECT_EQ(resp.stat.version, 1);
}

TEST_F(NullDataDbTest, MultiWritesNullDataAndMultiReadAnswersIt) {
  ASSERT_EQ(create("/q", "data"), Err::kOk);
  std::string body = MultiBuilder{}
                         .add(OpCode::kCreate, proto::CreateRequest{"/m", std::nullopt, kOpen, 0})
                         .add(OpCode::kSetData, proto::SetDataRequest{"/q", std::nullopt, -1})
                         .add(OpCode::kCreate, proto::CreateRequest{"/m2", "", kOpen, 0})
                         .build();
  ASSERT_EQ(write_raw(OpCode::kMulti, body).reply.err, Err::kOk);
  std::string reads = MultiBuilder{}
                          .add(OpCode::kGetData, proto::GetDataRequest{"/m", false})
                          .add(OpCode::kGetData, proto::GetDataRequest{"/m2", false})
                          .add(OpCode::kGetData, proto::GetDataRequest{"/q", false})
                          .build();
  Outcome o = db_.read(request(OpCode::kMultiRead, reads));
  ASSERT_EQ(o.reply.err, Err::kOk);
  std::vector<testing::MultiResult> r = testing::decode_multi_response(o.reply.body);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].data, std::nullopt);
  EXPECT_EQ(r[1].data, NodeData(""));
  EXPECT_EQ(r[2].data, std::nullopt);
}

}  // namespace
}  // namespace paddock::state
