// DistributedQueue and SharedCounter against both servers: every item taken exactly once by
// concurrent takers, FIFO order, and concurrent increments that end at the exact sum.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "client/recipes/distributed_queue.h"
#include "client/recipes/recipe_test_support.h"
#include "client/recipes/shared_counter.h"

namespace paddock::client::recipes {
namespace {

class QueueCounterTest : public RecipeTest {};

TEST_P(QueueCounterTest, QueueIsFifoAndTakeRemoves) {
  auto c = chrooted();
  DistributedQueue q(*c, "/q");
  EXPECT_EQ(q.take(0ms).value(), std::nullopt);
  EXPECT_EQ(q.peek().value(), std::nullopt);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.offer("item " + std::to_string(i)).ok());
  EXPECT_EQ(q.size().value(), 5u);
  EXPECT_EQ(q.peek().value(), std::optional<std::string>("item 0"));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(q.take(0ms).value(), std::optional<std::string>("item " + std::to_string(i)));
  EXPECT_EQ(q.size().value(), 0u);
  EXPECT_EQ(q.take(100ms).value(), std::nullopt);
  EXPECT_TRUE(children("/q/claims").empty());
}

TEST_P(QueueCounterTest, TakeWaitsForAnOffer) {
  auto c = chrooted();
  auto p = chrooted();
  DistributedQueue taker(*c, "/q"), producer(*p, "/q");
  std::optional<std::string> got;
  std::thread t([&] { got = taker.take(30s).value(); });
  // The taker's session has its child watch on the queue: it is waiting.
  bool waiting =
      wait_until([&] { return c->check_watches("/q", WatcherType::kChildren).get().ok(); });
  EXPECT_TRUE(waiting);
  ASSERT_TRUE(producer.offer("late").ok());
  t.join();
  EXPECT_EQ(got, std::optional<std::string>("late"));
}

// The take's delete-and-claim multi is applied, but its reply is lost with the connection: the
// claim node says the item is this taker's. A bare delete would answer NoNode on the retry and
// the item would be lost.
TEST_P(QueueCounterTest, TakeWhoseReplyIsLostStillGetsTheItem) {
  TcpProxy proxy(server_->port());
  auto c = open_client(proxy.hostport() + base_);
  DistributedQueue q(*c, "/q");
  ASSERT_TRUE(q.offer("only").ok());
  ASSERT_EQ(q.take(0ms).value(), std::optional<std::string>("only"));  // sets /q/claims up
  ASSERT_TRUE(q.offer("second").ok());
  // take() lists the items and reads the head (two replies), then sends the multi.
  proxy.hold_replies_after(2);
  Result<std::optional<std::string>> got(Err::kSystemError, "");
  std::thread t([&] { got = q.take(10s); });
  // Applied at the server: the item is gone and the claim is there.
  ASSERT_TRUE(
      wait_until([&] { return children("/q").size() == 1 && children("/q/claims").size() == 1; }));
  proxy.cut();  // the held reply is lost with the connection
  proxy.release();
  t.join();
  ASSERT_TRUE(got.ok()) << proto::err_name(got.code());
  EXPECT_EQ(got.value(), std::optional<std::string>("second"));
  EXPECT_TRUE(wait_until([&] { return children("/q/claims").empty(); }));
}

TEST_P(QueueCounterTest, TakeRecreatesADeletedClaimsNode) {
  auto c = chrooted();
  DistributedQueue q(*c, "/q");
  ASSERT_TRUE(q.offer("a").ok());
  ASSERT_EQ(q.take(0ms).value(), std::optional<std::string>("a"));
  SyncClient(*root_).remove(base_ + "/q/claims");
  ASSERT_TRUE(q.offer("b").ok());
  EXPECT_EQ(q.take(0ms).value(), std::optional<std::string>("b"));
}

// Producers and consumers at once: every item is taken exactly once.
TEST_P(QueueCounterTest, ConcurrentTakersTakeEachItemExactlyOnce) {
  constexpr int kProducers = 3, kConsumers = 4, kItemsEach = 30;
  constexpr int kTotal = kProducers * kItemsEach;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kProducers + kConsumers; ++i) clients.push_back(chrooted());
  std::mutex mu;
  std::map<std::string, int> taken;
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      DistributedQueue q(*clients[p], "/q");
      for (int i = 0; i < kItemsEach; ++i)
        ASSERT_TRUE(q.offer("p" + std::to_string(p) + "-" + std::to_string(i)).ok());
    });
  }
  for (int k = 0; k < kConsumers; ++k) {
    threads.emplace_back([&, k] {
      DistributedQueue q(*clients[kProducers + k], "/q");
      while (count.load() < kTotal) {
        auto item = q.take(200ms);
        ASSERT_TRUE(item.ok()) << proto::err_name(item.code());
        if (!item.value()) continue;
        count++;
        std::lock_guard<std::mutex> lock(mu);
        taken[*item.value()]++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(count.load(), kTotal);
  EXPECT_EQ(taken.size(), static_cast<size_t>(kTotal));
  for (auto& [item, n] : taken) EXPECT_EQ(n, 1) << item;
  EXPECT_EQ(DistributedQueue(*root_, base_ + "/q").size().value(), 0u);
}

TEST_P(QueueCounterTest, ConcurrentIncrementsEndAtTheExactSum) {
  constexpr int kClients = 6, kAdds = 25;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(chrooted());
  std::atomic<uint64_t> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      SharedCounter counter(*clients[i], "/stats/counter");
      for (int a = 0; a < kAdds; ++a) ASSERT_TRUE(counter.add(i + 1).ok());
      conflicts += counter.conflicts();
    });
  }
  for (auto& t : threads) t.join();
  SharedCounter reader(*root_, base_ + "/stats/counter");
  // 25 * (1 + 2 + ... + 6)
  EXPECT_EQ(reader.get().value().value, kAdds * kClients * (kClients + 1) / 2);
  EXPECT_EQ(reader.get().value().version, kClients * kAdds);
  std::printf("counter: %llu compare-and-set conflicts\n",
              static_cast<unsigned long long>(conflicts.load()));
}

TEST_P(QueueCounterTest, CompareAndSetFailsOnAStaleVersion) {
  auto c = chrooted();
  SharedCounter counter(*c, "/n", 10);
  auto v = counter.get().value();
  EXPECT_EQ(v.value, 10);
  EXPECT_TRUE(counter.compare_and_set(v.version, 20).value());
  EXPECT_FALSE(counter.compare_and_set(v.version, 30).value());
  EXPECT_EQ(counter.get().value().value, 20);
  EXPECT_EQ(counter.add(-25).value(), -5);
  SyncClient(*c).set_data("/n", "not a number");
  EXPECT_EQ(counter.add(1).code(), Err::kBadArguments);
}

PADDOCK_RECIPE_SUITE(QueueCounterTest);

}  // namespace
}  // namespace paddock::client::recipes
