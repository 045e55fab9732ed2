#include "storage/log_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"
#include "storage/posix_env.h"

namespace paddock::storage {
namespace {

using testing::expected_records;
using testing::payload_for;
using testing::Records;
using testing::recover;
using testing::small_options;
using Op = FaultInjectingEnv::Op;

constexpr auto kDeadline = std::chrono::seconds(20);

// What the writer reported through its callbacks.
class Recorder {
 public:
  void on_durable(int64_t zxid) {
    std::lock_guard lock(mu_);
    durable_.push_back(zxid);
    cv_.notify_all();
  }
  void on_error(const Status& error) {
    std::lock_guard lock(mu_);
    errors_.push_back(error.message());
    cv_.notify_all();
  }
  bool wait_durable(int64_t zxid) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline,
                        [&] { return !durable_.empty() && durable_.back() >= zxid; });
  }
  bool wait_errors(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return errors_.size() >= n; });
  }
  std::vector<int64_t> durable() {
    std::lock_guard lock(mu_);
    return durable_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> durable_;
  std::vector<std::string> errors_;
};

// Holds the next file sync until released, so a test can queue work behind it.
class SyncGate {
 public:
  explicit SyncGate(FaultInjectingEnv& env) : env_(env) {
    env.set_sync_hook([this] {
      std::unique_lock lock(mu_);
      if (!armed_) return;
      armed_ = false;
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    });
  }
  ~SyncGate() {
    release();
    env_.set_sync_hook(nullptr);
  }
  SyncGate(const SyncGate&) = delete;
  SyncGate& operator=(const SyncGate&) = delete;
  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
    held_ = released_ = false;
  }
  bool wait_held() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  FaultInjectingEnv& env_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false, held_ = false, released_ = false;
};

bool strictly_increasing(const std::vector<int64_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] <= v[i - 1]) return false;
  }
  return true;
}

class TxnLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.create_dirs("/data")); }
  void TearDown() override {
    if (writer_) writer_->stop();
  }

  void start(const TxnLogOptions& options) {
    auto rec = recover(env_, options.dir, 0, nullptr);
    ASSERT_TRUE(rec.is_ok()) << rec.error();
    auto log = TxnLog::open(env_, options, *rec);
    ASSERT_TRUE(log.is_ok()) << log.error();
    writer_ = std::make_unique<TxnLogWriter>(
        std::move(*log), [this](int64_t z) { recorder_.on_durable(z); },
        [this](const Status& s) { recorder_.on_error(s); });
  }
  void append_range(int64_t first, int64_t last) {
    for (int64_t z = first; z <= last; ++z) ASSERT_TRUE(writer_->append(z, payload_for(z)));
  }
  // For batches that are meant to fail: the writer may refuse later ones once it has.
  void append_until_refused(int64_t first, int64_t last) {
    for (int64_t z = first; z <= last; ++z) {
      if (!writer_->append(z, payload_for(z))) return;
    }
  }
  Records recovered(int64_t after = 0) {
    Records got;
    auto rec = recover(env_, dir_, after, &got);
    EXPECT_TRUE(rec.is_ok()) << rec.error();
    return got;
  }

  FaultInjectingEnv env_;
  std::string dir_ = txn_log_dir("/data");
  TxnLogOptions options_ = small_options(dir_);
  Recorder recorder_;
  std::unique_ptr<TxnLogWriter> writer_;
};

TEST_F(TxnLogWriterTest, GroupCommitSyncsRecordsQueuedDuringASyncAsOneBatch) {
  SyncGate gate(env_);
  start(options_);
  gate.arm();
  std::thread appender([&] {
    ASSERT_TRUE(writer_->append(1, payload_for(1)));
    ASSERT_TRUE(gate.wait_held());  // the writer is inside fdatasync for record 1
    for (int64_t z = 2; z <= 1000; ++z) ASSERT_TRUE(writer_->append(z, payload_for(z)));
    gate.release();
  });
  appender.join();
  ASSERT_TRUE(writer_->flush());

  EXPECT_EQ(env_.calls(Op::kSync), 2u);
  const TxnLogStats stats = writer_->stats();
  EXPECT_EQ(stats.fsync.count, 2u);
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.records, 1000u);
  EXPECT_EQ(stats.max_batch_records, 999u);
  EXPECT_EQ(stats.durable_zxid, 1000);
  EXPECT_EQ(recorder_.durable(), (std::vector<int64_t>{1, 1000}));
  EXPECT_EQ(recovered(), expected_records(1, 1000));
}

TEST_F(TxnLogWriterTest, DurableCallbackCoversEveryRecordInZxidOrder) {
  start(options_);
  std::thread appender([&] { append_range(1, 3000); });
  appender.join();
  ASSERT_TRUE(recorder_.wait_durable(3000));
  const auto durable = recorder_.durable();
  EXPECT_TRUE(strictly_increasing(durable));
  EXPECT_LE(durable.size(), 3000u);
  EXPECT_EQ(writer_->stats().fsync.count, env_.calls(Op::kSync));
  EXPECT_EQ(recovered(), expected_records(1, 3000));
}

TEST_F(TxnLogWriterTest, ForceSyncOffAcknowledgesWithoutAnyFsync) {
  options_.force_sync = false;
  start(options_);
  const uint64_t dir_syncs_at_open = env_.calls(Op::kSyncDir);  // creating paddock-log
  append_range(1, 100);
  ASSERT_TRUE(recorder_.wait_durable(100));
  EXPECT_EQ(env_.calls(Op::kSync), 0u);
  EXPECT_EQ(env_.calls(Op::kSyncDir), dir_syncs_at_open);
  EXPECT_EQ(writer_->stats().fsync.count, 0u);
  // flush() is the explicit sync point, even without forceSync.
  ASSERT_TRUE(writer_->flush());
  EXPECT_EQ(env_.calls(Op::kSync), 1u);
  env_.crash();
  EXPECT_EQ(recovered(), expected_records(1, 100));
}

TEST_F(TxnLogWriterTest, EnospcOnWriteReportsErrorRefusesAppendsAndKeepsEarlierRecords) {
  start(options_);
  append_range(1, 10);
  ASSERT_TRUE(writer_->flush());
  env_.inject({.op = Op::kWrite, .nth = 1, .error = ENOSPC, .sticky = true, .partial_bytes = 30});
  append_until_refused(11, 20);
  Status flushed = writer_->flush();
  ASSERT_FALSE(flushed);

  const auto errors = recorder_.errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("No space left on device"), std::string::npos) << errors[0];
  Status later = writer_->append(21, payload_for(21));
  ASSERT_FALSE(later);
  EXPECT_NE(later.message().find("txn log failed"), std::string::npos) << later.message();
  std::string bytes = payload_for(22);
  EXPECT_EQ(writer_->try_append(22, bytes), TxnLogWriter::TryAppend::kRejected);
  EXPECT_TRUE(writer_->stats().failed);
  EXPECT_EQ(writer_->durable_zxid(), 10);
  EXPECT_EQ(recorder_.durable().back(), 10);
  writer_->stop();
  // The failed batch left 30 bytes after record 10: recovery cuts them as a torn tail.
  EXPECT_EQ(recovered(), expected_records(1, 10));
}

TEST_F(TxnLogWriterTest, ResumeAfterEnospcDiscardsTheFailedBatchAndReusesItsZxids) {
  start(options_);
  append_range(1, 10);
  ASSERT_TRUE(writer_->flush());
  env_.inject({.op = Op::kWrite, .nth = 1, .error = ENOSPC, .partial_bytes = 30});
  append_until_refused(11, 12);
  ASSERT_FALSE(writer_->flush());
  ASSERT_TRUE(writer_->resume());
  EXPECT_TRUE(writer_->status());
  EXPECT_FALSE(writer_->stats().failed);
  ASSERT_TRUE(writer_->append(11, "second-11"));
  ASSERT_TRUE(writer_->append(12, "second-12"));
  ASSERT_TRUE(writer_->flush());
  writer_->stop();
  Records want = expected_records(1, 10);
  want.emplace_back(11, "second-11");
  want.emplace_back(12, "second-12");
  EXPECT_EQ(recovered(), want);
}

TEST_F(TxnLogWriterTest, SyncFailureIsReportedAndResumeCutsTheUnsyncedBatch) {
  start(options_);
  append_range(1, 5);
  ASSERT_TRUE(writer_->flush());
  env_.inject({.op = Op::kSync, .nth = 1, .error = EIO});
  append_until_refused(6, 8);
  ASSERT_FALSE(writer_->flush());
  ASSERT_EQ(recorder_.errors().size(), 1u);
  EXPECT_NE(recorder_.errors()[0].find("Input/output error"), std::string::npos);
  EXPECT_EQ(writer_->durable_zxid(), 5);
  ASSERT_TRUE(writer_->resume());
  ASSERT_TRUE(writer_->append(6, "again-6"));
  ASSERT_TRUE(writer_->flush());
  writer_->stop();
  Records want = expected_records(1, 5);
  want.emplace_back(6, "again-6");
  EXPECT_EQ(recovered(), want);
}

TEST_F(TxnLogWriterTest, OnErrorMayResumeTheWriterAtOnce) {
  auto log = TxnLog::open(env_, options_, RecoveredLog{});
  ASSERT_TRUE(log.is_ok());
  writer_ = std::make_unique<TxnLogWriter>(std::move(*log), nullptr, [&](const Status& error) {
    EXPECT_TRUE(writer_->resume());
    recorder_.on_error(error);
  });
  append_range(1, 3);
  ASSERT_TRUE(writer_->flush());
  env_.inject({.op = Op::kWrite, .nth = 1, .error = ENOSPC});
  append_until_refused(4, 4);
  ASSERT_TRUE(recorder_.wait_errors(1));
  EXPECT_NE(recorder_.errors()[0].find("No space left"), std::string::npos);
  EXPECT_TRUE(writer_->status()) << "resumed from inside on_error";
  EXPECT_EQ(writer_->durable_zxid(), 3);
  ASSERT_TRUE(writer_->append(4, payload_for(4)));
  ASSERT_TRUE(writer_->flush());
  writer_->stop();
  EXPECT_EQ(recovered(), expected_records(1, 4));
}

// A batch that fills a segment writes and syncs the old segment before starting the next;
// when the new segment's write then fails, the old segment's records are durable and
// reported, and resume() removes the half-made segment.
TEST_F(TxnLogWriterTest, FailureAfterASegmentSwitchReportsWhatBecameDurable) {
  options_.segment_max_bytes = 300;  // header + 4 records of 56 bytes
  SyncGate gate(env_);
  start(options_);
  ASSERT_TRUE(writer_->append(1, payload_for(1)));
  ASSERT_TRUE(writer_->flush());
  gate.arm();
  ASSERT_TRUE(writer_->append(2, payload_for(2)));
  ASSERT_TRUE(gate.wait_held());
  append_range(3, 8);                                          // one batch: 3,4 fit; 5.. need log.5
  env_.inject({.op = Op::kWrite, .nth = 2, .error = ENOSPC});  // the write into log.5
  gate.release();
  ASSERT_FALSE(writer_->flush());
  EXPECT_EQ(recorder_.durable().back(), 4);
  EXPECT_EQ(recorder_.errors().size(), 1u);
  EXPECT_TRUE(env_.file_exists(join_path(dir_, segment_file_name(5))));
  ASSERT_TRUE(writer_->resume());
  EXPECT_FALSE(env_.file_exists(join_path(dir_, segment_file_name(5))));
  append_range(5, 8);
  ASSERT_TRUE(writer_->flush());
  writer_->stop();
  EXPECT_EQ(recovered(), expected_records(1, 8));
}

TEST_F(TxnLogWriterTest, FullQueueMakesTryAppendSayFullAndAppendWait) {
  options_.max_queued_records = 4;
  SyncGate gate(env_);
  start(options_);
  gate.arm();
  ASSERT_TRUE(writer_->append(1, payload_for(1)));
  ASSERT_TRUE(gate.wait_held());
  append_range(2, 5);
  std::string bytes = payload_for(6);
  EXPECT_EQ(writer_->try_append(6, bytes), TxnLogWriter::TryAppend::kFull);
  EXPECT_EQ(bytes, payload_for(6)) << "a refused record is not moved from";
  EXPECT_EQ(writer_->stats().queued_records, 4u);
  Status blocked_append;
  std::thread appender([&] { blocked_append = writer_->append(6, payload_for(6)); });
  gate.release();
  appender.join();
  ASSERT_TRUE(blocked_append);
  ASSERT_TRUE(writer_->flush());
  EXPECT_EQ(recovered(), expected_records(1, 6));
}

TEST_F(TxnLogWriterTest, QueueIsAlsoBoundedInBytes) {
  options_.max_queued_bytes = 100;  // two 40-byte payloads
  SyncGate gate(env_);
  start(options_);
  gate.arm();
  ASSERT_TRUE(writer_->append(1, payload_for(1)));
  ASSERT_TRUE(gate.wait_held());
  append_range(2, 3);
  std::string bytes = payload_for(4);
  EXPECT_EQ(writer_->try_append(4, bytes), TxnLogWriter::TryAppend::kFull);
  gate.release();
  ASSERT_TRUE(writer_->flush());
  EXPECT_EQ(writer_->try_append(4, bytes), TxnLogWriter::TryAppend::kQueued);
}

TEST_F(TxnLogWriterTest, FsyncSlowerThanTheWarningThresholdIsCounted) {
  options_.fsync_warning_threshold_ms = 1000;
  start(options_);
  env_.set_sync_latency(1'500'000);
  append_range(1, 1);
  ASSERT_TRUE(writer_->flush());
  env_.set_sync_latency(400'000);
  append_range(2, 2);
  ASSERT_TRUE(writer_->flush());
  const FsyncStats fsync = writer_->stats().fsync;
  EXPECT_EQ(fsync.count, 2u);
  EXPECT_EQ(fsync.slow_count, 1u);
  EXPECT_EQ(fsync.max_micros, 1'500'000u);
  EXPECT_EQ(fsync.total_micros, 1'900'000u);
}

TEST_F(TxnLogWriterTest, StopDrainsTheQueueThenRefusesAppends) {
  start(options_);
  append_range(1, 50);
  writer_->stop();
  EXPECT_EQ(writer_->durable_zxid(), 50);
  Status late = writer_->append(51, payload_for(51));
  ASSERT_FALSE(late);
  EXPECT_NE(late.message().find("stopped"), std::string::npos);
  EXPECT_FALSE(writer_->flush());
  writer_->stop();  // idempotent
  env_.crash();
  EXPECT_EQ(recovered(), expected_records(1, 50));
}

TEST_F(TxnLogWriterTest, RollStartsANewSegmentAtTheNextRecord) {
  start(options_);
  append_range(1, 3);
  writer_->roll();
  append_range(4, 5);
  writer_->stop();
  auto segments = list_segments(env_, dir_);
  ASSERT_TRUE(segments.is_ok());
  ASSERT_EQ(segments->size(), 2u);
  EXPECT_EQ((*segments)[0].first_zxid, 1);
  EXPECT_EQ((*segments)[1].first_zxid, 4);
  EXPECT_EQ(writer_->stats().segments_created, 2u);
}

TEST_F(TxnLogWriterTest, EveryAcknowledgedRecordSurvivesACrash) {
  start(options_);
  append_range(1, 100);
  ASSERT_TRUE(writer_->flush());
  std::thread appender([&] {
    for (int64_t z = 101; z <= 400; ++z) {
      if (!writer_->append(z, payload_for(z))) break;  // refused once the crash hits
    }
  });
  ASSERT_TRUE(recorder_.wait_durable(150));
  env_.crash();  // power failure while batches are in flight
  appender.join();
  writer_->stop();
  const int64_t acked = recorder_.durable().back();
  const Records got = recovered();
  ASSERT_GE(static_cast<int64_t>(got.size()), acked);
  EXPECT_EQ(got, expected_records(1, static_cast<int64_t>(got.size())));
}

TEST(TxnLogWriterPosix, AppendsFromAThreadAndRecoversOnARealDirectory) {
  const auto base = std::filesystem::temp_directory_path() /
                    ("paddock-writer-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(base);
  PosixEnv env;
  TxnLogOptions options = small_options(txn_log_dir(base.string()));
  options.preallocate_bytes = 1 << 20;
  auto log = TxnLog::open(env, options, RecoveredLog{});
  ASSERT_TRUE(log.is_ok()) << log.error();
  Recorder recorder;
  TxnLogWriter writer(
      std::move(*log), [&](int64_t z) { recorder.on_durable(z); },
      [&](const Status& s) { recorder.on_error(s); });
  std::thread appender([&] {
    for (int64_t z = 1; z <= 500; ++z) ASSERT_TRUE(writer.append(z, payload_for(z)));
  });
  appender.join();
  writer.stop();
  EXPECT_EQ(recorder.durable().back(), 500);
  EXPECT_TRUE(recorder.errors().empty());
  const auto stats = writer.stats();
  EXPECT_GE(stats.fsync.count, 1u);
  EXPECT_LE(stats.fsync.count, 500u);
  Records got;
  auto rec = recover(env, options.dir, 0, &got);
  ASSERT_TRUE(rec.is_ok()) << rec.error();
  EXPECT_EQ(got, expected_records(1, 500));
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace paddock::storage
