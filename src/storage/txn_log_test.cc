#include "storage/txn_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"
#include "storage/posix_env.h"

namespace paddock::storage {
namespace {

using testing::expected_records;
using testing::open_log;
using testing::payload_for;
using testing::Records;
using testing::recover;
using testing::small_options;

class TxnLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.create_dirs("/data")); }

  void append_range(TxnLog& log, int64_t first, int64_t last) {
    for (int64_t z = first; z <= last; ++z) {
      ASSERT_TRUE(log.append(z, payload_for(z)));
    }
  }
  std::vector<SegmentFile> segments() {
    auto s = list_segments(env_, dir_);
    EXPECT_TRUE(s.is_ok());
    return s ? *s : std::vector<SegmentFile>{};
  }

  FaultInjectingEnv env_;
  std::string dir_ = txn_log_dir("/data");
};

TEST_F(TxnLogTest, RecordsRoundTripThroughRecovery) {
  auto log = open_log(env_, small_options(dir_));
  ASSERT_TRUE(log);
  append_range(*log, 1, 5);
  ASSERT_TRUE(log->commit(true));
  EXPECT_EQ(log->committed_zxid(), 5);
  ASSERT_TRUE(log->close());

  Records got;
  auto rec = recover(env_, dir_, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 5));
  EXPECT_EQ(rec->last_zxid, 5);
  EXPECT_EQ(rec->records_visited, 5u);
  EXPECT_EQ(rec->truncated_bytes, 0u);
  EXPECT_EQ(rec->tail_path, dir_ + "/log.0000000000000001");
}

TEST_F(TxnLogTest, EmptyOrMissingLogRecoversNothing) {
  Records got;
  auto rec = recover(env_, dir_, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(rec->last_zxid, 0);
  EXPECT_TRUE(rec->tail_path.empty());
}

TEST_F(TxnLogTest, ManyRecordsAcrossRolledAndFullSegmentsRecoverInOrder) {
  TxnLogOptions o = small_options(dir_);
  o.segment_max_bytes = 2000;  // ~35 records of 56 bytes per segment
  auto log = open_log(env_, o);
  ASSERT_TRUE(log);
  for (int64_t z = 1; z <= 500; ++z) {
    if (z == 100 || z == 101 || z == 300) log->roll();  // 101: roll twice in a row
    ASSERT_TRUE(log->append(z, payload_for(z)));
    if (z % 7 == 0) {
      ASSERT_TRUE(log->commit(true));
    }
  }
  ASSERT_TRUE(log->close());

  const auto segs = segments();
  ASSERT_GT(segs.size(), 10u);
  bool saw_100 = false, saw_101 = false, saw_300 = false;
  for (const auto& s : segs) {
    saw_100 |= s.first_zxid == 100;
    saw_101 |= s.first_zxid == 101;
    saw_300 |= s.first_zxid == 300;
    EXPECT_LE(env_.contents(s.path).size(), 4096u) << s.path;
  }
  EXPECT_TRUE(saw_100 && saw_101 && saw_300) << "roll() starts a segment at the next record";
  Records got;
  auto rec = recover(env_, dir_, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 500));
  EXPECT_EQ(log->segments_created(), segs.size());
}

TEST_F(TxnLogTest, RecoveryAfterASnapshotZxidVisitsOnlyLaterRecords) {
  TxnLogOptions o = small_options(dir_);
  auto log = open_log(env_, o);
  append_range(*log, 1, 50);
  log->roll();
  append_range(*log, 51, 80);
  ASSERT_TRUE(log->close());

  for (int64_t after : {0, 30, 50, 51, 79, 80, 95}) {
    Records got;
    auto rec = recover(env_, dir_, after, &got);
    ASSERT_TRUE(rec.is_ok()) << after << ": " << rec.error();
    EXPECT_EQ(got, expected_records(std::min<int64_t>(after + 1, 81), 80)) << after;
    EXPECT_EQ(rec->last_zxid, 80);
  }
}

TEST_F(TxnLogTest, AppendsContinueInTheRecoveredTailSegment) {
  {
    auto log = open_log(env_, small_options(dir_));
    append_range(*log, 1, 10);
    ASSERT_TRUE(log->close());
  }
  {
    auto log = open_log(env_, small_options(dir_));
    ASSERT_TRUE(log);
    EXPECT_EQ(log->last_zxid(), 10);
    append_range(*log, 11, 20);
    ASSERT_TRUE(log->close());
    EXPECT_EQ(log->segments_created(), 0u);
  }
  EXPECT_EQ(segments().size(), 1u);
  Records got;
  ASSERT_TRUE(recover(env_, dir_, 0, &got).is_ok());
  EXPECT_EQ(got, expected_records(1, 20));
}

TEST_F(TxnLogTest, ZxidsMayJumpToANewEpoch) {
  auto log = open_log(env_, small_options(dir_));
  ASSERT_TRUE(log->append(1, payload_for(1)));
  ASSERT_TRUE(log->append(2, payload_for(2)));
  ASSERT_TRUE(log->append(0x100000001, payload_for(3)));
  ASSERT_TRUE(log->append(0x100000002, payload_for(4)));
  ASSERT_TRUE(log->close());
  Records got;
  auto rec = recover(env_, dir_, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got.size(), 4u);
  EXPECT_EQ(rec->last_zxid, 0x100000002);
}

TEST_F(TxnLogTest, PreallocationMakesTheSegmentAtLeastPreallocSize) {
  TxnLogOptions o = small_options(dir_);
  o.preallocate_bytes = 64 * 1024;
  auto log = open_log(env_, o);
  append_range(*log, 1, 3);
  ASSERT_TRUE(log->commit(true));
  const std::string data = env_.contents(log->current_segment());
  EXPECT_EQ(data.size(), 64u * 1024);
  // Growing past the first chunk adds whole chunks.
  ASSERT_TRUE(log->append(4, std::string(70 * 1024, 'q')));
  ASSERT_TRUE(log->commit(true));
  EXPECT_EQ(env_.contents(log->current_segment()).size(), 128u * 1024);
}

TEST_F(TxnLogTest, EmptyAndOversizedPayloadsAreRefused) {
  auto log = open_log(env_, small_options(dir_));
  EXPECT_FALSE(log->append(1, ""));
  EXPECT_FALSE(log->append(1, std::string(kMaxRecordPayload + 1, 'x')));
  EXPECT_TRUE(log->append(1, "ok"));
}

TEST_F(TxnLogTest, DecreasingZxidIsAnAssertion) {
  auto log = open_log(env_, small_options(dir_));
  ASSERT_TRUE(log->append(5, "x"));
  EXPECT_DEATH((void)log->append(5, "y"), "zxid > last_zxid_");
}

TEST_F(TxnLogTest, OneWriteAndOneSyncPerCommit) {
  auto log = open_log(env_, small_options(dir_));
  append_range(*log, 1, 100);
  const uint64_t writes = env_.calls(FaultInjectingEnv::Op::kWrite);
  const uint64_t syncs = env_.calls(FaultInjectingEnv::Op::kSync);
  EXPECT_EQ(writes, 0u) << "append() only encodes";
  ASSERT_TRUE(log->commit(true));
  EXPECT_EQ(env_.calls(FaultInjectingEnv::Op::kWrite), writes + 1);
  EXPECT_EQ(env_.calls(FaultInjectingEnv::Op::kSync), syncs + 1);
  EXPECT_EQ(log->fsync_stats().count, 1u);
}

TEST(TxnLogPosix, RoundTripsOnARealDirectoryWithPreallocation) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("paddock-txnlog-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  PosixEnv env;
  TxnLogOptions o = small_options(txn_log_dir(base.string()));
  o.preallocate_bytes = 1 << 20;
  {
    auto log = open_log(env, o);
    ASSERT_TRUE(log);
    for (int64_t z = 1; z <= 200; ++z) {
      ASSERT_TRUE(log->append(z, payload_for(z)));
    }
    ASSERT_TRUE(log->commit(true));
    EXPECT_EQ(std::filesystem::file_size(log->current_segment()), 1u << 20);
    ASSERT_TRUE(log->close());
  }
  Records got;
  auto rec = recover(env, o.dir, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 200));
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace paddock::storage
