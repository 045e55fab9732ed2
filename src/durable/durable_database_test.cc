// The durable database as the server uses it: recovery into a Database, appends made
// durable by the writer, the start-up snapshot after a long replay, the count towards the
// next snapshot carried over a restart, DIFF reads and TRUNC.
#include "durable/durable_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "durable/durability_test_util.h"
#include "durable/tree_snapshot.h"
#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/snapshot_file.h"
#include "storage/snapshot_format.h"

namespace paddock::durable {
namespace {

using testing::TxnGenerator;

class DurableDatabaseTest : public ::testing::Test {
 protected:
  DurableOptions options(int64_t snap_count = 1000) {
    DurableOptions o;
    o.snap_dir = storage::snapshot_dir("/data");
    o.log_dir = storage::txn_log_dir("/data");
    o.log.preallocate_bytes = 4096;
    o.snapshots.snap_count = snap_count;
    return o;
  }
  // Opens and starts on a fresh Database; tasks for the "state thread" run at once.
  std::unique_ptr<DurableDatabase> open(state::Database& db, int64_t snap_count = 1000) {
    auto d = DurableDatabase::open(env_, options(snap_count), db);
    EXPECT_TRUE(d.is_ok()) << (d ? "" : d.error());
    if (!d) return nullptr;
    (*d)->start(DurableHooks{[](std::function<void()> task) { task(); },
                             [this](int64_t zxid) { durable_ = zxid; },
                             [](bool, std::string) {}, [](int64_t) {}});
    return std::move(*d);
  }
  // Logs `n` generated txns (applied to `db` as the generator makes them) and waits until
  // they are durable.
  void log_txns(DurableDatabase& d, TxnGenerator& gen, int n) {
    int64_t last = 0;
    for (int i = 0; i < n; ++i) {
      proto::Txn txn = gen.next();
      last = txn.header.zxid;
      d.append(last, proto::encode_txn(txn));
    }
    ASSERT_TRUE(d.writer()->flush());
    EXPECT_EQ(durable_.load(), last);
  }

  storage::FaultInjectingEnv env_;
  std::atomic<int64_t> durable_{0};
};

TEST_F(DurableDatabaseTest, ALongReplayWritesASnapshotBeforeServing) {
  {
    state::Database db{state::DatabaseOptions{}};
    auto d = open(db, /*snap_count=*/1'000'000);  // never snapshots while running
    TxnGenerator gen(db, 1);
    log_txns(*d, gen, 600);
    d->stop();
  }
  state::Database db{state::DatabaseOptions{}};
  auto d = DurableDatabase::open(env_, options(/*snap_count=*/1000), db);
  ASSERT_TRUE(d.is_ok()) << d.error();
  EXPECT_EQ((*d)->recovery().txns_applied, 600u);
  EXPECT_TRUE((*d)->startup_snapshot().written);
  auto snaps = storage::list_snapshots(env_, storage::snapshot_dir("/data"));
  ASSERT_TRUE(snaps.is_ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].zxid, 600);
  // The next start replays nothing.
  (*d).reset();
  state::Database again{state::DatabaseOptions{}};
  auto d2 = DurableDatabase::open(env_, options(1000), again);
  ASSERT_TRUE(d2.is_ok());
  EXPECT_EQ((*d2)->recovery().txns_applied, 0u);
  EXPECT_EQ(again.tree().digest(), db.tree().digest());
}

TEST_F(DurableDatabaseTest, AShortReplayCountsTowardsTheNextSnapshot) {
  state::Database first{state::DatabaseOptions{}};
  {
    auto d = open(first, 1000);
    TxnGenerator gen(first, 2);
    log_txns(*d, gen, 400);  // below the least threshold (500)
    d->stop();
  }
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db, 1000);
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->startup_snapshot().written);
  EXPECT_EQ(d->recovery().txns_applied, 400u);
  EXPECT_EQ(d->snapshotter()->txns_since_snapshot(), 400);
  TxnGenerator gen(db, 3);
  gen.continue_after(db.tree().last_zxid());
  // Threshold is in [500, 1000): 600 more txns since the last (no) snapshot must pass it,
  // although this process logged fewer than 1000.
  for (int i = 0; i < 600 && d->snapshotter()->stats().started == 0; ++i) {
    proto::Txn txn = gen.next();
    d->append(txn.header.zxid, proto::encode_txn(txn));
  }
  EXPECT_EQ(d->snapshotter()->stats().started, 1u);
  d->stop();
}

TEST_F(DurableDatabaseTest, ReadCommittedAfterReturnsTheDurableTxnsInOrder) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 4);
  log_txns(*d, gen, 50);
  auto read = d->read_committed_after(20, 1000);
  ASSERT_TRUE(read.is_ok()) << read.error();
  ASSERT_EQ(read->txns.size(), 30u);
  EXPECT_TRUE(read->contiguous);
  for (size_t i = 0; i < read->txns.size(); ++i) {
    EXPECT_EQ(read->txns[i].zxid, static_cast<int64_t>(21 + i));
    EXPECT_EQ(read->txns[i].bytes, proto::encode_txn(gen.history[20 + i]));
  }
}

// Removes every log segment file behind the database's back: a read that still answers did
// not read the log.
void remove_segments(storage::Env& env, const std::string& log_dir) {
  auto names = env.list_dir(log_dir);
  ASSERT_TRUE(names.is_ok());
  for (const std::string& name : *names) ASSERT_TRUE(env.remove(log_dir + "/" + name));
}

TEST_F(DurableDatabaseTest, ARangePastTheDiffLimitIsSettledByTheWeightsWithoutReadingTheLog) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 5);
  log_txns(*d, gen, 3000);  // marks every 1,024 records
  remove_segments(env_, d->options().log_dir);
  auto read = d->read_committed_after(10, 1000000, /*max_bytes=*/1000);
  ASSERT_TRUE(read.is_ok()) << read.error();
  EXPECT_TRUE(read->over_limit);
  EXPECT_TRUE(read->txns.empty());
}

TEST_F(DurableDatabaseTest, ARangeTheWeightsShowWithinTheLimitIsReadOnceWithoutWeighing) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 7);
  log_txns(*d, gen, 3000);
  size_t bytes = 0;
  for (size_t i = 10; i < gen.history.size(); ++i)
    bytes += proto::encode_txn(gen.history[i]).size();
  // Far within the limit: the weights settle it, and the one pass copies.
  auto fits = d->read_committed_after(10, 1000000, /*max_bytes=*/bytes * 2);
  ASSERT_TRUE(fits.is_ok()) << fits.error();
  EXPECT_FALSE(fits->weighed_first);
  EXPECT_FALSE(fits->over_limit);
  ASSERT_EQ(fits->txns.size(), 2990u);
  EXPECT_EQ(fits->txns.front().bytes, proto::encode_txn(gen.history[10]));
  // Right at the limit the marks, 1,024 records apart, cannot tell: the log is weighed first.
  auto exact = d->read_committed_after(10, 1000000, /*max_bytes=*/bytes);
  ASSERT_TRUE(exact.is_ok()) << exact.error();
  EXPECT_TRUE(exact->weighed_first);
  EXPECT_FALSE(exact->over_limit);
  EXPECT_EQ(exact->txns.size(), 2990u);
  auto one_short = d->read_committed_after(10, 1000000, /*max_bytes=*/bytes - 1);
  ASSERT_TRUE(one_short.is_ok()) << one_short.error();
  EXPECT_TRUE(one_short->weighed_first);
  EXPECT_TRUE(one_short->over_limit);
  EXPECT_TRUE(one_short->txns.empty());
}

TEST_F(DurableDatabaseTest, AfterATruncationTheWeightsAreForgottenAndTheLogIsRead) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 6);
  log_txns(*d, gen, 3000);
  ASSERT_TRUE(d->truncate_after(2990).is_ok());
  remove_segments(env_, d->options().log_dir);
  auto read = d->read_committed_after(10, 1000000, /*max_bytes=*/1000);
  ASSERT_TRUE(read.is_ok()) << read.error();
  EXPECT_FALSE(read->over_limit);  // the weights did not answer; the (empty) log did
  EXPECT_FALSE(read->contiguous);
}

TEST_F(DurableDatabaseTest, TruncateDropsLaterTxnsAndSnapshotsAndTheLogGoesOn) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 5);
  log_txns(*d, gen, 40);
  // A snapshot at 40, above the cut.
  ASSERT_TRUE(write_tree_snapshot(env_, storage::snapshot_dir("/data"), db.tree(), 0, 0,
                                  db.tree().last_zxid(), db.tree().digest()));
  auto cut = d->truncate_after(25);
  ASSERT_TRUE(cut.is_ok()) << cut.error();
  EXPECT_EQ(cut->last_zxid, 25);
  auto snaps = storage::list_snapshots(env_, storage::snapshot_dir("/data"));
  ASSERT_TRUE(snaps.is_ok());
  EXPECT_TRUE(snaps->empty());
  // Appends continue from the cut with the zxids the dropped txns had.
  state::Database replay{state::DatabaseOptions{}};
  TxnGenerator regen(replay, 5);
  regen.run(25);
  proto::Txn next = regen.next();
  d->append(next.header.zxid, proto::encode_txn(next));
  ASSERT_TRUE(d->writer()->flush());
  d->stop();
  state::Database recovered{state::DatabaseOptions{}};
  auto reopened = DurableDatabase::open(env_, options(), recovered);
  ASSERT_TRUE(reopened.is_ok()) << reopened.error();
  EXPECT_EQ(recovered.tree().last_zxid(), 26);
  EXPECT_EQ(recovered.tree().digest(), replay.tree().digest());
}

TEST_F(DurableDatabaseTest, ReloadThrowsTheStateAwayAndLoadsWhatIsDurable) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 6);
  log_txns(*d, gen, 30);
  const int64_t digest = db.tree().digest();
  db.reset();  // the state goes astray (a leader's snapshot, half loaded)
  ASSERT_TRUE(d->reload());
  EXPECT_EQ(db.tree().last_zxid(), 30);
  EXPECT_EQ(db.tree().digest(), digest);
  proto::Txn next = gen.next();  // and the log goes on after it
  d->append(next.header.zxid, proto::encode_txn(next));
  ASSERT_TRUE(d->writer()->flush());
  EXPECT_EQ(durable_.load(), 31);
}

// A leader's SNAP becomes the new base: the old log must not lead anywhere any more (a DIFF
// read from it, or a replay at the next start, would mix two histories).
TEST_F(DurableDatabaseTest, AnInstalledSnapshotReplacesTheLogAndSurvivesARestart) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  TxnGenerator gen(db, 7);
  log_txns(*d, gen, 20);
  // A later snapshot of a history the leader does not have.
  ASSERT_TRUE(write_tree_snapshot(env_, storage::snapshot_dir("/data"), db.tree(), 0, 0, 1000,
                                  db.tree().digest()));
  ASSERT_TRUE(d->replace_with_snapshot());  // the state (at 20) stands for the leader's
  auto read = d->read_committed_after(0, 1000);
  ASSERT_TRUE(read.is_ok()) << read.error();
  EXPECT_TRUE(read->txns.empty());
  auto snaps = storage::list_snapshots(env_, storage::snapshot_dir("/data"));
  ASSERT_TRUE(snaps.is_ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].zxid, 20);
  proto::Txn next = gen.next();  // applied to db too
  d->append(next.header.zxid, proto::encode_txn(next));
  ASSERT_TRUE(d->writer()->flush());
  d->stop();
  state::Database recovered{state::DatabaseOptions{}};
  auto reopened = DurableDatabase::open(env_, options(), recovered);
  ASSERT_TRUE(reopened.is_ok()) << reopened.error();
  EXPECT_EQ((*reopened)->recovery().snapshot_zxid, 20);
  EXPECT_EQ((*reopened)->recovery().txns_applied, 1u);
  EXPECT_EQ(recovered.tree().last_zxid(), 21);
  EXPECT_EQ(recovered.tree().digest(), db.tree().digest());
}

// ZooKeeper's last_snapshot: the one written last, else the one the state was loaded from.
TEST_F(DurableDatabaseTest, LastSnapshotIsTheOneWrittenLastOrElseTheOneLoaded) {
  const std::string dir = storage::snapshot_dir("/data");
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  EXPECT_EQ(d->last_snapshot().zxid, -1);  // a new dataDir has none
  EXPECT_EQ(d->last_snapshot().path, "");
  TxnGenerator gen(db, 8);
  log_txns(*d, gen, 20);
  ASSERT_TRUE(d->replace_with_snapshot());  // written, as for a SNAP
  EXPECT_EQ(d->last_snapshot().zxid, 20);
  auto snaps = storage::list_snapshots(env_, dir);
  ASSERT_TRUE(snaps.is_ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ(d->last_snapshot().path, (*snaps)[0].path);
  log_txns(*d, gen, 5);
  ASSERT_TRUE(d->reload());  // loaded again: still the snapshot at 20
  EXPECT_EQ(d->last_snapshot().zxid, 20);
  d->stop();
  state::Database again{state::DatabaseOptions{}};
  auto reopened = open(again, /*snap_count=*/100);  // 5 txns replayed: no start-up snapshot
  EXPECT_EQ(reopened->last_snapshot().zxid, 20);    // loaded at start
  EXPECT_EQ(reopened->last_snapshot().path, (*snaps)[0].path);
  // Then the snapshotter writes one while serving: that one is the last.
  TxnGenerator more(again, 9);
  more.continue_after(again.tree().last_zxid());
  for (int i = 0; i < 200 && reopened->snapshotter()->stats().started == 0; ++i) {
    proto::Txn txn = more.next();
    reopened->append(txn.header.zxid, proto::encode_txn(txn));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reopened->snapshotter()->stats().written == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const SnapshotterStats st = reopened->snapshotter()->stats();
  ASSERT_EQ(st.written, 1u);
  EXPECT_GT(st.last_zxid, 25);
  EXPECT_EQ(reopened->last_snapshot().zxid, st.last_zxid);
  EXPECT_EQ(reopened->last_snapshot().path, st.last_path);
}

TEST_F(DurableDatabaseTest, EpochsAreLoadedAndSetDurably) {
  state::Database db{state::DatabaseOptions{}};
  auto d = open(db);
  EXPECT_EQ(d->epochs().accepted, 0);
  ASSERT_TRUE(d->set_accepted_epoch(5));
  ASSERT_TRUE(d->set_current_epoch(5));
  d->stop();
  d.reset();
  state::Database again{state::DatabaseOptions{}};
  auto reopened = DurableDatabase::open(env_, options(), again);
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ((*reopened)->epochs().accepted, 5);
  EXPECT_EQ((*reopened)->epochs().current, 5);
}

}  // namespace
}  // namespace paddock::durable
