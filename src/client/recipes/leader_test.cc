// LeaderLatch and LeaderElection against both servers: one leader at a time, hand-over when
// the leader's session closes or expires, leadership lost on a dropped connection.
#include <atomic>
#include <thread>
#include <vector>

#include "client/recipes/leader_election.h"
#include "client/recipes/leader_latch.h"
#include "client/recipes/recipe_test_support.h"

namespace paddock::client::recipes {
namespace {

class LeaderTest : public RecipeTest {};

// One participant: a client with its own session events, a latch and callback counts.
struct Participant {
  Participant(RecipeTest* t, std::function<std::unique_ptr<Client>(SessionEvents*)> open,
              const std::string& id)
      : client(open(&events)),
        latch(*client, events, "/election", id,
              {.is_leader = [this] { gained++; }, .not_leader = [this] { lost++; }}) {
    (void)t;
  }
  SessionEvents events;
  std::unique_ptr<Client> client;
  std::atomic<int> gained{0}, lost{0};
  LeaderLatch latch;
};

int leaders(const std::vector<std::unique_ptr<Participant>>& ps) {
  int n = 0;
  for (auto& p : ps) n += p->latch.has_leadership();
  return n;
}

TEST_P(LeaderTest, LatchHasOneLeaderAndHandsOverWhenItsSessionCloses) {
  std::vector<std::unique_ptr<Participant>> ps;
  for (int i = 0; i < 4; ++i) {
    ps.push_back(std::make_unique<Participant>(
        this, [&](SessionEvents* e) { return chrooted(e); }, "p" + std::to_string(i)));
    ps.back()->latch.start();
    // Joining in order makes the order of leaders known.
    ASSERT_TRUE(
        wait_until([&] { return children("/election").size() == static_cast<size_t>(i + 1); }));
  }
  ASSERT_TRUE(ps[0]->latch.await_leadership(20s));
  EXPECT_EQ(leaders(ps), 1);
  EXPECT_EQ(ps[1]->latch.participants().value(),
            (std::vector<std::string>{"p0", "p1", "p2", "p3"}));
  for (int next = 1; next < 4; ++next) {
    ps[next - 1]->client->close();  // the leader's session ends
    ASSERT_TRUE(ps[next]->latch.await_leadership(20s)) << "p" << next;
    ASSERT_TRUE(wait_until([&] { return ps[next - 1]->lost.load() == 1; }));
    EXPECT_EQ(leaders(ps), 1);
    ASSERT_TRUE(wait_until([&] { return ps[next]->gained.load() == 1; }));
  }
  // Every hand-over woke only the next participant: each was notified at most once.
  for (auto& p : ps) EXPECT_LE(p->latch.watch_notifications(), 1u);
}

TEST_P(LeaderTest, LatchLosesLeadershipWhileDisconnectedAndRegainsIt) {
  TcpProxy proxy(server_->port());
  Participant leader(
      this, [&](SessionEvents* e) { return open_client(proxy.hostport() + base_, e); }, "a");
  Participant other(
      this, [&](SessionEvents* e) { return chrooted(e); }, "b");
  leader.latch.start();
  ASSERT_TRUE(leader.latch.await_leadership(20s));
  other.latch.start();
  ASSERT_TRUE(wait_until([&] { return children("/election").size() == 2; }));
  proxy.cut();
  ASSERT_TRUE(wait_until([&] { return leader.lost.load() == 1; }));
  // The session lives on, so its node is still first: leadership comes back.
  ASSERT_TRUE(wait_until([&] { return leader.gained.load() == 2; }));
  EXPECT_TRUE(leader.latch.has_leadership());
  EXPECT_FALSE(other.latch.has_leadership());
}

TEST_P(LeaderTest, LatchHandsOverWhenTheLeadersSessionExpires) {
  TcpProxy proxy(server_->port());
  Participant leader(
      this, [&](SessionEvents* e) { return open_client(proxy.hostport() + base_, e, 2000ms); },
      "a");
  Participant other(
      this, [&](SessionEvents* e) { return chrooted(e); }, "b");
  leader.latch.start();
  ASSERT_TRUE(leader.latch.await_leadership(20s));
  other.latch.start();
  ASSERT_TRUE(wait_until([&] { return children("/election").size() == 2; }));
  proxy.blackhole(true);
  // The partitioned leader gives up as soon as it sees the connection go...
  ASSERT_TRUE(wait_until([&] { return leader.lost.load() == 1; }));
  // ...and the server expires its session: the other takes over.
  ASSERT_TRUE(other.latch.await_leadership(30s));
  proxy.blackhole(false);
  proxy.cut();
  ASSERT_TRUE(wait_until([&] { return leader.events.last() == KeeperState::kExpired; }));
  EXPECT_FALSE(leader.latch.has_leadership());
  EXPECT_EQ(leader.gained.load(), 1);
}

// Several elections, each leading for a round trip and giving up: never two leaders at once,
// and every participant leads.
TEST_P(LeaderTest, ElectionHasOneLeaderAtATime) {
  constexpr int kParticipants = 5, kTerms = 4;
  std::atomic<int> leading{0}, overlaps{0}, total{0};
  std::vector<std::unique_ptr<SessionEvents>> events;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<LeaderElection>> elections;
  for (int i = 0; i < kParticipants; ++i) {
    events.push_back(std::make_unique<SessionEvents>());
    clients.push_back(chrooted(events.back().get()));
    Client* c = clients.back().get();
    elections.push_back(std::make_unique<LeaderElection>(*c, *events.back(), "/election",
                                                         [&, c](const Leadership& l) {
                                                           if (leading.fetch_add(1) != 0)
                                                             overlaps++;
                                                           SyncClient(*c).sync("/");
                                                           (void)l;
                                                           leading.fetch_sub(1);
                                                           total++;
                                                         }));
  }
  for (auto& e : elections) e->start();
  ASSERT_TRUE(wait_until([&] {
    for (auto& e : elections) {
      if (e->terms() < kTerms) return false;
    }
    return true;
  }));
  for (auto& e : elections) e->close();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(total.load(), kParticipants * kTerms);
  EXPECT_TRUE(children("/election").empty());
}

TEST_P(LeaderTest, ElectionLeaderIsToldWhenItsConnectionDrops) {
  TcpProxy proxy(server_->port());
  SessionEvents events;
  auto c = open_client(proxy.hostport() + base_, &events);
  std::atomic<bool> leading{false}, told{false};
  LeaderElection election(
      *c, events, "/election",
      [&](const Leadership& l) {
        leading = true;
        told = l.wait_lost(30s);
      },
      /*requeue=*/false);
  election.start();
  ASSERT_TRUE(wait_until([&] { return leading.load(); }));
  proxy.cut();
  ASSERT_TRUE(wait_until([&] { return told.load(); }));
  election.close();
}

PADDOCK_RECIPE_SUITE(LeaderTest);

}  // namespace
}  // namespace paddock::client::recipes
