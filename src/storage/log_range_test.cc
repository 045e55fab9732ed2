#include "storage/log_range.h"

#include <gtest/gtest.h>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"
#include "storage/txn_log.h"

namespace paddock::storage {
namespace {

using testing::expected_records;
using testing::open_log;
using testing::payload_for;
using testing::Records;
using testing::recover;
using testing::small_options;

class LogRangeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.create_dirs("/data")); }

  // Writes zxids [first, last], rolling to a new segment before each zxid in `rolls`.
  void write(int64_t first, int64_t last, std::vector<int64_t> rolls = {}) {
    auto log = open_log(env_, small_options(dir_));
    ASSERT_NE(log, nullptr);
    for (int64_t z = first; z <= last; ++z) {
      if (std::find(rolls.begin(), rolls.end(), z) != rolls.end()) {
        ASSERT_TRUE(log->commit(true));
        log->roll();
      }
      ASSERT_TRUE(log->append(z, payload_for(z)));
    }
    ASSERT_TRUE(log->close());
  }
  Records as_records(const std::vector<LoggedTxn>& txns) {
    Records r;
    for (const LoggedTxn& t : txns) r.emplace_back(t.zxid, t.bytes);
    return r;
  }

  FaultInjectingEnv env_;
  std::string dir_ = txn_log_dir("/data");
};

TEST_F(LogRangeTest, ReadsTheRecordsAfterAZxidAcrossSegmentsUpToTheBound) {
  write(1, 30, {10, 20});
  auto read = read_log_range(env_, dir_, 8, 25, 1000);
  ASSERT_TRUE(read.is_ok()) << read.error();
  EXPECT_TRUE(read->contiguous);
  EXPECT_EQ(as_records(read->txns), expected_records(9, 25));
}

TEST_F(LogRangeTest, StopsAtMaxTxns) {
  write(1, 30);
  auto read = read_log_range(env_, dir_, 0, 30, 5);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(as_records(read->txns), expected_records(1, 5));
}

TEST_F(LogRangeTest, ARangePastMaxBytesIsWeighedNotCopied) {
  write(1, 30, {10, 20});
  const size_t each = payload_for(1).size();
  auto read = read_log_range(env_, dir_, 0, 30, 1000, 3 * each);
  ASSERT_TRUE(read.is_ok());
  EXPECT_TRUE(read->over_limit);
  EXPECT_TRUE(read->txns.empty());
  EXPECT_TRUE(read->contiguous);
  // Exactly at the limit it is read whole.
  auto fits = read_log_range(env_, dir_, 27, 30, 1000, 3 * each);
  ASSERT_TRUE(fits.is_ok());
  EXPECT_FALSE(fits->over_limit);
  EXPECT_EQ(as_records(fits->txns), expected_records(28, 30));
  // A purged start is told before the weight.
  auto segments = list_segments(env_, dir_);
  ASSERT_TRUE(segments.is_ok());
  ASSERT_TRUE(env_.remove((*segments)[0].path));
  auto gone = read_log_range(env_, dir_, 3, 30, 1000, 3 * each);
  ASSERT_TRUE(gone.is_ok());
  EXPECT_FALSE(gone->contiguous);
}

TEST_F(LogRangeTest, SaysWhenTheLogNoLongerReachesBackFarEnough) {
  write(1, 30, {10, 20});
  auto segments = list_segments(env_, dir_);
  ASSERT_TRUE(segments.is_ok());
  ASSERT_TRUE(env_.remove((*segments)[0].path));  // purged: 1..9 gone
  auto read = read_log_range(env_, dir_, 3, 30, 1000);
  ASSERT_TRUE(read.is_ok());
  EXPECT_FALSE(read->contiguous);
}

TEST_F(LogRangeTest, ANewEpochStartingRightAfterIsContiguous) {
  write(1, 5);
  auto log = open_log(env_, small_options(dir_));
  ASSERT_TRUE(log->append((int64_t{2} << 32) | 1, payload_for(99)));
  ASSERT_TRUE(log->close());
  auto read = read_log_range(env_, dir_, 5, int64_t{3} << 32, 1000);
  ASSERT_TRUE(read.is_ok());
  EXPECT_TRUE(read->contiguous);
  ASSERT_EQ(read->txns.size(), 1u);
  EXPECT_EQ(read->txns[0].zxid, (int64_t{2} << 32) | 1);
}

TEST_F(LogRangeTest, TruncateDropsLaterRecordsAndSegmentsAndAppendsContinue) {
  write(1, 30, {10, 20});
  auto cut = truncate_log_after(env_, dir_, 14);
  ASSERT_TRUE(cut.is_ok()) << cut.error();
  EXPECT_EQ(cut->last_zxid, 14);
  EXPECT_EQ(cut->records_dropped, 16u);
  EXPECT_EQ(cut->segments_removed, 1u);
  Records seen;
  auto recovered = recover(env_, dir_, 0, &seen);
  ASSERT_TRUE(recovered.is_ok());
  EXPECT_EQ(seen, expected_records(1, 14));
  // The log goes on from the cut, with zxids the dropped records had.
  auto log = TxnLog::open(env_, small_options(dir_), *recovered);
  ASSERT_TRUE(log.is_ok());
  ASSERT_TRUE((*log)->append(15, payload_for(15)));
  ASSERT_TRUE((*log)->close());
  seen.clear();
  ASSERT_TRUE(recover(env_, dir_, 0, &seen).is_ok());
  EXPECT_EQ(seen, expected_records(1, 15));
}

TEST_F(LogRangeTest, TruncateAtASegmentBoundaryRemovesTheWholeLaterSegment) {
  write(1, 30, {10, 20});
  auto cut = truncate_log_after(env_, dir_, 9);
  ASSERT_TRUE(cut.is_ok());
  EXPECT_EQ(cut->last_zxid, 9);
  EXPECT_EQ(cut->segments_removed, 2u);
  Records seen;
  ASSERT_TRUE(recover(env_, dir_, 0, &seen).is_ok());
  EXPECT_EQ(seen, expected_records(1, 9));
}

TEST_F(LogRangeTest, TruncateBelowEveryRecordLeavesNoSegment) {
  write(5, 9);
  auto cut = truncate_log_after(env_, dir_, 2);
  ASSERT_TRUE(cut.is_ok());
  EXPECT_EQ(cut->last_zxid, 0);
  auto segments = list_segments(env_, dir_);
  ASSERT_TRUE(segments.is_ok());
  EXPECT_TRUE(segments->empty());
}

TEST_F(LogRangeTest, ADamagedRecordInTheRangeIsAnErrorNamingTheFile) {
  write(1, 5);
  auto segments = list_segments(env_, dir_);
  const std::string path = (*segments)[0].path;
  auto bytes = env_.read_file(path);
  std::string damaged = *bytes;
  damaged[kSegmentHeaderSize + kRecordHeaderSize + 3] ^= 0x55;  // first record's payload
  auto f = env_.open_writable(path, OpenMode::kOpenExisting);
  ASSERT_TRUE(f.is_ok());
  ASSERT_TRUE((*f)->write_at(0, damaged));
  auto read = read_log_range(env_, dir_, 0, 5, 100);
  ASSERT_FALSE(read.is_ok());
  EXPECT_NE(read.error().find(path), std::string::npos);
}

}  // namespace
}  // namespace paddock::storage
