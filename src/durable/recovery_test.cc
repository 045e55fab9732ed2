// Recovery: newest intact snapshot + the log after it; a damaged snapshot falls back to the
// one before; what cannot be recovered stops start-up with a named file and changes nothing.
#include "durable/recovery.h"

#include <gtest/gtest.h>

#include "durable/durability_test_util.h"
#include "durable/tree_snapshot.h"
#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"
#include "storage/snapshot_file.h"
#include "storage/txn_log.h"

namespace paddock::durable {
namespace {

class RecoveryTest : public ::testing::Test {
 protected:
  const std::string snap_dir = storage::snapshot_dir("/data");
  const std::string log_dir = storage::txn_log_dir("/data");
  storage::FaultInjectingEnv env;
  state::Database live{{}};
  testing::TxnGenerator gen{live, 7};
  std::unique_ptr<storage::TxnLog> log;
  std::vector<std::string> snapshots;

  void SetUp() override {
    auto opened = storage::TxnLog::open(env, storage::testing::small_options(log_dir),
                                        storage::RecoveredLog{});
    ASSERT_TRUE(opened);
    log = std::move(*opened);
  }

  void write(int n) {
    for (int i = 0; i < n; ++i) {
      proto::Txn txn = gen.next();
      ASSERT_TRUE(log->append(txn.header.zxid, proto::encode_txn(txn)));
    }
    ASSERT_TRUE(log->commit(true));
  }
  // A snapshot of the live tree, then a new segment (as the server does).
  void snapshot(int64_t end_digest_delta = 0) {
    auto path = write_tree_snapshot(env, snap_dir, live.tree(), 0, 0, live.tree().last_zxid(),
                                    live.tree().digest() + end_digest_delta);
    ASSERT_TRUE(path);
    snapshots.push_back(*path);
    log->roll();
  }
  void flip_middle(const std::string& path) {
    std::string bytes = env.contents(path);
    bytes[bytes.size() / 2] ^= 0x10;
    env.set_contents(path, bytes);
  }
  Result<RecoveryReport> recover(state::Database& db) {
    return recover_database(env, RecoveryOptions{snap_dir, log_dir}, db);
  }
};

TEST_F(RecoveryTest, NewestSnapshotPlusTheLogAfterItGivesTheExactState) {
  write(300);
  snapshot();
  write(300);
  snapshot();
  write(100);
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(testing::dump(db.tree()), testing::dump(live.tree()));
  EXPECT_EQ(r->snapshot_path, snapshots.back());
  EXPECT_EQ(r->snapshot_zxid, 600);
  EXPECT_EQ(r->txns_applied, 100u);
  EXPECT_EQ(r->log.last_zxid, 700);
  EXPECT_GE(r->digest_checks, 1u);
  EXPECT_EQ(r->digest_mismatches, 0u);
  EXPECT_TRUE(r->skipped_snapshots.empty());
}

TEST_F(RecoveryTest, ADamagedNewestSnapshotFallsBackToThePreviousOne) {
  write(300);
  snapshot();
  write(300);
  snapshot();
  write(100);
  flip_middle(snapshots.back());
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(testing::dump(db.tree()), testing::dump(live.tree()));
  EXPECT_EQ(r->snapshot_zxid, 300);
  EXPECT_EQ(r->txns_applied, 400u);
  ASSERT_EQ(r->skipped_snapshots.size(), 1u);
  EXPECT_NE(r->skipped_snapshots[0].find(snapshots.back()), std::string::npos);
  EXPECT_TRUE(env.file_exists(snapshots.back()));  // left for inspection
}

TEST_F(RecoveryTest, ATruncatedNewestSnapshotFallsBackToo) {
  write(50);
  snapshot();
  write(50);
  snapshot();
  const std::string bytes = env.contents(snapshots.back());
  env.set_contents(snapshots.back(), bytes.substr(0, bytes.size() - 1));
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->snapshot_zxid, 50);
  EXPECT_EQ(testing::dump(db.tree()), testing::dump(live.tree()));
}

TEST_F(RecoveryTest, WhenNoSnapshotReadsBackStartUpFailsAndNothingIsDeleted) {
  write(100);
  snapshot();
  write(100);
  snapshot();
  for (const auto& s : snapshots) flip_middle(s);
  const auto before = env.file_names();
  state::Database db({});
  auto r = recover(db);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("no snapshot"), std::string::npos) << r.error();
  for (const auto& s : snapshots) EXPECT_NE(r.error().find(s), std::string::npos) << r.error();
  EXPECT_EQ(env.file_names(), before);
}

TEST_F(RecoveryTest, FallingBackOverAMissingSegmentIsAGapNamingTheFile) {
  write(100);
  snapshot();
  write(100);
  snapshot();
  write(100);
  ASSERT_TRUE(env.remove(storage::join_path(log_dir, storage::segment_file_name(101))));
  flip_middle(snapshots.back());
  state::Database db({});
  auto r = recover(db);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("zxid gap"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find(storage::segment_file_name(201)), std::string::npos) << r.error();
}

TEST_F(RecoveryTest, CorruptRecordBeforeTheTailIsFatal) {
  write(100);
  snapshot();
  write(100);
  const std::string seg = storage::join_path(log_dir, storage::segment_file_name(101));
  std::string bytes = env.contents(seg);
  bytes[storage::kSegmentHeaderSize + 40] ^= 0x01;  // inside the first record after the header
  env.set_contents(seg, bytes);
  state::Database db({});
  auto r = recover(db);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("file=" + seg), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("offset=32"), std::string::npos) << r.error();
  EXPECT_EQ(env.contents(seg), bytes);
}

TEST_F(RecoveryTest, WithoutSnapshotsTheWholeLogIsReplayed) {
  write(250);
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->snapshot_path.empty());
  EXPECT_EQ(r->txns_applied, 250u);
  EXPECT_EQ(testing::dump(db.tree()), testing::dump(live.tree()));
}

TEST_F(RecoveryTest, StaleTempSnapshotIsRemoved) {
  write(10);
  snapshot();
  const std::string temp = storage::join_path(snap_dir, storage::snapshot_temp_name(99));
  env.set_contents(temp, "half a snapshot");
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->removed_temp_files, 1u);
  EXPECT_FALSE(env.file_exists(temp));
}

TEST_F(RecoveryTest, DigestMismatchIsCountedNotFatal) {
  write(40);
  snapshot(/*end_digest_delta=*/1);
  write(10);
  state::Database db({});
  auto r = recover(db);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->digest_mismatches, 1u);
  EXPECT_EQ(testing::dump(db.tree()), testing::dump(live.tree()));
}

}  // namespace
}  // namespace paddock::durable
