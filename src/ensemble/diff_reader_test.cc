// A leader's DIFF read from its log files on the reader's thread, from a real durable
// database whose writer keeps appending.
#include "ensemble/diff_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "durable/durability_test_util.h"
#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/snapshot_format.h"

namespace paddock::ensemble {
namespace {

using namespace std::chrono_literals;

class DiffReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    durable::DurableOptions o;
    o.snap_dir = storage::snapshot_dir("/data");
    o.log_dir = storage::txn_log_dir("/data");
    o.log.preallocate_bytes = 4096;
    auto d = durable::DurableDatabase::open(env_, o, db_);
    ASSERT_TRUE(d.is_ok()) << d.error();
    durable_ = std::move(*d);
    durable_->start(durable::DurableHooks{[](std::function<void()> task) { task(); },
                                          [](int64_t) {}, [](bool, std::string) {},
                                          [](int64_t) {}});
  }
  void TearDown() override {
    if (durable_) durable_->stop();
  }
  // Logs `n` txns and waits until they are durable.
  void log_txns(int n) {
    for (int i = 0; i < n; ++i) {
      proto::Txn txn = gen_.next();
      durable_->append(txn.header.zxid, proto::encode_txn(txn));
    }
    ASSERT_TRUE(durable_->writer()->flush());
  }
  // What the reader answered, by read id.
  DiffReader::Done recorder() {
    return [this](uint64_t id, Result<std::vector<quorum::LoggedTxn>> txns) {
      std::lock_guard lock(mu_);
      answers_.emplace(id, std::move(txns));
      threads_[id] = std::this_thread::get_id();
      cv_.notify_all();
    };
  }
  bool wait_answer(uint64_t id) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return answers_.count(id) > 0; });
  }
  durable::DurableDatabase::CommittedRead plan(const quorum::LogRead& read) {
    return durable_->plan_committed_read(read.from - 1, DiffReader::kMaxTxns, read.max_bytes);
  }

  storage::FaultInjectingEnv env_;
  state::Database db_{state::DatabaseOptions{}};
  durable::testing::TxnGenerator gen_{db_, 7};
  std::unique_ptr<durable::DurableDatabase> durable_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Result<std::vector<quorum::LoggedTxn>>> answers_;
  std::map<uint64_t, std::thread::id> threads_;
};

TEST_F(DiffReaderTest, ReadsOnItsOwnThreadFromTheLearnersZxidWhileTheWriterAppends) {
  log_txns(50);
  DiffReader reader(*durable_, recorder());
  constexpr uint64_t kReads = 20;
  const auto planned = plan(quorum::LogRead{1, 20, 50, SIZE_MAX});
  // The state-owning thread goes on appending (and the writer on writing and rolling)
  // while the reader reads the range planned before.
  std::atomic<bool> appending{true};
  std::thread state([&] {
    while (appending) {
      proto::Txn txn = gen_.next();
      durable_->append(txn.header.zxid, proto::encode_txn(txn));
    }
  });
  for (uint64_t id = 1; id <= kReads; ++id)
    reader.read(quorum::LogRead{id, 20, 50, SIZE_MAX}, planned);
  for (uint64_t id = 1; id <= kReads; ++id) ASSERT_TRUE(wait_answer(id));
  appending = false;
  state.join();
  std::lock_guard lock(mu_);
  for (uint64_t id = 1; id <= kReads; ++id) {
    EXPECT_NE(threads_[id], std::this_thread::get_id());
    auto& txns = answers_.at(id);
    ASSERT_TRUE(txns.is_ok()) << txns.error();
    ASSERT_EQ(txns->size(), 31u) << "read " << id;
    for (size_t i = 0; i < txns->size(); ++i) {
      EXPECT_EQ((*txns)[i].zxid, static_cast<int64_t>(20 + i));
      EXPECT_EQ((*txns)[i].bytes, proto::encode_txn(gen_.history[19 + i]));
    }
  }
}

TEST_F(DiffReaderTest, ALogThatEndsBeforeWhatTheCoreMustReachIsAnError) {
  log_txns(50);
  auto txns = DiffReader::run(*durable_, quorum::LogRead{1, 20, 60, SIZE_MAX},
                              plan(quorum::LogRead{1, 20, 60, SIZE_MAX}));
  ASSERT_FALSE(txns.is_ok());
  EXPECT_NE(txns.error().find("ends before"), std::string::npos) << txns.error();
}

TEST_F(DiffReaderTest, MoreBytesThanTheLimitIsAnErrorFoundByWeighingTheFiles) {
  log_txns(50);
  const quorum::LogRead read{1, 20, 50, 100};
  const auto planned = plan(read);
  // 50 appends leave no weight mark (one per 1,024): the files are weighed on the reader.
  EXPECT_FALSE(planned.over_limit);
  auto txns = DiffReader::run(*durable_, read, planned);
  ASSERT_FALSE(txns.is_ok());
  EXPECT_NE(txns.error().find("exceed"), std::string::npos) << txns.error();
}

TEST_F(DiffReaderTest, StopDropsTheReadsNotStartedAndWaitsForTheOneRunning) {
  log_txns(10);
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool running = false, release = false;
  std::atomic<int> answered{0};
  DiffReader reader(*durable_, [&](uint64_t, Result<std::vector<quorum::LoggedTxn>>) {
    std::unique_lock lock(gate_mu);
    running = true;
    gate_cv.notify_all();
    gate_cv.wait(lock, [&] { return release; });
    ++answered;
  });
  const quorum::LogRead read{1, 2, 10, SIZE_MAX};
  reader.read(read, plan(read));
  {
    std::unique_lock lock(gate_mu);
    ASSERT_TRUE(gate_cv.wait_for(lock, 10s, [&] { return running; }));
  }
  reader.read(quorum::LogRead{2, 2, 10, SIZE_MAX}, plan(read));
  EXPECT_EQ(reader.queued(), 1u);
  std::thread stopper([&] { reader.stop(); });
  for (int i = 0; i < 1000 && reader.queued() > 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(reader.queued(), 0u);
  {
    std::lock_guard lock(gate_mu);
    release = true;
    gate_cv.notify_all();
  }
  stopper.join();
  EXPECT_EQ(answered.load(), 1);
  reader.read(read, plan(read));  // after stop: ignored
  EXPECT_EQ(reader.queued(), 0u);
}

}  // namespace
}  // namespace paddock::ensemble
