// ExclusiveLock and ReadWriteLock against both servers: mutual exclusion under contention,
// one wake-up per release, protected-mode adoption, waiting across a dropped connection.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "client/recipes/exclusive_lock.h"
#include "client/recipes/read_write_lock.h"
#include "client/recipes/recipe_test_support.h"
#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
namespace {

class LockTest : public RecipeTest {};

// Several clients each take the lock repeatedly and, inside it, do an unversioned
// read-modify-write of a counter node: any overlap would be seen (the overlap count) and
// would lose an increment (the final value).
TEST_P(LockTest, MutualExclusionUnderContention) {
  constexpr int kClients = 6, kRounds = 8;
  SyncClient(*root_).create(base_ + "/counter", "0");
  std::atomic<int> inside{0}, overlaps{0};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(chrooted());
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ExclusiveLock lock(*clients[i], "/lock");
      SyncClient zk(*clients[i]);
      for (int r = 0; r < kRounds; ++r) {
        auto got = lock.acquire(60s);
        ASSERT_TRUE(got.ok() && got.value()) << proto::err_name(got.code());
        if (inside.fetch_add(1) != 0) overlaps++;
        int v = std::stoi(*zk.get_data("/counter").data);
        zk.set_data("/counter", std::to_string(v + 1));
        inside.fetch_sub(1);
        ASSERT_TRUE(lock.release().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(*SyncClient(*root_).get_data(base_ + "/counter").data,
            std::to_string(kClients * kRounds));
  EXPECT_TRUE(children("/lock").empty());
}

// With one holder and 100 waiters (each its own client), the server holds 100 watches on
// 100 distinct nodes (a herd would be 100 watches on one node), and each release wakes
// exactly one waiter: in the end each waiter was notified exactly once.
TEST_P(LockTest, ReleaseWakesExactlyOneWaiter) {
  constexpr int kWaiters = 100;
  constexpr int kCheckedReleases = 3;  // releases after which every client is synced and counted
  auto holder_client = chrooted();
  ExclusiveLock holder(*holder_client, "/lock");
  ASSERT_TRUE(holder.acquire(5s).value());
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<ExclusiveLock>> locks;
  for (int i = 0; i < kWaiters; ++i) {
    clients.push_back(chrooted());
    locks.push_back(std::make_unique<ExclusiveLock>(*clients.back(), "/lock"));
  }
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> order;  // waiters in the order they got the lock
  std::vector<std::thread> threads;
  // A failed ASSERT below returns with the threads running: stop and join them first (a
  // joinable std::thread destroyed would call std::terminate).
  struct JoinOnExit {
    std::vector<std::thread>& threads;
    std::vector<std::unique_ptr<ExclusiveLock>>& locks;
    ~JoinOnExit() {
      for (auto& l : locks) l->cancel();
      for (auto& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } join_on_exit{threads, locks};
  for (int i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      ASSERT_TRUE(locks[i]->acquire(120s).value());
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      cv.notify_all();
    });
  }
  ASSERT_TRUE(wait_until([&] { return children("/lock").size() == kWaiters + 1; }, 60s));
  // Every waiter has armed its watch (a waiter arms it right after its node is in).
  ASSERT_TRUE(wait_until([&] { return total_watches() == kWaiters; }, 60s)) << total_watches();
  std::string wchs = client::testing::four_letter(server_->port(), "wchs");
  EXPECT_NE(wchs.find("watching " + std::to_string(kWaiters) + " paths"), std::string::npos)
      << wchs;

  ASSERT_TRUE(holder.release().ok());
  for (int released = 0; released < kWaiters; ++released) {
    int holder_index;
    {
      std::unique_lock<std::mutex> lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, 60s,
                              [&] { return order.size() == static_cast<size_t>(released + 1); }));
      holder_index = order.back();
    }
    if (released < kCheckedReleases) {
      // Everything the last delete fired has reached every client before its sync reply.
      uint64_t total = 0;
      for (int i = 0; i < kWaiters; ++i) {
        SyncClient(*clients[i]).sync("/lock");
        total += locks[i]->watch_notifications();
      }
      EXPECT_EQ(total, static_cast<uint64_t>(released + 1)) << "after release " << released;
      EXPECT_EQ(total_watches(), kWaiters - released - 1);
    }
    ASSERT_TRUE(locks[holder_index]->release().ok());
  }
  for (auto& t : threads) t.join();
  for (auto& l : locks) EXPECT_EQ(l->watch_notifications(), 1u);
  EXPECT_TRUE(children("/lock").empty());
}

TEST_P(LockTest, TimeoutGivesTheSlotUp) {
  auto a = chrooted();
  auto b = chrooted();
  ExclusiveLock la(*a, "/lock"), lb(*b, "/lock");
  ASSERT_TRUE(la.acquire(5s).value());
  auto r = lb.acquire(200ms);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value());
  EXPECT_EQ(children("/lock").size(), 1u);
  EXPECT_EQ(la.acquire(1s).code(), Err::kBadArguments);  // not reentrant
  ASSERT_TRUE(la.release().ok());
  EXPECT_TRUE(lb.acquire(5s).value());
}

// The retry half of protected mode adopts the node a lost create made, and creates nothing.
TEST_P(LockTest, ProtectedCreateAdoptsTheNodeOfALostCreate) {
  auto c = chrooted();
  SyncClient zk(*c);
  const std::string mark = "_c_" + random_guid() + "-";
  auto made = zk.create("/lock", "");
  auto orphan =
      zk.create("/lock/" + mark + "lock-", "", {.mode = CreateMode::kEphemeralSequential});
  auto again = resume_protected_create(*c, "/lock", mark, "lock-", "",
                                       CreateMode::kEphemeralSequential, deadline_after(5s));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), orphan.path);
  EXPECT_EQ(zk.get_children("/lock").size(), 1u);
  // With no such child it creates one.
  auto fresh = resume_protected_create(*c, "/lock", "_c_" + random_guid() + "-", "lock-", "",
                                       CreateMode::kEphemeralSequential, deadline_after(5s));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(zk.get_children("/lock").size(), 2u);
  (void)made;
}

// The create of the lock node reaches the server, but its reply is lost with the connection:
// protected mode finds the node by its GUID and adopts it. A blind retry would make a second
// node behind the orphan and wait for it for the rest of the session.
TEST_P(LockTest, AcquireAdoptsItsNodeWhenTheCreateReplyIsLost) {
  TcpProxy proxy(server_->port());
  auto c = open_client(proxy.hostport() + base_);
  SyncClient(*c).create("/lock");
  ExclusiveLock lock(*c, "/lock");
  proxy.hold_replies_after(0);  // the create is acquire's first request
  Result<bool> got(Err::kSystemError, "");
  std::thread t([&] { got = lock.acquire(10s); });
  ASSERT_TRUE(wait_until([&] { return children("/lock").size() == 1; }));
  proxy.cut();  // the held reply is lost with the connection
  proxy.release();
  t.join();
  ASSERT_TRUE(got.ok()) << proto::err_name(got.code());
  EXPECT_TRUE(got.value());
  auto kids = children("/lock");
  ASSERT_EQ(kids.size(), 1u);
  EXPECT_EQ(lock.node(), "/lock/" + kids[0]);
  EXPECT_TRUE(lock.release().ok());
}

// An acquire that gives up while its create's outcome is unknown (the reply lost, the
// connection not back before the deadline) must not leave its node behind: it is found by its
// GUID and deleted in the background once the connection is back.
TEST_P(LockTest, AcquireThatGivesUpWithTheCreateUnknownLeavesNoNode) {
  TcpProxy proxy(server_->port());
  auto c = open_client(proxy.hostport() + base_);
  SyncClient(*c).create("/lock");
  ExclusiveLock lock(*c, "/lock");
  proxy.hold_replies_after(0);  // the create is acquire's first request
  Result<bool> got(Err::kSystemError, "");
  std::thread t([&] { got = lock.acquire(1s); });
  ASSERT_TRUE(wait_until([&] { return children("/lock").size() == 1; }));
  proxy.cut();  // the reply is lost; the reconnect's handshake reply is held too
  t.join();
  EXPECT_EQ(got.code(), Err::kConnectionLoss);
  EXPECT_TRUE(lock.node().empty());
  proxy.release();
  proxy.cut();  // a connection that works
  ASSERT_TRUE(c->wait_connected(20s));
  EXPECT_TRUE(wait_until([&] { return children("/lock").empty(); }))
      << "orphan: " << (children("/lock").empty() ? "" : children("/lock")[0]);
}

// cancel() stops an acquire that waits for a connection that does not come back (as
// LeaderElection::close() does), instead of leaving it waiting for its whole timeout.
TEST_P(LockTest, CancelStopsAnAcquireWaitingForTheConnection) {
  TcpProxy proxy(server_->port());
  SessionEvents events;
  std::atomic<int> disconnects{0};
  events.add([&](KeeperState s) { disconnects += s == KeeperState::kDisconnected; });
  auto c = open_client(proxy.hostport() + base_, &events, 3000ms);
  SyncClient(*c).create("/lock");
  ExclusiveLock lock(*c, "/lock");
  proxy.blackhole(true);
  std::atomic<bool> done{false};
  Result<bool> got(Err::kSystemError, "");
  std::thread t([&] {
    got = lock.acquire();  // no deadline
    done = true;
  });
  ASSERT_TRUE(wait_until([&] { return disconnects.load() >= 1; }));
  lock.cancel();
  const bool stopped = wait_until([&] { return done.load(); }, 5s);
  proxy.blackhole(false);  // lets a hung acquire end (the session expires) so the test ends
  t.join();
  EXPECT_TRUE(stopped);
  ASSERT_TRUE(got.ok()) << proto::err_name(got.code());
  EXPECT_FALSE(got.value());
}

// A cancel that finds the lock free at once is not ignored and left set for a later acquire:
// it answers the acquire it reached, and the next acquire waits as usual.
TEST_P(LockTest, CancelIsUsedUpByTheAcquireItAnswers) {
  auto c = chrooted(), other = chrooted();
  ExclusiveLock lock(*c, "/lock"), holder(*other, "/lock");
  lock.cancel();
  auto first = lock.acquire(5s);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first.value());
  ASSERT_TRUE(holder.acquire(5s).value());
  std::thread releaser([&] {
    wait_until([&] { return children("/lock").size() == 2; });  // the acquire below waits
    holder.release();
  });
  auto second = lock.acquire(10s);
  releaser.join();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second.value());
  lock.release();
}

// Two threads calling acquire() on one lock object: the second is turned away at once
// instead of racing the first (which would break the object's node bookkeeping).
TEST_P(LockTest, SecondConcurrentAcquireOfOneObjectIsRefused) {
  auto c = chrooted(), other = chrooted();
  ExclusiveLock lock(*c, "/lock"), holder(*other, "/lock");
  ASSERT_TRUE(holder.acquire(5s).value());
  Result<bool> first(Err::kSystemError, "");
  std::thread t([&] { first = lock.acquire(30s); });
  ASSERT_TRUE(wait_until([&] { return children("/lock").size() == 2; }));
  EXPECT_EQ(lock.acquire(30s).code(), Err::kBadArguments);
  EXPECT_EQ(children("/lock").size(), 2u);
  ASSERT_TRUE(holder.release().ok());
  t.join();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.value());
  EXPECT_TRUE(lock.release().ok());
  EXPECT_TRUE(children("/lock").empty());
}

// Acquires that time out waiting for the same predecessor leave one watch armed on it, not
// one more each: when the predecessor goes, this contender is notified once.
TEST_P(LockTest, TimedOutAcquiresDoNotPileUpWatches) {
  auto c = chrooted(), other = chrooted();
  ExclusiveLock lock(*c, "/lock"), holder(*other, "/lock");
  ASSERT_TRUE(holder.acquire(5s).value());
  for (int i = 0; i < 5; ++i) {
    auto r = lock.acquire(50ms);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
  }
  ASSERT_TRUE(holder.release().ok());
  SyncClient(*c).sync("/lock");  // the deletion's notifications have reached this client
  ASSERT_TRUE(wait_until([&] { return lock.watch_notifications() >= 1; }));
  EXPECT_EQ(lock.watch_notifications(), 1u);
}

// A waiter whose connection drops keeps its place: the session resumes, the watch is re-armed,
// and the release still reaches it.
TEST_P(LockTest, WaiterSurvivesAConnectionCut) {
  TcpProxy proxy(server_->port());
  SessionEvents events;
  std::atomic<int> disconnects{0};
  events.add([&](KeeperState s) { disconnects += s == KeeperState::kDisconnected; });
  auto holder_client = chrooted();
  auto waiter_client = open_client(proxy.hostport() + base_, &events);
  ExclusiveLock holder(*holder_client, "/lock"), waiter(*waiter_client, "/lock");
  ASSERT_TRUE(holder.acquire(5s).value());
  std::atomic<bool> got{false};
  std::thread t([&] { got = waiter.acquire(60s).value(); });
  ASSERT_TRUE(wait_until([&] { return children("/lock").size() == 2; }));
  ASSERT_TRUE(wait_until([&] { return total_watches() == 1; }));
  proxy.cut();
  ASSERT_TRUE(wait_until([&] { return disconnects.load() == 1; }));
  ASSERT_TRUE(waiter_client->wait_connected(20s));
  ASSERT_TRUE(holder.release().ok());
  t.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(children("/lock").size(), 1u);
}

TEST_P(LockTest, ReadersShareWritersExclude) {
  auto a = chrooted();
  auto b = chrooted();
  auto w = chrooted();
  ReadWriteLock ra(*a, "/rw"), rb(*b, "/rw"), rw(*w, "/rw");
  ASSERT_TRUE(ra.read().acquire(5s).value());
  ASSERT_TRUE(rb.read().acquire(5s).value());  // two readers at once
  EXPECT_FALSE(rw.write().acquire(200ms).value());
  std::atomic<bool> writing{false};
  std::thread t([&] {
    ASSERT_TRUE(rw.write().acquire(30s).value());
    writing = true;
  });
  ASSERT_TRUE(wait_until([&] { return children("/rw").size() == 3; }));
  // A reader after a waiting writer waits for it (no writer starvation).
  auto c = chrooted();
  ReadWriteLock rc(*c, "/rw");
  EXPECT_FALSE(rc.read().acquire(200ms).value());
  ASSERT_TRUE(rb.read().release().ok());
  ASSERT_TRUE(ra.read().release().ok());
  t.join();
  EXPECT_TRUE(writing.load());
  std::atomic<bool> reading{false};
  std::thread r([&] { reading = rc.read().acquire(30s).value(); });
  ASSERT_TRUE(wait_until([&] { return children("/rw").size() == 2; }));
  EXPECT_FALSE(reading.load());
  ASSERT_TRUE(rw.write().release().ok());
  r.join();
  EXPECT_TRUE(reading.load());
  EXPECT_TRUE(rc.read().release().ok());
}

// Readers and writers from several clients: never a writer with anyone else inside.
TEST_P(LockTest, ReadWriteExclusionUnderContention) {
  constexpr int kClients = 6, kRounds = 6;
  std::atomic<int> readers{0}, writers{0}, violations{0}, max_readers{0};
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(chrooted());
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      ReadWriteLock rw(*clients[i], "/rw");
      SyncClient zk(*clients[i]);
      for (int r = 0; r < kRounds; ++r) {
        bool write = (i + r) % 3 == 0;
        LockCore& l = write ? rw.write() : rw.read();
        ASSERT_TRUE(l.acquire(60s).value());
        if (write) {
          if (writers.fetch_add(1) != 0 || readers.load() != 0) violations++;
        } else {
          int now = readers.fetch_add(1) + 1;
          if (writers.load() != 0) violations++;
          int seen = max_readers.load();
          while (now > seen && !max_readers.compare_exchange_weak(seen, now)) {
          }
        }
        zk.sync("/rw");  // a round trip inside the lock, so holders can overlap in time
        (write ? writers : readers).fetch_sub(1);
        ASSERT_TRUE(l.release().ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_TRUE(children("/rw").empty());
}

PADDOCK_RECIPE_SUITE(LockTest);

}  // namespace
}  // namespace paddock::client::recipes
