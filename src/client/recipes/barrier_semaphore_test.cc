// Barrier, DoubleBarrier, SequenceIds and Semaphore against both servers.
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "client/recipes/barrier.h"
#include "client/recipes/recipe_test_support.h"
#include "client/recipes/semaphore.h"
#include "client/recipes/sequence_ids.h"

namespace paddock::client::recipes {
namespace {

class BarrierSemaphoreTest : public RecipeTest {};

TEST_P(BarrierSemaphoreTest, BarrierHoldsUntilRemoved) {
  auto a = chrooted();
  auto b = chrooted();
  Barrier setter(*a, "/gate/b"), waiter(*b, "/gate/b");
  EXPECT_TRUE(waiter.wait(0ms).value());  // not raised: no wait
  ASSERT_TRUE(setter.set().ok());
  EXPECT_FALSE(waiter.wait(100ms).value());
  std::atomic<bool> passed{false};
  std::thread t([&] { passed = waiter.wait(30s).value(); });
  ASSERT_TRUE(
      wait_until([&] { return b->check_watches("/gate/b", WatcherType::kData).get().ok(); }));
  EXPECT_FALSE(passed.load());
  ASSERT_TRUE(setter.remove().ok());
  t.join();
  EXPECT_TRUE(passed.load());
}

// N-1 participants wait in enter() until the N-th arrives; then all leave together.
TEST_P(BarrierSemaphoreTest, DoubleBarrierReleasesOnlyWhenAllArrive) {
  constexpr int kMembers = 4;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<DoubleBarrier>> barriers;
  for (int i = 0; i < kMembers; ++i) {
    clients.push_back(chrooted());
    barriers.push_back(std::make_unique<DoubleBarrier>(*clients.back(), "/db", kMembers));
  }
  std::atomic<int> entered{0}, left{0};
  std::vector<std::thread> threads;
  auto run = [&](int i) {
    auto in = barriers[i]->enter(30s);
    ASSERT_TRUE(in.ok() && in.value());
    entered++;
    auto out = barriers[i]->leave(30s);
    ASSERT_TRUE(out.ok() && out.value());
    left++;
  };
  for (int i = 0; i < kMembers - 1; ++i) threads.emplace_back(run, i);
  // All but one are in and waiting on "ready": none may pass.
  ASSERT_TRUE(wait_until([&] { return children("/db").size() == kMembers - 1; }));
  for (int i = 0; i < kMembers - 1; ++i) {
    ASSERT_TRUE(wait_until(
        [&] { return clients[i]->check_watches("/db/ready", WatcherType::kData).get().ok(); }));
  }
  EXPECT_EQ(entered.load(), 0);
  threads.emplace_back(run, kMembers - 1);
  for (auto& t : threads) t.join();
  EXPECT_EQ(entered.load(), kMembers);
  EXPECT_EQ(left.load(), kMembers);
  EXPECT_TRUE(children("/db").empty());
}

TEST_P(BarrierSemaphoreTest, DoubleBarrierEnterTimesOutAndLeavesNoNode) {
  auto c = chrooted();
  DoubleBarrier b(*c, "/db", 2);
  auto r = b.enter(200ms);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value());
  EXPECT_TRUE(children("/db").empty());
}

TEST_P(BarrierSemaphoreTest, SequenceIdsAreUniqueAcrossClients) {
  constexpr int kClients = 4, kIds = 20;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(chrooted());
  std::mutex mu;
  std::set<int64_t> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      SequenceIds gen(*clients[i], "/ids");
      for (int n = 0; n < kIds; ++n) {
        auto id = gen.next_id();
        ASSERT_TRUE(id.ok());
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_TRUE(ids.insert(id.value()).second) << id.value();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kClients * kIds));
  EXPECT_TRUE(children("/ids").empty());  // the ID nodes do not stay
  SequenceIds names(*clients[0], "/names");
  auto a = names.unique_name("job-", "first");
  auto b = names.unique_name("job-", "second");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value(), b.value());
  EXPECT_EQ(a.value().rfind("/names/job-", 0), 0u) << a.value();
  EXPECT_EQ(a.value().size(), std::string("/names/job-").size() + 10);
  EXPECT_EQ(*SyncClient(*clients[0]).get_data(b.value()).data, "second");
  EXPECT_EQ(children("/names").size(), 2u);
}

// Many clients take leases from a semaphore of 2: never more than 2 out at once.
// One Semaphore shared by threads: concurrent acquires take turns, each gets its lease.
TEST_P(BarrierSemaphoreTest, OneSemaphoreServesConcurrentAcquires) {
  constexpr int kThreads = 4, kRounds = 3, kMax = 2;
  auto c = chrooted();
  Semaphore sem(*c, "/sem", kMax);
  std::atomic<int> out{0}, over{0}, total{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r) {
        auto lease = sem.acquire(60s);
        EXPECT_TRUE(lease.ok() && lease.value()) << proto::err_name(lease.code());
        if (!lease.ok() || !lease.value()) continue;
        if (out.fetch_add(1) >= kMax) over++;
        SyncClient(*c).sync("/sem");
        out.fetch_sub(1);
        total++;
        EXPECT_TRUE(lease.value()->release().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(over.load(), 0);
  EXPECT_EQ(total.load(), kThreads * kRounds);
  EXPECT_TRUE(children("/sem/leases").empty());
}

TEST_P(BarrierSemaphoreTest, SemaphoreNeverExceedsItsLeases) {
  constexpr int kClients = 6, kRounds = 5, kMax = 2;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(chrooted());
  std::atomic<int> out{0}, over{0}, total{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Semaphore sem(*clients[i], "/sem", kMax);
      for (int r = 0; r < kRounds; ++r) {
        auto lease = sem.acquire(60s);
        ASSERT_TRUE(lease.ok() && lease.value()) << proto::err_name(lease.code());
        if (out.fetch_add(1) >= kMax) over++;
        SyncClient(*clients[i]).sync("/sem");  // hold it for a round trip
        out.fetch_sub(1);
        total++;
        ASSERT_TRUE(lease.value()->release().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(over.load(), 0);
  EXPECT_EQ(total.load(), kClients * kRounds);
  EXPECT_TRUE(children("/sem/leases").empty());
}

TEST_P(BarrierSemaphoreTest, SemaphoreLeaseReturnsWhenItsSessionEnds) {
  auto a = chrooted();
  auto b = chrooted();
  Semaphore sa(*a, "/sem", 1), sb(*b, "/sem", 1);
  auto held = sa.acquire(5s);
  ASSERT_TRUE(held.ok() && held.value());
  EXPECT_FALSE(sb.acquire(200ms).value().has_value());
  std::optional<Lease> got;
  std::thread t([&] { got = std::move(sb.acquire(30s).value()); });
  ASSERT_TRUE(wait_until(
      [&] { return b->check_watches("/sem/leases", WatcherType::kChildren).get().ok(); }));
  a->close();  // the holder dies without releasing
  t.join();
  EXPECT_TRUE(got.has_value());
}

// A stale notification must not make acquire() arm a second children watch. B's first
// acquire leaves its watch armed; its second acquire's own create fires it, and that event
// waits behind a blocked event thread, so the first round of the wait lists while the event
// is still pending and the stale wake-up comes after. A recipe that arms one more watcher per
// round then holds two, and the release of H's lease notifies B twice. (The server keeps one
// watch per session and path either way, so it is counted where it piles up: at the client.)
TEST_P(BarrierSemaphoreTest, SemaphoreKeepsOneWatchArmedAcrossStaleWakeUps) {
  auto h = chrooted();
  auto b = chrooted();
  Semaphore sh(*h, "/sem", 2), sb(*b, "/sem", 2);
  auto h_lease = sh.acquire(5s);
  ASSERT_TRUE(h_lease.ok() && h_lease.value());
  auto b_first = sb.acquire(5s);  // its last listing leaves a watch armed
  ASSERT_TRUE(b_first.ok() && b_first.value());
  ASSERT_EQ(sb.watch_notifications(), 0u);

  // Block B's event thread inside a watcher of /blocker until the end of the test.
  SyncClient(*h).create("/blocker", "");
  std::promise<void> unblock;
  std::shared_future<void> unblocked = unblock.get_future().share();
  std::atomic<bool> blocking{false};
  SyncClient(*b).get_data("/blocker", [&, unblocked](const WatchEvent&) {
    blocking = true;
    unblocked.wait();
  });
  SyncClient(*h).set_data("/blocker", "x");
  ASSERT_TRUE(wait_until([&] { return blocking.load(); }));
  std::optional<Lease> b_second;
  std::thread waiter([&] { b_second = std::move(sb.acquire(60s).value()); });
  struct Cleanup {
    std::promise<void>& unblock;
    std::thread& waiter;
    ~Cleanup() {
      try {
        unblock.set_value();
      } catch (const std::future_error&) {  // set already
      }
      if (waiter.joinable()) waiter.join();
    }
  } cleanup{unblock, waiter};
  // B's second lease is in (3 > 2: it waits); its create fired the armed watch, whose event
  // is queued behind the blocker. The first round's listing follows the create at once.
  ASSERT_TRUE(wait_until([&] { return children("/sem/leases").size() == 3; }));
  unblock.set_value();
  // The stale notification ran and woke the wait for another listing; let that listing
  // reach the server before H's lease goes.
  ASSERT_TRUE(wait_until([&] { return sb.watch_notifications() >= 1; }));
  SyncClient(*b).sync("/sem");
  ASSERT_TRUE(h_lease.value()->release().ok());
  waiter.join();
  ASSERT_TRUE(b_second.has_value());
  SyncClient(*b).sync("/sem");  // the release's notifications have reached B
  // The stale one and the one for H's release; a second armed watcher would add a third.
  EXPECT_LE(sb.watch_notifications(), 2u);
  EXPECT_EQ(children("/sem/leases").size(), 2u);
}

PADDOCK_RECIPE_SUITE(BarrierSemaphoreTest);

}  // namespace
}  // namespace paddock::client::recipes
