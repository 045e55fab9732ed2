// Recovery of damaged logs: torn tails are cut, corruption before the tail is fatal.
#include <gtest/gtest.h>

#include <map>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/log_test_support.h"
#include "storage/txn_log.h"

namespace paddock::storage {
namespace {

using testing::expected_records;
using testing::make_segment;
using testing::payload_for;
using testing::record_offset;
using testing::Records;
using testing::recover;
using testing::small_options;

using Files = std::map<std::string, std::string>;

const std::string kLogDir = txn_log_dir("/data");

std::string segment_path(int64_t first_zxid) {
  return join_path(kLogDir, segment_file_name(first_zxid));
}

class LogRecoveryTest : public ::testing::Test {
 protected:
  // Segment log.1 holds 1..10, log.b (the last) holds 11..15; 40-byte payloads, files
  // preallocated to 4096 bytes.
  static Files build_base() {
    FaultInjectingEnv env;
    EXPECT_TRUE(env.create_dirs("/data"));
    auto log = TxnLog::open(env, small_options(kLogDir), RecoveredLog{});
    EXPECT_TRUE(log.is_ok());
    for (int64_t z = 1; z <= 15; ++z) {
      if (z == 11) (*log)->roll();
      EXPECT_TRUE((*log)->append(z, payload_for(z)));
    }
    EXPECT_TRUE((*log)->close());
    Files files;
    for (const auto& path : env.file_names()) files[path] = env.contents(path);
    return files;
  }

  void load(const Files& files) {
    ASSERT_TRUE(env_->create_dirs(kLogDir));
    for (const auto& [path, data] : files) env_->set_contents(path, data);
  }
  Files snapshot() const {
    Files files;
    for (const auto& path : env_->file_names()) files[path] = env_->contents(path);
    return files;
  }
  void expect_fatal(const std::string& file, uint64_t offset, const std::string& what) {
    const Files before = snapshot();
    auto rec = recover(*env_, kLogDir, 0, nullptr);
    ASSERT_FALSE(rec.is_ok()) << "expected a fatal error about " << what;
    EXPECT_NE(rec.error().find("file=" + file + " "), std::string::npos) << rec.error();
    EXPECT_NE(rec.error().find("offset=" + std::to_string(offset) + ":"), std::string::npos)
        << rec.error();
    EXPECT_NE(rec.error().find(what), std::string::npos) << rec.error();
    EXPECT_EQ(snapshot(), before) << "a fatal error must change nothing";
  }

  const Files base_ = build_base();
  const std::string last_ = segment_path(11);
  void reset_env() { env_ = std::make_unique<FaultInjectingEnv>(); }
  std::unique_ptr<FaultInjectingEnv> env_ = std::make_unique<FaultInjectingEnv>();
};

TEST_F(LogRecoveryTest, BaseLogRecoversCleanly) {
  load(base_);
  Records got;
  auto rec = recover(*env_, kLogDir, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 15));
  EXPECT_EQ(env_->contents(last_).size(), 4096u);
}

// For every way the last record can be cut short by a crash -- file ending anywhere inside
// it, or preallocated zeros from anywhere inside it -- recovery ends at the record before,
// cuts the file there, and appending goes on correctly.
TEST_F(LogRecoveryTest, LastRecordTornAtEveryByteRecoversToThePreviousRecord) {
  const uint64_t start = record_offset(4);  // record 15
  const uint64_t end = record_offset(5);
  for (bool zero_filled : {false, true}) {
    for (uint64_t cut = start; cut < end; ++cut) {
      SCOPED_TRACE(::testing::Message() << "cut=" << cut << " zero_filled=" << zero_filled);
      reset_env();
      Files files = base_;
      files[last_].resize(cut);
      if (zero_filled) files[last_].resize(4096, '\0');
      load(files);

      Records got;
      auto rec = recover(*env_, kLogDir, 0, &got);
      ASSERT_TRUE(rec.is_ok()) << rec.error();
      EXPECT_EQ(got, expected_records(1, 14));
      EXPECT_EQ(rec->last_zxid, 14);
      EXPECT_EQ(rec->tail_path, last_);
      EXPECT_EQ(rec->tail_end, start);
      const bool torn = cut > start;
      EXPECT_EQ(rec->truncated_bytes, torn ? files[last_].size() - start : 0u);
      EXPECT_EQ(env_->contents(last_).size(), torn || !zero_filled ? start : 4096u);

      auto log = TxnLog::open(*env_, small_options(kLogDir), *rec);
      ASSERT_TRUE(log.is_ok()) << log.error();
      ASSERT_TRUE((*log)->append(15, "rewritten-15"));
      ASSERT_TRUE((*log)->append(16, payload_for(16)));
      ASSERT_TRUE((*log)->close());
      Records again;
      ASSERT_TRUE(recover(*env_, kLogDir, 0, &again).is_ok());
      Records want = expected_records(1, 14);
      want.emplace_back(15, "rewritten-15");
      want.emplace_back(16, payload_for(16));
      EXPECT_EQ(again, want);
    }
  }
}

TEST_F(LogRecoveryTest, FlippedByteInAMiddleRecordIsFatalAtEveryPosition) {
  const uint64_t start = record_offset(2);  // record 13 of 11..15
  for (uint64_t pos = start; pos < record_offset(3); ++pos) {
    SCOPED_TRACE(::testing::Message() << "flipped byte at " << pos);
    reset_env();
    Files files = base_;
    files[last_][pos] ^= 0x20;
    load(files);
    expect_fatal(last_, start,
                 "a valid record follows at offset " + std::to_string(record_offset(3)));
  }
}

TEST_F(LogRecoveryTest, BadChecksumInAnEarlierSegmentIsFatalEvenInItsLastRecord) {
  Files files = base_;
  const std::string first = segment_path(1);
  files[first][record_offset(9) + 20] ^= 0x01;  // record 10, the last of log.1
  load(files);
  expect_fatal(first, record_offset(9), "not the last segment");
}

TEST_F(LogRecoveryTest, BadChecksumInTheVeryLastRecordIsATornTail) {
  Files files = base_;
  files[last_][record_offset(4) + 30] ^= 0x01;
  load(files);
  Records got;
  auto rec = recover(*env_, kLogDir, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 14));
  EXPECT_EQ(env_->contents(last_).size(), record_offset(4));
}

// Power loss may persist the sectors of an unsynced batch out of order: a zeroed sector
// with intact records after it, in the last segment, is a torn write, not corruption.
TEST_F(LogRecoveryTest, ZeroedSectorInTheLastSegmentIsATornBatchAndIsCut) {
  constexpr size_t kPayload = 300;
  std::string seg = encode_segment_header({.dbid = 0, .first_zxid = 1});
  for (int64_t z = 1; z <= 5; ++z) append_record(seg, z, payload_for(z, kPayload));
  std::fill(seg.begin() + 512, seg.begin() + 1024, '\0');  // hits records 2, 3 and 4
  load({{segment_path(1), seg}});
  Records got;
  auto rec = recover(*env_, kLogDir, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, 1);
  EXPECT_EQ(env_->contents(segment_path(1)).size(), record_offset(1, kPayload));
}

TEST_F(LogRecoveryTest, ZxidGapIsFatal) {
  load({{segment_path(1), make_segment(1, {1, 2, 3, 5, 6})}});
  expect_fatal(segment_path(1), record_offset(3), "zxid gap: 0x5 follows 0x3");
}

TEST_F(LogRecoveryTest, ZxidGapAcrossSegmentsIsFatal) {
  load({{segment_path(1), make_segment(1, {1, 2, 3})}, {segment_path(5), make_segment(5, {5, 6})}});
  expect_fatal(segment_path(5), record_offset(0), "zxid gap");
}

TEST_F(LogRecoveryTest, GapCoveredByTheSnapshotIsFine) {
  load({{segment_path(1), make_segment(1, {1, 2, 3})}, {segment_path(8), make_segment(8, {8, 9})}});
  Records got;
  LogReadOptions options;
  options.after_zxid = 7;
  auto rec = recover(*env_, kLogDir, 7, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(8, 9));
}

TEST_F(LogRecoveryTest, ZxidRegressionIsFatal) {
  load({{segment_path(1), make_segment(1, {1, 2, 3, 2})}});
  expect_fatal(segment_path(1), record_offset(3), "does not increase");
}

TEST_F(LogRecoveryTest, OverlappingSegmentsAreFatal) {
  load({{segment_path(1), make_segment(1, {1, 2, 3})}, {segment_path(3), make_segment(3, {3, 4})}});
  expect_fatal(segment_path(3), 0, "earlier records reach 0x3");
}

TEST_F(LogRecoveryTest, SegmentWhoseFirstRecordDoesNotMatchItsNameIsFatal) {
  load({{segment_path(1), make_segment(1, {2, 3})}});
  expect_fatal(segment_path(1), record_offset(0), "named for 0x1");
}

TEST_F(LogRecoveryTest, BadHeaderOfAnEarlierSegmentIsFatal) {
  Files files = base_;
  files[segment_path(1)][2] ^= 0x01;
  load(files);
  expect_fatal(segment_path(1), 0, "bad segment magic");
}

TEST_F(LogRecoveryTest, LastSegmentWithoutARecordIsRemoved) {
  for (const std::string& stub : {encode_segment_header({.dbid = 0, .first_zxid = 16}),
                                  std::string(20, '\0'), std::string("junk")}) {
    reset_env();
    Files files = base_;
    files[segment_path(16)] = stub + std::string(100, '\0');
    load(files);
    Records got;
    auto rec = recover(*env_, kLogDir, 0, &got);
    ASSERT_TRUE(rec.is_ok()) << rec.error();
    EXPECT_EQ(got, expected_records(1, 15));
    EXPECT_EQ(rec->tail_path, last_);
    EXPECT_FALSE(env_->file_exists(segment_path(16)));
  }
}

TEST_F(LogRecoveryTest, GarbageAfterTheEndOfDataIsCutInTheLastSegmentOnly) {
  Files files = base_;
  files[last_][record_offset(5) + 100] = 'Z';
  load(files);
  auto rec = recover(*env_, kLogDir, 0, nullptr);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(rec->last_zxid, 15);
  EXPECT_EQ(env_->contents(last_).size(), record_offset(5));

  reset_env();
  files = base_;
  files[segment_path(1)] += std::string(50, '\0') + "Z";
  load(files);
  expect_fatal(segment_path(1), record_offset(10), "non-zero bytes");
}

TEST_F(LogRecoveryTest, ValidRecordAfterAZeroHeaderInAnEarlierSegmentIsFatal) {
  Files files = base_;
  std::string& seg = files[segment_path(1)];
  std::fill(seg.begin() + record_offset(5), seg.begin() + record_offset(6), '\0');  // record 6
  load(files);
  expect_fatal(segment_path(1), record_offset(5), "not the last segment");
}

TEST_F(LogRecoveryTest, ReadOnlyRecoveryReportsATornTailButChangesNothing) {
  Files files = base_;
  files[last_].resize(record_offset(4) + 3);
  load(files);
  Records got;
  auto rec = recover(*env_, kLogDir, 0, &got, /*repair=*/false);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 14));
  EXPECT_EQ(rec->truncated_bytes, 3u);
  EXPECT_EQ(snapshot(), files);
}

TEST_F(LogRecoveryTest, VisitorErrorStopsRecoveryAndNamesTheRecord) {
  load(base_);
  LogReadOptions options;
  auto rec = recover_txn_log(*env_, kLogDir, options, [](int64_t zxid, std::string_view) {
    return zxid == 12 ? Status::error("cannot decode") : Status::ok();
  });
  ASSERT_FALSE(rec.is_ok());
  EXPECT_NE(rec.error().find(last_), std::string::npos) << rec.error();
  EXPECT_NE(rec.error().find("zxid=0xc"), std::string::npos) << rec.error();
  EXPECT_NE(rec.error().find("cannot decode"), std::string::npos) << rec.error();
}

}  // namespace
}  // namespace paddock::storage
