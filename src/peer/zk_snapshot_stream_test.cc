#include "peer/zk_snapshot_stream.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "peer/peer_test_util.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "state/tree_test_util.h"

namespace paddock::peer {
namespace {

using state::testing::TreeDriver;

std::string zk_fixture(const std::string& name) {
  auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "storage" / "testdata" /
              "zk38" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr size_t kFileHeaderBytes = 16;

// A tree with what a snapshot must carry: sessions, ephemerals, null and empty data, shared
// and distinct ACLs, a container, a TTL node, a deep path.
state::DataTree sample_tree() {
  state::DataTree tree;
  TreeDriver d(tree);
  d.apply(proto::CreateSessionTxn{30000}, 0x0100000000010000);
  d.apply(proto::CreateSessionTxn{10000}, 0x0200000000020000);
  d.create("/a", std::string("hello"));
  d.create("/a/b", std::string());
  d.create("/nulldata", std::nullopt);
  d.create("/eph", std::string("e"), /*ephemeral=*/true, 0x0100000000010000);
  proto::AclList digest_acl{{proto::perm::kAll, {"digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="}},
                            {proto::perm::kRead, {"world", "anyone"}}};
  d.apply(proto::CreateTxn{"/secret", std::string("s"), digest_acl, false, d.next_cversion("/x")});
  d.apply(proto::CreateContainerTxn{"/box", std::string(), state::testing::open_acl(),
                                    d.next_cversion("/x")});
  d.apply(proto::CreateTtlTxn{"/ttl", std::string("t"), state::testing::open_acl(),
                              d.next_cversion("/x"), 60000});
  d.create("/p");
  d.create("/p/q");
  d.create("/p/q/r", std::string("deep"));
  d.set_data("/a", std::string("hello again"));
  return tree;
}

void expect_same_tree(const state::DataTree& a, const state::DataTree& b) {
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.node_count(), b.node_count());
  EXPECT_EQ(a.sessions(), b.sessions());
  EXPECT_EQ(a.last_zxid(), b.last_zxid());
  a.for_each_node([&](std::string_view path, const state::Znode& node) {
    const state::Znode* other = b.find(path);
    ASSERT_NE(other, nullptr) << path;
    EXPECT_EQ(node.stat, other->stat) << path;
    EXPECT_EQ(node.data_view(), other->data_view()) << path;
    EXPECT_EQ(a.acl(node), b.acl(*other)) << path;
  });
  EXPECT_EQ(a.ephemerals(0x0100000000010000), b.ephemerals(0x0100000000010000));
}

// A body with its ACL ids resolved: the session bytes, the ACL lists the cache holds, and each
// node record (by path) with its ACL id replaced by the list it names. Two bodies that differ
// only in how ACL ids are numbered or in sibling order have equal canonical forms.
struct CanonicalBody {
  std::string sessions;
  std::multiset<std::string> acls;
  std::map<std::string, std::string> nodes;
  std::string end;
  friend bool operator==(const CanonicalBody&, const CanonicalBody&) = default;
};

std::string encoded_acl(const proto::AclList& acl) {
  std::string out;
  proto::JuteWriter w(out);
  proto::write(w, acl);
  return out;
}

CanonicalBody canonical(std::string_view body) {
  CanonicalBody out;
  proto::JuteReader r(body);
  const int32_t sessions = r.i32();
  r.raw(12 * static_cast<size_t>(sessions));
  out.sessions = std::string(body.substr(0, r.position()));
  std::map<int64_t, std::string> acls{{-1, "open"}};
  const int32_t count = r.i32();
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    const int64_t id = r.i64();
    proto::AclList acl;
    proto::read(r, acl);
    acls[id] = encoded_acl(acl);
    out.acls.insert(acls[id]);
  }
  for (;;) {
    const size_t start = r.position();
    std::string path = r.string();
    if (!r.ok() || path == "/") break;
    const auto data = r.nullable_buffer();
    const size_t id_at = r.position();
    const int64_t acl_id = r.i64();
    proto::StatPersisted stat;
    proto::read(r, stat);
    out.nodes[path] = std::string(body.substr(start, id_at - start)) + acls[acl_id] +
                      std::string(body.substr(id_at + 8, r.position() - id_at - 8));
  }
  EXPECT_TRUE(r.ok() && r.at_end());
  out.end = std::string(body.substr(body.size() - 5));
  return out;
}

TEST(ZkSnapshotStream, BodyRoundTripsThroughAFreshTree) {
  const state::DataTree tree = sample_tree();
  const std::string body = encode_zk_snapshot_body(tree);
  state::DataTree loaded;
  auto load = load_zk_snapshot_body(body, tree.last_zxid(), loaded);
  ASSERT_TRUE(load) << load.error();
  EXPECT_EQ(load->sessions, 2u);
  EXPECT_EQ(load->nodes, tree.node_count());
  expect_same_tree(tree, loaded);
  // ACL ids are the tree's own (as ZooKeeper writes its cache's), so a loaded tree numbers
  // them in the order it met them; the content is the same, and from then on the bytes are.
  const std::string again = encode_zk_snapshot_body(loaded);
  EXPECT_EQ(canonical(again), canonical(body));
  EXPECT_EQ(again.size(), body.size());
  state::DataTree third;
  ASSERT_TRUE(load_zk_snapshot_body(again, tree.last_zxid(), third));
  EXPECT_EQ(encode_zk_snapshot_body(third), again);
}

TEST(ZkSnapshotStream, RootIsTheEmptyPathAndOpenAclIsMinusOne) {
  const std::string body = encode_zk_snapshot_body(state::DataTree(), {});
  proto::JuteReader r(body);
  EXPECT_EQ(r.i32(), 0);  // sessions
  const int32_t acls = r.i32();
  for (int32_t i = 0; i < acls; ++i) {
    EXPECT_GE(r.i64(), 1);  // ids start at 1
    proto::AclList acl;
    proto::read(r, acl);
  }
  EXPECT_EQ(r.string(), "");  // the root
  r.nullable_buffer();
  EXPECT_EQ(r.i64(), -1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(body.substr(body.size() - 5), std::string("\0\0\0\1/", 5));
}

TEST(ZkSnapshotStream, CallerSessionListIsWrittenInItsOrder) {
  const SessionTimeouts sessions{{7, 4000}, {3, 5000}};
  const std::string body = encode_zk_snapshot_body(state::DataTree(), sessions);
  proto::JuteReader r(body);
  EXPECT_EQ(r.i32(), 2);
  EXPECT_EQ(r.i64(), 7);
  EXPECT_EQ(r.i32(), 4000);
  EXPECT_EQ(r.i64(), 3);
}

// The body of ZooKeeper's own snapshot file parses to exactly where its checksum begins and
// loads into the tree the file parser sees.
TEST(ZkSnapshotStream, ZooKeeperSnapshotBodyLoads) {
  const std::string file = zk_fixture("snapshot.f");
  auto reference = storage::parse_zk_snapshot(file);
  ASSERT_TRUE(reference) << reference.error();
  ZkSnapshotBodyParser parser(kZkPeerMaxBuffer);
  auto done = parser.advance(std::string_view(file).substr(kFileHeaderBytes), nullptr);
  ASSERT_TRUE(done) << done.error();
  ASSERT_TRUE(*done);
  const size_t body_end = kFileHeaderBytes + parser.position();
  proto::JuteReader trailer(std::string_view(file).substr(body_end));
  EXPECT_EQ(static_cast<uint64_t>(trailer.i64()), storage::adler32(file.substr(0, body_end)));

  state::DataTree tree;
  auto load = load_zk_snapshot_body(file.substr(kFileHeaderBytes, parser.position()), 0xf, tree);
  ASSERT_TRUE(load) << load.error();
  EXPECT_EQ(load->nodes, reference->nodes.size());
  EXPECT_EQ(load->sessions, reference->sessions.size());
  for (const storage::ZkSnapshotNode& n : reference->nodes) {
    const state::Znode* node = tree.find(n.path.empty() ? "/" : n.path);
    ASSERT_NE(node, nullptr) << n.path;
    EXPECT_EQ(node->stat, n.stat) << n.path;
    EXPECT_EQ(node->nullable_data(), n.data) << n.path;
    if (n.acl_id != -1) {
      EXPECT_EQ(tree.acl(*node), reference->acls.at(n.acl_id)) << n.path;
    }
  }
  ASSERT_TRUE(reference->digest);
  if (reference->digest->zxid == 0xf) {
    EXPECT_EQ(tree.digest(), reference->digest->value);
  }
}

// Writing the tree loaded from ZooKeeper's snapshot gives back ZooKeeper's body: the same
// length, the session section byte for byte, the same ACL cache and every node record byte for
// byte once ACL ids are resolved to their lists (ZooKeeper numbers its cache in the order its
// history met the lists: 1 is /zookeeper/config's READ; a loaded tree numbers them in load
// order), and the same end marker. Siblings may come in another order: ZooKeeper's follows
// Java hash sets, Paddock's is by name.
TEST(ZkSnapshotStream, StreamOfALoadedTreeEqualsZooKeeperSnapshotBody) {
  const std::string file = zk_fixture("snapshot.f");
  auto reference = storage::parse_zk_snapshot(file);
  ASSERT_TRUE(reference) << reference.error();
  ZkSnapshotBodyParser parser(kZkPeerMaxBuffer);
  ASSERT_TRUE(*parser.advance(std::string_view(file).substr(kFileHeaderBytes), nullptr));
  const std::string zk_body = file.substr(kFileHeaderBytes, parser.position());
  state::DataTree tree;
  ASSERT_TRUE(load_zk_snapshot_body(zk_body, 0xf, tree));

  const std::string ours = encode_zk_snapshot_body(tree, reference->sessions);
  EXPECT_EQ(ours.size(), zk_body.size());
  const CanonicalBody a = canonical(ours);
  const CanonicalBody b = canonical(zk_body);
  EXPECT_EQ(a.sessions, b.sessions);
  EXPECT_EQ(a.acls, b.acls);
  EXPECT_EQ(a.nodes, b.nodes);
  EXPECT_EQ(a.end, b.end);
  EXPECT_EQ(a.nodes.size(), reference->nodes.size());
}

TEST(ZkSnapshotStream, ParserResumesAcrossAnySplit) {
  const std::string body = encode_zk_snapshot_body(sample_tree());
  for (size_t step : {1u, 3u, 7u, 64u}) {
    ZkSnapshotBodyParser parser(kZkPeerMaxBuffer);
    bool done = false;
    for (size_t have = 0; !done;) {
      have = std::min(body.size(), have + step);
      auto r = parser.advance(std::string_view(body).substr(0, have), nullptr);
      ASSERT_TRUE(r) << r.error();
      done = *r;
      if (!done) {
        ASSERT_LT(have, body.size());
      }
    }
    EXPECT_EQ(parser.position(), body.size());
    EXPECT_EQ(parser.nodes(), sample_tree().node_count());
  }
}

TEST(ZkSnapshotStream, LoadRejectsBrokenBodies) {
  const std::string body = encode_zk_snapshot_body(sample_tree());
  state::DataTree tree;
  EXPECT_FALSE(load_zk_snapshot_body(body.substr(0, body.size() - 1), 0, tree));
  EXPECT_FALSE(load_zk_snapshot_body(body + "x", 0, tree));
  EXPECT_FALSE(load_zk_snapshot_body("", 0, tree));
  std::string negative;
  proto::JuteWriter(negative).i32(-5);
  EXPECT_FALSE(load_zk_snapshot_body(negative, 0, tree));
}

TEST(ZkSnapshotStream, NodeWithAnUnknownAclIdIsRejected) {
  std::string body;
  proto::JuteWriter w(body);
  w.i32(0);
  w.i32(0);
  w.string("");
  w.buffer("");
  w.i64(9);  // no such cache entry
  proto::write(w, proto::StatPersisted{});
  w.string("/");
  state::DataTree tree;
  auto load = load_zk_snapshot_body(body, 0, tree);
  ASSERT_FALSE(load);
  EXPECT_NE(load.error().find("ACL id 9"), std::string::npos) << load.error();
}

TEST(ZkSnapshotStreamFuzz, MangledBodiesNeverCrash) {
  std::mt19937_64 rng(77);
  const std::string body = encode_zk_snapshot_body(sample_tree());
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = testing::mangle(body, rng);
    if (i % 3 == 0) bytes = testing::mangle(bytes, rng);
    state::DataTree tree;
    (void)load_zk_snapshot_body(bytes, 0, tree);
    ZkSnapshotBodyParser parser(kZkPeerMaxBuffer);
    (void)parser.advance(bytes, nullptr);
  }
}

}  // namespace
}  // namespace paddock::peer
