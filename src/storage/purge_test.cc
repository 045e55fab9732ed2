// Purge keeps the newest complete snapshots and every log segment recovery from any of them
// needs; it never counts a damaged snapshot among the kept ones.
#include "storage/purge.h"

#include <gtest/gtest.h>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"
#include "storage/snapshot_file.h"
#include "storage/txn_log.h"

namespace paddock::storage {
namespace {

std::vector<SnapshotFile> snaps(std::initializer_list<int64_t> zxids) {
  std::vector<SnapshotFile> out;
  for (int64_t z : zxids) out.push_back({"s" + std::to_string(z), z});
  return out;
}
std::vector<SegmentFile> segs(std::initializer_list<int64_t> zxids) {
  std::vector<SegmentFile> out;
  for (int64_t z : zxids) out.push_back({"l" + std::to_string(z), z});
  return out;
}
using Names = std::vector<std::string>;

TEST(PurgePlanTest, KeepsTheNewestThreeAndTheSegmentsFromTheOneHoldingTheOldestPlusOne) {
  auto all = snaps({10, 20, 30, 40, 50});
  PurgePlan p = plan_purge(all, all, segs({1, 15, 21, 35, 51}), 3);
  EXPECT_EQ(p.oldest_retained_zxid, 30);
  EXPECT_EQ(p.snapshots_to_remove, (Names{"s10", "s20"}));
  EXPECT_EQ(p.segments_to_remove, (Names{"l1", "l15"}));  // l21 holds 31
}

TEST(PurgePlanTest, RetainCountBelowThreeCountsAsThree) {
  auto all = snaps({10, 20, 30, 40, 50});
  for (size_t retain : {0, 1, 2, 3}) {
    EXPECT_EQ(plan_purge(all, all, segs({1}), retain).oldest_retained_zxid, 30) << retain;
  }
  EXPECT_EQ(plan_purge(all, all, segs({1}), 4).oldest_retained_zxid, 20);
}

TEST(PurgePlanTest, DamagedSnapshotsAreNotCountedAmongTheKept) {
  auto all = snaps({10, 20, 30, 40, 50});
  PurgePlan p = plan_purge(all, snaps({10, 20, 30}), segs({1, 15, 21, 35, 51}), 3);
  EXPECT_EQ(p.oldest_retained_zxid, 10);
  EXPECT_TRUE(p.snapshots_to_remove.empty());
  EXPECT_TRUE(p.segments_to_remove.empty());  // l1 holds 11
}

TEST(PurgePlanTest, SegmentStartingRightAfterTheOldestKeptMakesEarlierOnesRemovable) {
  auto all = snaps({10, 20, 30});
  PurgePlan p = plan_purge(all, all, segs({1, 11, 25}), 3);
  EXPECT_EQ(p.segments_to_remove, (Names{"l1"}));
}

TEST(PurgePlanTest, NothingGoesWithoutACompleteSnapshotOrWhenTheLogStartsLater) {
  auto all = snaps({10, 20});
  EXPECT_EQ(plan_purge(all, {}, segs({1, 5}), 3).oldest_retained_zxid, 0);
  EXPECT_TRUE(plan_purge(all, {}, segs({1, 5}), 3).segments_to_remove.empty());
  PurgePlan p = plan_purge(all, all, segs({50, 60}), 3);
  EXPECT_TRUE(p.segments_to_remove.empty());
  EXPECT_TRUE(p.snapshots_to_remove.empty());
}

class PurgeFilesTest : public ::testing::Test {
 protected:
  const std::string snap_dir = snapshot_dir("/data");
  const std::string log_dir = txn_log_dir("/data");
  FaultInjectingEnv env;

  void write_snapshot(int64_t zxid) {
    SnapshotWriteOptions options;
    options.dir = snap_dir;
    options.header.zxid = zxid;
    auto w = SnapshotFileWriter::create(env, options);
    ASSERT_TRUE(w);
    SnapshotChunk c;
    c.add_node("/", std::string_view(), 0, {});
    ASSERT_TRUE((*w)->add(c));
    ASSERT_TRUE((*w)->finish(zxid, 0));
  }

  // zxids 1..60, a new segment after every 10th, a snapshot at every 10th.
  void build() {
    auto log = TxnLog::open(env, testing::small_options(log_dir), RecoveredLog{});
    ASSERT_TRUE(log);
    for (int64_t z = 1; z <= 60; ++z) {
      ASSERT_TRUE((*log)->append(z, testing::payload_for(z)));
      if (z % 10 == 0) {
        ASSERT_TRUE((*log)->commit(true));
        write_snapshot(z);
        (*log)->roll();
      }
    }
    ASSERT_TRUE((*log)->close());
  }

  std::vector<int64_t> snapshot_zxids() {
    std::vector<int64_t> out;
    auto list = list_snapshots(env, snap_dir);
    for (const auto& s : *list) out.push_back(s.zxid);
    return out;
  }
  std::vector<int64_t> segment_zxids() {
    std::vector<int64_t> out;
    auto list = list_segments(env, log_dir);
    for (const auto& s : *list) out.push_back(s.first_zxid);
    return out;
  }
};

TEST_F(PurgeFilesTest, RecoveryFromEveryRetainedSnapshotStillWorksAfterPurge) {
  build();
  EXPECT_EQ(segment_zxids(), (std::vector<int64_t>{1, 11, 21, 31, 41, 51}));
  auto plan = purge_old_files(env, snap_dir, log_dir, 3);
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(snapshot_zxids(), (std::vector<int64_t>{40, 50, 60}));
  EXPECT_EQ(segment_zxids(), (std::vector<int64_t>{41, 51}));
  for (int64_t from : snapshot_zxids()) {
    testing::Records records;
    auto rec = testing::recover(env, log_dir, from, &records, /*repair=*/false);
    ASSERT_TRUE(rec) << "from " << from << ": " << rec.error();
    EXPECT_EQ(records, testing::expected_records(from + 1, 60)) << "from " << from;
  }
}

TEST_F(PurgeFilesTest, ATornNewestSnapshotMakesPurgeKeepOneMoreOlder) {
  build();
  const std::string newest = join_path(snap_dir, snapshot_file_name(60));
  std::string bytes = env.contents(newest);
  env.set_contents(newest, bytes.substr(0, bytes.size() - 10));
  ASSERT_TRUE(purge_old_files(env, snap_dir, log_dir, 3));
  EXPECT_EQ(snapshot_zxids(), (std::vector<int64_t>{30, 40, 50, 60}));
  EXPECT_EQ(segment_zxids(), (std::vector<int64_t>{31, 41, 51}));
}

TEST_F(PurgeFilesTest, PurgerRunsAtStartAndThenOnItsInterval) {
  build();
  Purger purger(env, snap_dir, log_dir, 3, std::chrono::milliseconds(10));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (purger.runs() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  purger.stop();
  EXPECT_GE(purger.runs(), 3u);
  EXPECT_EQ(snapshot_zxids(), (std::vector<int64_t>{40, 50, 60}));
}

}  // namespace
}  // namespace paddock::storage
