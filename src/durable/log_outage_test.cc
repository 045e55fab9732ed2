// A log outage: the failure is reported to the pipeline, the orderer is reset only after the
// pipeline has handled it, resuming waits for room on disk, and appends go on afterwards
// from the durable zxid.
#include "durable/log_outage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_test_support.h"

namespace paddock::durable {
namespace {

using namespace std::chrono_literals;
using Op = storage::FaultInjectingEnv::Op;

class LogOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log =
        storage::TxnLog::open(env, storage::testing::small_options(dir), storage::RecoveredLog{});
    ASSERT_TRUE(log);
    writer = std::make_unique<storage::TxnLogWriter>(
        std::move(*log), nullptr, [this](const Status& e) { handler->on_log_error(e); });
    LogOutageHooks hooks;
    hooks.set_log_failed = [this](bool failed, std::string) {
      std::lock_guard lock(mu);
      states.push_back(failed);
      cv.notify_all();
    };
    hooks.run_on_pipeline = [this](std::function<void()> t) {
      std::lock_guard lock(mu);
      tasks.push_back(std::move(t));
      cv.notify_all();
    };
    hooks.reset_orderer = [this](int64_t z) { reset_to = z; };
    handler = std::make_unique<LogOutageHandler>(
        *writer, env, LogOutageOptions{dir, 4096, std::chrono::milliseconds(5)}, hooks);
  }
  void TearDown() override {
    handler->stop();
    writer->stop();
  }
  // Waits for `cond` with a deadline; re-checks every few ms, as some conditions (env call
  // counts) change without a notification.
  template <typename F>
  bool wait(F cond) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::unique_lock lock(mu);
    while (!cond()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      cv.wait_for(lock, 5ms);
    }
    return true;
  }
  void run_tasks() {
    std::deque<std::function<void()>> run;
    {
      std::lock_guard lock(mu);
      run.swap(tasks);
    }
    for (auto& t : run) t();
  }

  const std::string dir = storage::txn_log_dir("/data");
  storage::FaultInjectingEnv env;
  std::unique_ptr<storage::TxnLogWriter> writer;
  std::unique_ptr<LogOutageHandler> handler;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<bool> states;
  std::deque<std::function<void()>> tasks;
  int64_t reset_to = -1;
};

TEST_F(LogOutageTest, DiskFullRefusesWritesUntilThereIsRoomThenResumesAfterTheDurableZxid) {
  for (int64_t z = 1; z <= 5; ++z) ASSERT_TRUE(writer->append(z, storage::testing::payload_for(z)));
  ASSERT_TRUE(writer->flush());
  env.inject({.op = Op::kWrite, .nth = 1, .error = 28, .sticky = true});
  env.inject({.op = Op::kAllocate, .nth = 1, .error = 28, .sticky = true});
  ASSERT_TRUE(writer->append(6, storage::testing::payload_for(6)));
  EXPECT_FALSE(writer->flush());
  ASSERT_TRUE(wait([&] { return states.size() == 1 && tasks.size() == 1; }));
  EXPECT_TRUE(states[0]);
  EXPECT_TRUE(handler->in_outage());
  // Nothing is resumed before the pipeline has handled the failure (the queued task).
  EXPECT_FALSE(writer->status());
  run_tasks();
  EXPECT_EQ(reset_to, 5);
  // Still full: the handler keeps probing, the writer stays failed.
  const uint64_t allocs = env.calls(Op::kAllocate);
  ASSERT_TRUE(wait([&] { return env.calls(Op::kAllocate) > allocs + 2; }));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(states.size(), 1u);
  }
  EXPECT_FALSE(writer->status());
  env.clear_faults();
  ASSERT_TRUE(wait([&] { return states.size() == 2; }));
  EXPECT_FALSE(states[1]);
  EXPECT_FALSE(handler->in_outage());
  ASSERT_TRUE(writer->append(6, storage::testing::payload_for(6)));
  ASSERT_TRUE(writer->flush());
  EXPECT_EQ(writer->durable_zxid(), 6);
  EXPECT_EQ(handler->outages(), 1u);
  // The log holds 1..6 once each.
  storage::testing::Records records;
  ASSERT_TRUE(storage::testing::recover(env, dir, 0, &records, false));
  EXPECT_EQ(records, storage::testing::expected_records(1, 6));
}

TEST_F(LogOutageTest, ProbeFailsWithoutRoomAndLeavesNoFile) {
  env.inject({.op = Op::kAllocate, .nth = 1, .error = 28});
  ASSERT_TRUE(env.create_dirs(dir));
  EXPECT_FALSE(probe_free_space(env, dir, 1 << 20));
  EXPECT_TRUE(probe_free_space(env, dir, 1 << 20));
  auto names = env.list_dir(dir);
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());
}

}  // namespace
}  // namespace paddock::durable
