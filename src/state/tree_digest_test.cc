// The per-node digest, against values computed by hand (Python's zlib.crc32 over the bytes
// ZK-FORMATS.md section 5 lists) and against a fresh ZooKeeper 3.8.0's tree digest.
#include "state/tree_digest.h"

#include <gtest/gtest.h>

#include "state/data_tree.h"
#include "state/tree_test_util.h"

namespace paddock::state {
namespace {

TEST(TreeDigestTest, Crc32IsJavasCrc32) {
  EXPECT_EQ(crc32_update(0, "123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32_update(crc32_update(0, "1234"), "56789"), 0xCBF43926u);
  EXPECT_EQ(crc32_update(0, ""), 0u);
}

// The definition, one bit at a time: what the sliced tables must agree with.
uint32_t reference_crc32(uint32_t crc, std::string_view bytes) {
  crc = ~crc;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

TEST(TreeDigestTest, Crc32MatchesTheBitwiseDefinitionAtEveryLengthOffsetAndSeed) {
  std::string bytes(300, '\0');
  uint32_t x = 12345;
  for (char& c : bytes) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  for (uint32_t seed : {0u, 1u, 0xCBF43926u, 0xFFFFFFFFu}) {
    for (size_t offset = 0; offset < 8; ++offset) {
      for (size_t length = 0; offset + length <= bytes.size(); ++length) {
        std::string_view piece(bytes.data() + offset, length);
        ASSERT_EQ(crc32_update(seed, piece), reference_crc32(seed, piece))
            << "seed " << seed << " offset " << offset << " length " << length;
      }
    }
  }
}

TEST(TreeDigestTest, NodeDigestHashesPathDataAndStatFieldsInZooKeepersOrder) {
  // czxid 2, mzxid 3, pzxid 4, ctime 1000, mtime 2000, version 1, cversion 5, aversion 2,
  // ephemeralOwner 0x55.
  proto::StatPersisted stat{2, 3, 1000, 2000, 1, 5, 2, 0x55, 4};
  EXPECT_EQ(node_digest("/a", "hello", stat), 2830907325u);
}

TEST(TreeDigestTest, RootHashesAsTheEmptyPathAndZookeeperSubtreeIsLeftOut) {
  EXPECT_EQ(node_digest("/", "", {}), 68323592u);
  EXPECT_EQ(node_digest("/zookeeper", "", {}), 1303661912u);
  EXPECT_EQ(node_digest("/zookeeper/quota", "", {}), 0u);
  EXPECT_EQ(node_digest("/zookeeper/config", "anything", {}), 0u);
  EXPECT_NE(node_digest("/zookeeperx", "", {}), 0u);
}

TEST(TreeDigestTest, FreshTreeDigestIsRootPlusZookeeper) {
  DataTree tree;
  EXPECT_EQ(tree.digest(), 68323592 + 1303661912);  // 1371985504, as ZooKeeper logged
}

TEST(TreeDigestTest, DigestIsTheSumOverNodesAfterEveryChange) {
  DataTree tree;
  testing::TreeDriver d(tree);
  auto recomputed = [&tree] {
    uint64_t sum = 0;
    tree.for_each_node(
        [&](std::string_view path, const Znode& n) { sum += node_digest(path, n.data(), n.stat); });
    return static_cast<int64_t>(sum);
  };
  d.create("/a", "one");
  EXPECT_EQ(tree.digest(), recomputed());
  d.create("/a/b", "two", true);
  d.set_data("/a", "three");
  EXPECT_EQ(tree.digest(), recomputed());
  d.remove("/a/b");
  d.apply(proto::SetAclTxn{"/a", testing::open_acl(), 3});
  EXPECT_EQ(tree.digest(), recomputed());
  d.remove("/a");
  EXPECT_EQ(tree.digest(), recomputed());
}

}  // namespace
}  // namespace paddock::state
