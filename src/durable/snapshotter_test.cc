// The snapshotter: when it snapshots (randomized count, size limit), that it rolls the log,
// that pieces interleave with txns and still give an exact state, and how it fails.
#include "durable/snapshotter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "durable/durability_test_util.h"
#include "storage/fault_injecting_env.h"
#include "storage/snapshot_file.h"

namespace paddock::durable {
namespace {

using namespace std::chrono_literals;
using testing::kSnapDir;

// Stands in for the pipeline thread: tasks are run by the test thread.
class Tasks {
 public:
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
  }
  // Runs one task, waiting up to `wait` for one. False if none came.
  bool run_one(std::chrono::milliseconds wait = 5ms) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, wait, [&] { return !tasks_.empty(); })) return false;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

class SnapshotterTest : public ::testing::Test {
 protected:
  storage::FaultInjectingEnv env;
  state::Database live{{}};
  testing::TxnGenerator gen{live, 11};
  Tasks tasks;
  int rolls = 0;

  std::unique_ptr<Snapshotter> make(int64_t snap_count, int64_t size_limit, size_t chunk = 64) {
    SnapshotterOptions o;
    o.dir = kSnapDir;
    o.snap_count = snap_count;
    o.snap_size_limit_bytes = size_limit;
    o.seed = 5;
    o.chunk_bytes = chunk;
    return std::make_unique<Snapshotter>(
        o, env, live.tree(), [this](std::function<void()> t) { tasks.post(std::move(t)); },
        [this] { ++rolls; });
  }
  // Runs pipeline tasks (one txn between each) until `done` or 10 s pass.
  template <typename F>
  bool drive(Snapshotter& s, F done, bool with_txns = true) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      tasks.run_one();
      if (with_txns) {
        gen.next();
        s.on_txn_logged(0);
      }
    }
    return done();
  }
};

TEST_F(SnapshotterTest, SnapshotsAfterHalfToAllOfSnapCountTxnsAndRollsTheLog) {
  gen.run(500);
  auto s = make(100, 0);
  int txns = 0;
  while (rolls == 0 && txns < 1000) {
    gen.next();
    s->on_txn_logged(50);
    ++txns;
  }
  EXPECT_GE(txns, 51);
  EXPECT_LE(txns, 100);
  EXPECT_TRUE(s->in_progress());
  ASSERT_TRUE(drive(*s, [&] { return s->stats().written == 1; }));
  const SnapshotterStats st = s->stats();
  EXPECT_GT(st.last_chunks, 3u);  // written in pieces
  auto list = storage::list_snapshots(env, kSnapDir);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].zxid, st.last_zxid);
  EXPECT_EQ((*list)[0].path, st.last_path);
  // The fuzzy snapshot plus the txns after its zxid is the live tree.
  state::Database restored({});
  auto info = load_tree_snapshot(env, (*list)[0].path, restored.tree());
  ASSERT_TRUE(info) << info.error();
  for (const proto::Txn& t : gen.history) {
    if (t.header.zxid > info->header.zxid) restored.apply(t, nullptr);
  }
  EXPECT_EQ(testing::dump(restored.tree()), testing::dump(live.tree()));
}

TEST_F(SnapshotterTest, LogSizeLimitTriggersASnapshotToo) {
  auto s = make(1'000'000'000, 10'000);
  int txns = 0;
  while (rolls == 0 && txns < 100) {
    gen.next();
    s->on_txn_logged(1000);
    ++txns;
  }
  EXPECT_GE(txns, 6);  // past limit/2 + [0, limit/2) bytes
  EXPECT_LE(txns, 10);
}

TEST_F(SnapshotterTest, ASnapshotDueWhileOneIsBeingWrittenIsSkippedButTheLogStillRolls) {
  auto s = make(2, 0);
  for (int i = 0; i < 10; ++i) {
    gen.next();
    s->on_txn_logged(10);
  }
  EXPECT_EQ(rolls, 5);
  EXPECT_EQ(s->stats().started, 1u);
  EXPECT_EQ(s->stats().skipped_busy, 4u);
  ASSERT_TRUE(drive(
      *s, [&] { return !s->in_progress(); }, false));
  EXPECT_EQ(s->stats().written, 1u);
}

TEST_F(SnapshotterTest, AFailedWriteLeavesNoFileAndTheNextSnapshotWorks) {
  gen.run(300);
  auto s = make(1'000'000, 0);
  env.inject({.op = storage::FaultInjectingEnv::Op::kWrite, .nth = 2, .error = 28, .sticky = true});
  ASSERT_TRUE(s->start());
  ASSERT_TRUE(drive(*s, [&] { return s->stats().failed == 1 && !s->in_progress(); }));
  EXPECT_TRUE(storage::list_snapshots(env, kSnapDir)->empty());
  EXPECT_TRUE(storage::list_snapshot_temp_files(env, kSnapDir)->empty());
  env.clear_faults();
  ASSERT_TRUE(s->start());
  ASSERT_TRUE(drive(*s, [&] { return s->stats().written == 1; }));
  EXPECT_EQ(storage::list_snapshots(env, kSnapDir)->size(), 1u);
}

TEST_F(SnapshotterTest, StopAbandonsASnapshotInProgress) {
  gen.run(300);
  auto s = make(1'000'000, 0, 32);
  ASSERT_TRUE(s->start());
  tasks.run_one();
  tasks.run_one();
  s->stop();
  EXPECT_TRUE(storage::list_snapshots(env, kSnapDir)->empty());
  EXPECT_TRUE(storage::list_snapshot_temp_files(env, kSnapDir)->empty());
}

}  // namespace
}  // namespace paddock::durable
