// Reading Apache ZooKeeper 3.8's own snapshot and log files. The fixtures in testdata/zk38
// were written by the real server (testdata/capture_zk38_files.sh).
#include "storage/zk_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "proto/txn.h"

namespace paddock::storage {
namespace {

std::string fixture(const std::string& name) {
  auto path = std::filesystem::path(__FILE__).parent_path() / "testdata" / "zk38" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const ZkSnapshotNode* find(const ZkSnapshot& s, const std::string& path) {
  for (const auto& n : s.nodes) {
    if (n.path == path) return &n;
  }
  return nullptr;
}

TEST(ZkFilesTest, Adler32MatchesJavaUtilZip) {
  EXPECT_EQ(adler32(""), 1u);
  EXPECT_EQ(adler32("Wikipedia"), 0x11E60398u);
  std::string big(100000, '\xff');  // long runs exercise the deferred modulo
  uint32_t a = 1, b = 0;
  for (unsigned char c : big) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  EXPECT_EQ(adler32(big), (b << 16) | a);
}

TEST(ZkFilesTest, FileNamesAreUnpaddedHex) {
  EXPECT_EQ(parse_zk_file_name("log.100000001", "log"), 0x100000001);
  EXPECT_EQ(parse_zk_file_name("snapshot.f", "snapshot"), 0xf);
  EXPECT_EQ(parse_zk_file_name("snapshot.f.gz", "snapshot"), std::nullopt);
  EXPECT_EQ(parse_zk_file_name("snapshot.", "snapshot"), std::nullopt);
  EXPECT_EQ(parse_zk_file_name("logs.1", "log"), std::nullopt);
}

TEST(ZkFilesTest, RealSnapshotParsesWithSessionsAclsNullDataAndDigest) {
  const std::string bytes = fixture("snapshot.f");
  ASSERT_TRUE(zk_snapshot_looks_complete(bytes));
  auto snap = parse_zk_snapshot(bytes);
  ASSERT_TRUE(snap) << snap.error();
  EXPECT_EQ(snap->dbid, -1);
  ASSERT_EQ(snap->sessions.size(), 1u);  // the client that held /eph when ZooKeeper stopped
  ASSERT_FALSE(snap->nodes.empty());
  EXPECT_EQ(snap->nodes.front().path, "");  // the root
  const ZkSnapshotNode* a = find(*snap, "/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->data, "hello again");
  EXPECT_EQ(a->stat.version, 1);
  const ZkSnapshotNode* null_node = find(*snap, "/nulldata");
  ASSERT_NE(null_node, nullptr);
  EXPECT_FALSE(null_node->data.has_value());
  const ZkSnapshotNode* empty = find(*snap, "/a/b");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->data, std::string());
  const ZkSnapshotNode* eph = find(*snap, "/eph");
  ASSERT_NE(eph, nullptr);
  EXPECT_EQ(eph->stat.ephemeral_owner, snap->sessions[0].first);
  const ZkSnapshotNode* digest = find(*snap, "/digest");
  ASSERT_NE(digest, nullptr);
  ASSERT_TRUE(snap->acls.contains(digest->acl_id));
  const proto::AclList& acl = snap->acls.at(digest->acl_id);
  ASSERT_EQ(acl.size(), 2u);
  EXPECT_EQ(acl[0].id.scheme, "digest");
  EXPECT_EQ(find(*snap, "/zookeeper")->acl_id, -1);
  ASSERT_TRUE(snap->digest.has_value());
  EXPECT_EQ(snap->digest->zxid, 0xf);
  EXPECT_EQ(snap->digest->version, 2);
  // Parents come before their children.
  std::set<std::string> seen{""};
  for (const auto& n : snap->nodes) {
    if (n.path.empty()) continue;
    const std::string parent = n.path.substr(0, n.path.rfind('/'));
    EXPECT_TRUE(seen.contains(parent)) << n.path;
    seen.insert(n.path);
  }
}

TEST(ZkFilesTest, EveryFlippedByteOfARealSnapshotIsAnError) {
  const std::string good = fixture("snapshot.f");
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    EXPECT_FALSE(parse_zk_snapshot(bad)) << "flip at " << i;
  }
  for (size_t n = 0; n < good.size(); n += 7) {
    EXPECT_FALSE(parse_zk_snapshot(good.substr(0, n))) << "cut at " << n;
  }
}

TEST(ZkFilesTest, RealLogRecordsDecodeAsTxnsInZxidOrder) {
  const std::string bytes = fixture("log.10");
  std::vector<int64_t> zxids;
  std::vector<int32_t> types;
  auto scan = scan_zk_log(bytes, [&](const ZkLogRecord& r) -> Status {
    auto txn = proto::decode_txn(r.txn);
    if (!txn) return txn.status();
    EXPECT_EQ(txn->header.zxid, r.zxid);
    zxids.push_back(r.zxid);
    types.push_back(txn->header.type);
    return Status::ok();
  });
  ASSERT_TRUE(scan) << scan.error();
  EXPECT_TRUE(scan->tail_problem.empty()) << scan->tail_problem;
  EXPECT_EQ(zxids, (std::vector<int64_t>{0x10, 0x11, 0x12, 0x13}));
  EXPECT_EQ(types, (std::vector<int32_t>{-10, 1, 5, -11}));  // session, create, setData, close
}

TEST(ZkFilesTest, LogChecksumMismatchNamesTheOffsetAndATornTailEndsTheScan) {
  const std::string good = fixture("log.10");
  std::string bad = good;
  bad[16 + 12 + 40] ^= 0x40;  // inside the first record's txn
  auto scan = scan_zk_log(bad, [](const ZkLogRecord&) { return Status::ok(); });
  ASSERT_FALSE(scan);
  EXPECT_NE(scan.error().find("offset 16"), std::string::npos) << scan.error();

  const size_t end = good.find_last_not_of('\0') + 1;  // just after the last 'B'
  auto torn = scan_zk_log(good.substr(0, end - 3), [](const ZkLogRecord&) { return Status::ok(); });
  ASSERT_TRUE(torn);
  EXPECT_EQ(torn->records, 3u);
  EXPECT_FALSE(torn->tail_problem.empty());
}

}  // namespace
}  // namespace paddock::storage
