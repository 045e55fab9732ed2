// JavaHashSetOrder against values printed by a JDK 17 program (String.hashCode, and the
// iteration order of HashSet clones and of a clone grown by later adds).
#include "state/java_hash_order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "state/acl_check.h"

namespace paddock::state {
namespace {

using ::testing::ElementsAre;

std::string seq_path(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/s/e%010d", i);
  return buf;
}

TEST(JavaHashOrderTest, StringHashMatchesJavaOverUtf16) {
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("/"), 47);
  EXPECT_EQ(java_string_hash("/a"), 1554);
  EXPECT_EQ(java_string_hash("/diff-395/b0000000003/a0000000002"), -2005833504);
  EXPECT_EQ(java_string_hash("/caf\xc3\xa9"), 46451408);
  EXPECT_EQ(java_string_hash("/\xe4\xb8\xad\xe6\x96\x87"), 691561);
  EXPECT_EQ(java_string_hash("/\xf0\x9f\x98\x80x"), 56360166);  // a surrogate pair
}

TEST(JavaHashOrderTest, CloseSessionOrderSeenOnZooKeeper) {
  // The ephemerals of one session, in creation order; ZooKeeper 3.8.0 deleted them (and
  // fired NodeDeleted) in the order below when the session closed.
  const std::string b = "/diff-395";
  JavaHashSetOrder order =
      JavaHashSetOrder::clone_of({b + "/a0000000004", b + "/b0000000003/b",
                                  b + "/b0000000003/c0000000001", b + "/b0000000003/a0000000002"},
                                 JavaHashSetOrder::capacity_for_peak(4));
  EXPECT_THAT(order.paths(),
              ElementsAre(b + "/b0000000003/a0000000002", b + "/b0000000003/c0000000001",
                          b + "/a0000000004", b + "/b0000000003/b"));
}

TEST(JavaHashOrderTest, CloneOfAShrunkSetAndLaterAddsFollowTheJdk) {
  // 20 adds (capacity 32), 15 removes, clone (capacity 8), 10 adds (grows to 16, then 32).
  EXPECT_EQ(JavaHashSetOrder::capacity_for_peak(12), 16u);
  EXPECT_EQ(JavaHashSetOrder::capacity_for_peak(13), 32u);
  JavaHashSetOrder order = JavaHashSetOrder::clone_of(
      {seq_path(5), seq_path(6), seq_path(12), seq_path(13), seq_path(19)},
      JavaHashSetOrder::capacity_for_peak(20));
  EXPECT_THAT(order.paths(),
              ElementsAre(seq_path(13), seq_path(5), seq_path(6), seq_path(19), seq_path(12)));
  for (int i = 20; i < 30; ++i) order.add(seq_path(i));
  order.add(seq_path(5));  // already there: stays in place
  order.remove(seq_path(25));
  EXPECT_THAT(order.paths(),
              ElementsAre(seq_path(6), seq_path(28), seq_path(29), seq_path(19), seq_path(13),
                          seq_path(24), seq_path(26), seq_path(5), seq_path(27), seq_path(20),
                          seq_path(21), seq_path(22), seq_path(12), seq_path(23)));
}

// remove() leaves a tombstone (so closing a session with many ephemerals is not quadratic);
// the order must still be what a HashSet that never held the removed paths gives.
TEST(JavaHashOrderTest, RemovedPathsLeaveNoTraceInOrderOrTableSize) {
  JavaHashSetOrder churned = JavaHashSetOrder::clone_of({}, 16);
  for (int i = 0; i < 12; ++i) churned.add(seq_path(i));
  for (int i : {1, 3, 5, 7, 9}) churned.remove(seq_path(i));
  churned.remove("/never-added");
  churned.add(seq_path(3));  // re-added: now after its bucket's other entries
  churned.add(seq_path(12));
  JavaHashSetOrder fresh = JavaHashSetOrder::clone_of({}, 16);
  for (int i : {0, 2, 4, 6, 8, 10, 11, 3, 12}) fresh.add(seq_path(i));
  EXPECT_EQ(churned.paths(), fresh.paths());
}

TEST(JavaHashOrderTest, EmptyCloneStartsATableOnTheFirstAdd) {
  JavaHashSetOrder order = JavaHashSetOrder::clone_of({}, 16);
  EXPECT_TRUE(order.paths().empty());
  order.add("/b");
  order.add("/a");
  EXPECT_THAT(order.paths(), ElementsAre("/a", "/b"));  // buckets 2 and 3
}

// ZooKeeper 3.8.0: addAuth digest u1, u2, u3, alice, bob (after the connection's ip), then
// whoAmI and the ACL of a node created with [ALL auth:""].
const std::vector<proto::Id> kAddedIds = {
    {"ip", "127.0.0.1"},
    {"digest", "u1:fpT/y03U+EjItKZOSLGvjnJlyng="},
    {"digest", "u2:o9NxcCGDPOlcV7JVhmKHOf5ctVE="},
    {"digest", "u3:Im5xY/YYc2xRYjWcy4eAeBEG1fk="},
    {"digest", "alice:ymPhuWeFSCMY9u3N/YVcxIuy3LU="},
    {"digest", "bob:+uaAfPqUC6RMB3Z7F9p+u2xY7RI="},
};

TEST(JavaHashOrderTest, AuthIdsIterateAsZooKeeperConnectionKeepsThem) {
  EXPECT_THAT(java_auth_info_order(kAddedIds),
              ElementsAre(kAddedIds[4], kAddedIds[2], kAddedIds[5], kAddedIds[1], kAddedIds[3],
                          kAddedIds[0]));
}

TEST(JavaHashOrderTest, AuthAclExpandsInZooKeeperOrder) {
  proto::AclList acl;
  ASSERT_EQ(fixup_acl({proto::Acl{31, proto::Id{"auth", ""}}}, kAddedIds, acl), proto::Err::kOk);
  std::vector<proto::Id> ids;
  for (const proto::Acl& a : acl) ids.push_back(a.id);
  EXPECT_THAT(ids,
              ElementsAre(kAddedIds[4], kAddedIds[2], kAddedIds[5], kAddedIds[1], kAddedIds[3]));
}

}  // namespace
}  // namespace paddock::state
