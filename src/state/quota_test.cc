// Quotas: StatsTrack text as ZooKeeper 3.8 writes it, and the usage bookkeeping the tree
// does. Expected values come from zkCli.sh setquota/listquota against ZooKeeper 3.8.0.
#include "state/quota.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "state/data_tree.h"
#include "state/tree_test_util.h"

namespace paddock::state {
namespace {

using proto::Err;
using testing::TreeDriver;

std::string data_of(const DataTree& tree, const std::string& path) {
  const Znode* n = tree.find(path);
  return n == nullptr ? "<missing>" : std::string(n->data());
}

// What zkCli's setquota does: the quota node, then limits, then stats ("count=0,bytes=0").
void set_quota(TreeDriver& d, const std::string& path, const std::string& limits) {
  std::string base = std::string(kQuotaRoot) + path;
  d.create(base);
  d.create(base + "/zookeeper_limits", limits);
  d.create(base + "/zookeeper_stats", "count=0,bytes=0");
}

TEST(QuotaStatsTest, ParsesAndWritesTheFormatsZkCliUses) {
  QuotaStats soft = QuotaStats::parse("count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  EXPECT_EQ(soft.count, 5);
  EXPECT_EQ(soft.bytes, -1);
  EXPECT_EQ(soft.count_hard_limit(), -1);
  EXPECT_EQ(soft.to_string(), "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");

  QuotaStats hard = QuotaStats::parse("count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=3");
  EXPECT_EQ(hard.count_hard_limit(), 3);
  EXPECT_EQ(hard.byte_hard_limit(), 100);

  QuotaStats old = QuotaStats::parse("count=2,bytes=8");
  EXPECT_EQ(old.count, 2);
  EXPECT_EQ(old.bytes, 8);
  EXPECT_EQ(old.to_string(), "count=2,bytes=8");
  EXPECT_EQ(old.count_hard_limit(), -1);

  QuotaStats junk = QuotaStats::parse("count=x,,;bytes=,zzz");
  EXPECT_EQ(junk.count, -1);
  EXPECT_EQ(junk.bytes, -1);
}

TEST(QuotaIndexTest, MaxPrefixMatchesWholeComponentsAndNeverTheRoot) {
  QuotaIndex q;
  q.add("/a");
  q.add("/a/b");
  q.add("/");
  EXPECT_EQ(q.max_prefix("/a/b/c"), "/a/b");
  EXPECT_EQ(q.max_prefix("/a/bc"), "/a");
  EXPECT_EQ(q.max_prefix("/a"), "/a");
  EXPECT_EQ(q.max_prefix("/x"), std::nullopt);
  q.remove("/a/b");
  EXPECT_EQ(q.max_prefix("/a/b/c"), "/a");
}

TEST(DataTreeQuotaTest, StatsNodeCountsTheSubtreeWhenCreated) {
  // [ZK] create /q1 abc; create /q1/a hello; setquota -n 5 /q1 -> stats "count=2,bytes=8".
  DataTree tree;
  TreeDriver d(tree);
  d.create("/q1", "abc");
  d.create("/q1/a", "hello");
  set_quota(d, "/q1", "count=5,bytes=-1=;byteHardLimit=-1;countHardLimit=-1");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/q1/zookeeper_stats"), "count=2,bytes=8");
  const Znode* stats = tree.find("/zookeeper/quota/q1/zookeeper_stats");
  EXPECT_EQ(stats->stat.version, 0);  // rewritten in memory, not by a setData
}

TEST(DataTreeQuotaTest, CreateDeleteAndSetDataUpdateTheStats) {
  // [ZK] /q2 with /q2/x "1234567890"; creates of y, z, w and set /q2/x to 30 bytes gave
  // "count=5,bytes=30".
  DataTree tree;
  TreeDriver d(tree);
  d.create("/q2");
  d.create("/q2/x", "1234567890");
  set_quota(d, "/q2", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=3");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/q2/zookeeper_stats"), "count=2,bytes=10");
  int64_t digest = tree.digest();
  d.create("/q2/y");
  d.create("/q2/z");
  d.create("/q2/w");
  d.set_data("/q2/x", "123456789012345678901234567890");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/q2/zookeeper_stats"), "count=5,bytes=30");
  d.remove("/q2/w");
  d.set_data("/q2/x", "12");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/q2/zookeeper_stats"), "count=4,bytes=2");
  d.create("/q2x");  // a sibling with a common prefix is not under the quota
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/q2/zookeeper_stats"), "count=4,bytes=2");
  EXPECT_NE(tree.digest(), digest);
}

TEST(DataTreeQuotaTest, OnlyTheDeepestQuotaIsCharged) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a");
  d.create("/a/b");
  set_quota(d, "/a", "count=100,bytes=-1");
  set_quota(d, "/a/b", "count=100,bytes=-1");
  d.create("/a/b/c", "xyz");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/a/zookeeper_stats"), "count=2,bytes=0");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/a/b/zookeeper_stats"), "count=2,bytes=3");
}

TEST(DataTreeQuotaTest, DeletingTheLimitsNodeStopsTracking) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/a");
  set_quota(d, "/a", "count=10,bytes=-1");
  d.remove("/zookeeper/quota/a/zookeeper_limits");
  d.create("/a/b");
  EXPECT_EQ(data_of(tree, "/zookeeper/quota/a/zookeeper_stats"), "count=1,bytes=0");
  EXPECT_EQ(tree.check_quota("/a/c", 1, 0), Err::kOk);
}

TEST(DataTreeQuotaTest, CheckRefusesOnlyPastAHardLimit) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/h");
  set_quota(d, "/h", "count=-1,bytes=-1=;byteHardLimit=10;countHardLimit=3");
  d.create("/h/a", "12345");
  EXPECT_EQ(tree.check_quota("/h/b", 1, 0), Err::kOk);  // 3 nodes: at the limit
  d.create("/h/b");
  EXPECT_EQ(tree.check_quota("/h/c", 1, 0), Err::kQuotaExceeded);
  EXPECT_EQ(tree.check_quota("/h/a", 0, 5), Err::kOk);  // 10 bytes: at the limit
  EXPECT_EQ(tree.check_quota("/h/a", 0, 6), Err::kQuotaExceeded);
  EXPECT_EQ(tree.check_quota("/h/a", 0, -5), Err::kOk);
  EXPECT_EQ(tree.check_quota("/other", 1, 100), Err::kOk);

  d.create("/s");
  set_quota(d, "/s", "count=1,bytes=1");  // soft limits: ZooKeeper only logs
  EXPECT_EQ(tree.check_quota("/s/a", 1, 50), Err::kOk);
}

TEST(DataTreeQuotaTest, RestoreRecountsQuotaStats) {
  DataTree tree;
  TreeDriver d(tree);
  d.create("/r");
  set_quota(d, "/r", "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=2");
  d.create("/r/a", "abcd");

  DataTree copy;
  copy.begin_restore();
  tree.for_each_node([&](std::string_view path, const Znode& n) {
    std::string data(n.data());
    if (path == "/zookeeper/quota/r/zookeeper_stats") data = "count=0,bytes=0";  // stale
    ASSERT_TRUE(copy.restore_node(path, data, std::nullopt, n.stat).is_ok());
  });
  ASSERT_TRUE(copy.finish_restore(tree.last_zxid()).is_ok());
  EXPECT_EQ(data_of(copy, "/zookeeper/quota/r/zookeeper_stats"), "count=2,bytes=4");
  EXPECT_EQ(copy.check_quota("/r/b", 1, 0), Err::kQuotaExceeded);
}

}  // namespace
}  // namespace paddock::state
