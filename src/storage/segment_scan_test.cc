// scan_segment_file: one segment read as the tools see it, with recovery's record reader.
#include <gtest/gtest.h>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/log_test_support.h"

namespace paddock::storage {
namespace {

using testing::expected_records;
using testing::make_segment;
using testing::payload_for;
using testing::record_offset;
using testing::Records;

const std::string kPath = "/data/paddock-log/log.0000000000000005";

constexpr uint64_t kScanDbid = 7;

class SegmentScanTest : public ::testing::Test {
 protected:
  Result<SegmentScan> scan(std::string bytes) {
    env_.set_contents(kPath, std::move(bytes));
    seen_.clear();
    offsets_.clear();
    return scan_segment_file(env_, kPath,
                             [this](uint64_t offset, int64_t zxid, std::string_view payload) {
                               seen_.emplace_back(zxid, std::string(payload));
                               offsets_.push_back(offset);
                             });
  }
  FaultInjectingEnv env_;
  Records seen_;
  std::vector<uint64_t> offsets_;
};

TEST_F(SegmentScanTest, CleanSegmentWithPreallocatedZerosVisitsEveryRecord) {
  std::string bytes = make_segment(5, {5, 6, 7, 8}, kScanDbid);
  const uint64_t end = bytes.size();
  bytes.resize(4096, '\0');
  auto s = scan(bytes);
  ASSERT_TRUE(s.is_ok()) << s.error();
  EXPECT_EQ(seen_, expected_records(5, 8));
  EXPECT_EQ(offsets_, (std::vector<uint64_t>{record_offset(0), record_offset(1), record_offset(2),
                                             record_offset(3)}));
  EXPECT_EQ(s->header.dbid, kScanDbid);
  EXPECT_EQ(s->header.first_zxid, 5);
  EXPECT_EQ(s->records, 4u);
  EXPECT_EQ(s->last_zxid, 8);
  EXPECT_EQ(s->end_offset, end);
  EXPECT_EQ(s->problem, "");
}

TEST_F(SegmentScanTest, ChecksumMismatchStopsAtTheRecordAndNamesItsOffset) {
  std::string bytes = make_segment(5, {5, 6, 7}, kScanDbid);
  bytes[record_offset(1) + 20] ^= 0x40;  // inside record 6's payload
  auto s = scan(bytes);
  ASSERT_TRUE(s.is_ok()) << s.error();
  EXPECT_EQ(seen_, expected_records(5, 5));
  EXPECT_EQ(s->end_offset, record_offset(1));
  EXPECT_EQ(s->problem.rfind("checksum mismatch at offset " + std::to_string(record_offset(1)), 0),
            0u)
      << s->problem;
}

TEST_F(SegmentScanTest, BytesAfterTheEndOfDataAreAProblem) {
  std::string bytes = make_segment(5, {5, 6}, kScanDbid);
  bytes.resize(bytes.size() + 100, '\0');
  bytes[bytes.size() - 10] = 'x';
  auto s = scan(bytes);
  ASSERT_TRUE(s.is_ok()) << s.error();
  EXPECT_EQ(s->records, 2u);
  EXPECT_EQ(s->problem, "non-zero bytes at offset " + std::to_string(bytes.size() - 10) +
                            " after the end of data");
}

TEST_F(SegmentScanTest, ZxidsMustStartAtTheHeadersAndIncrease) {
  auto wrong_first = scan(make_segment(5, {6, 7}, kScanDbid));
  ASSERT_TRUE(wrong_first.is_ok());
  EXPECT_EQ(wrong_first->records, 0u);
  EXPECT_EQ(wrong_first->problem, "zxid 0x6 out of order at offset 32");
  auto backwards = scan(make_segment(5, {5, 6, 6}, kScanDbid));
  ASSERT_TRUE(backwards.is_ok());
  EXPECT_EQ(backwards->records, 2u);
  EXPECT_EQ(backwards->problem,
            "zxid 0x6 out of order at offset " + std::to_string(record_offset(2)));
}

TEST_F(SegmentScanTest, RecordCutShortByTheEndOfFileIsAProblem) {
  std::string bytes = make_segment(5, {5, 6}, kScanDbid);
  bytes.resize(bytes.size() - 5);
  auto s = scan(bytes);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s->records, 1u);
  EXPECT_NE(s->problem.find("runs past the end of the file at offset " +
                            std::to_string(record_offset(1))),
            std::string::npos)
      << s->problem;
}

TEST_F(SegmentScanTest, UnreadableHeaderIsAnErrorAndTheFileIsLeftAsItWas) {
  std::string bytes = make_segment(5, {5}, kScanDbid);
  bytes[0] = 'X';
  auto s = scan(bytes);
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.error().rfind("segment header: ", 0), 0u) << s.error();
  EXPECT_EQ(env_.contents(kPath), bytes);
}

}  // namespace
}  // namespace paddock::storage
