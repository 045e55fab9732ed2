// Snapshots of a DataTree: a whole-tree snapshot restores the exact tree, and a fuzzy one --
// taken in small pieces while txns keep being applied -- gives the exact tree once the txns
// after its start zxid are replayed over it.
#include "durable/tree_snapshot.h"

#include <gtest/gtest.h>

#include "durable/durability_test_util.h"
#include "storage/fault_injecting_env.h"
#include "storage/snapshot_file.h"

namespace paddock::durable {
namespace {

using testing::kSnapDir;

TEST(TreeSnapshotTest, WholeTreeSnapshotRestoresTheExactTree) {
  state::Database live({});
  testing::TxnGenerator gen(live, 1);
  gen.run(2000);
  storage::FaultInjectingEnv env;
  auto path = write_tree_snapshot(env, kSnapDir, live.tree(), 0, 0);
  ASSERT_TRUE(path) << path.error();
  state::Database restored({});
  auto info = load_tree_snapshot(env, *path, restored.tree());
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(testing::dump(restored.tree()), testing::dump(live.tree()));
  EXPECT_EQ(info->trailer.end_zxid, live.tree().last_zxid());
  EXPECT_EQ(info->trailer.end_digest, live.tree().digest());
  EXPECT_GT(live.tree().node_count(), 20u);
  EXPECT_GT(live.tree().ephemeral_count(), 0u);
  EXPECT_GT(live.tree().sessions().size(), 0u);
}

TEST(TreeSnapshotTest, EmptyTreeRoundTrips) {
  state::Database live({});
  storage::FaultInjectingEnv env;
  auto path = write_tree_snapshot(env, kSnapDir, live.tree(), 0, 0);
  ASSERT_TRUE(path);
  state::Database restored({});
  ASSERT_TRUE(load_tree_snapshot(env, *path, restored.tree()));
  EXPECT_EQ(testing::dump(restored.tree()), testing::dump(live.tree()));
}

// The property the server relies on: snapshot pieces interleaved with applied txns, then
// snapshot + replay of every txn above the start zxid == the live tree.
TEST(TreeSnapshotTest, FuzzySnapshotPlusReplayEqualsTheLiveTree) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    state::Database live({});
    testing::TxnGenerator gen(live, seed);
    gen.run(300 + static_cast<int>(seed) * 20);
    storage::FaultInjectingEnv env;
    storage::SnapshotWriteOptions options;
    options.dir = kSnapDir;
    TreeSnapshotCursor cursor(live.tree());
    options.header.zxid = cursor.start_zxid();
    auto writer = storage::SnapshotFileWriter::create(env, options);
    ASSERT_TRUE(writer);
    bool done = false;
    while (!done) {
      storage::SnapshotChunk chunk;
      done = cursor.next_chunk(chunk, 64 + seed * 8);  // a few nodes per piece
      ASSERT_TRUE((*writer)->add(chunk));
      gen.run(static_cast<int>(seed % 4) + 1);  // the tree moves on between pieces
    }
    auto path = (*writer)->finish(live.tree().last_zxid(), live.tree().digest());
    ASSERT_TRUE(path);

    state::Database restored({});
    auto info = load_tree_snapshot(env, *path, restored.tree());
    ASSERT_TRUE(info) << "seed " << seed << ": " << info.error();
    for (const proto::Txn& txn : gen.history) {
      if (txn.header.zxid > cursor.start_zxid()) restored.apply(txn, nullptr);
    }
    ASSERT_EQ(testing::dump(restored.tree()), testing::dump(live.tree())) << "seed " << seed;
    EXPECT_EQ(restored.tree().digest(), info->trailer.end_digest);
  }
}

TEST(TreeSnapshotTest, CursorSkipsASubtreeDeletedWhileItWasInside) {
  state::Database live({});
  testing::TxnGenerator gen(live, 99);
  gen.run(1500);
  TreeSnapshotCursor cursor(live.tree());
  storage::SnapshotChunk first;
  ASSERT_FALSE(cursor.next_chunk(first, 1));
  // Whatever happens to the tree now, the walk ends and visits each path at most once.
  gen.run(500);
  std::set<std::string> paths;
  bool done = false;
  for (int i = 0; i < 100000 && !done; ++i) {
    storage::SnapshotChunk chunk;
    done = cursor.next_chunk(chunk, 1);
    gen.run(1);
  }
  EXPECT_TRUE(done);
}

TEST(TreeSnapshotTest, LoadRejectsASnapshotWhoseFirstNodeIsNotTheRoot) {
  storage::FaultInjectingEnv env;
  storage::SnapshotWriteOptions options;
  options.dir = kSnapDir;
  options.header.zxid = 3;
  auto writer = storage::SnapshotFileWriter::create(env, options);
  ASSERT_TRUE(writer);
  storage::SnapshotChunk chunk;
  chunk.add_node("/a", std::string_view("x"), 0, {});
  ASSERT_TRUE((*writer)->add(chunk));
  auto path = (*writer)->finish(3, 0);
  ASSERT_TRUE(path);
  state::Database db({});
  auto info = load_tree_snapshot(env, *path, db.tree());
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().find("not the root"), std::string::npos) << info.error();
}

}  // namespace
}  // namespace paddock::durable
