// QuorumLinks over real loopback sockets: learners identified by their FOLLOWERINFO, held
// until this server leads, replaced when they reconnect (the old close not reported), and
// a learner's dial, sends and hang-up.
#include "ensemble/quorum_links.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "quorum/payloads.h"

namespace paddock::ensemble {
namespace {

using namespace std::chrono_literals;
using quorum::PacketType;
using quorum::QuorumPacket;

// The state-owning thread of a test: tasks posted by the io thread run when the test asks.
class TaskQueue {
 public:
  QuorumLinks::Post poster() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
      cv_.notify_all();
    };
  }
  // Runs tasks until `pred` holds (checked between tasks) or the time is up.
  template <typename F>
  bool run_until(F pred, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        if (!cv_.wait_until(lock, deadline, [&] { return !tasks_.empty(); })) return pred();
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
    return true;
  }
  void run_for(std::chrono::milliseconds d) {
    run_until([] { return false; }, d);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

struct Recorder : QuorumLinks::Handler {
  std::vector<std::pair<Sid, QuorumPacket>> packets;
  std::vector<Sid> connected;
  std::vector<Sid> disconnected;
  void on_quorum_packet(Sid from, QuorumPacket p) override { packets.emplace_back(from, p); }
  void on_quorum_connected(Sid peer) override { connected.push_back(peer); }
  void on_quorum_disconnected(Sid peer) override { disconnected.push_back(peer); }
};

QuorumPacket follower_info(Sid sid) {
  return QuorumPacket{PacketType::kFollowerInfo, 0,
                      quorum::encode_learner_info({sid, quorum::kQuorumProtocolVersion, 0, {}}),
                      std::nullopt};
}
QuorumPacket ping(int64_t zxid) {
  return QuorumPacket{PacketType::kPing, zxid, std::nullopt, std::nullopt};
}

QuorumLinks::Options options() {
  QuorumLinks::Options o;
  o.listen_host = "127.0.0.1";
  o.dial_attempts = 1;
  o.connect_timeout = 2000ms;
  return o;
}

class QuorumLinksTest : public ::testing::Test {
 protected:
  peer::IoThread io_{"links-test"};
  TaskQueue leader_tasks_, learner_tasks_;
  Recorder leader_seen_, learner_seen_;
  std::unique_ptr<QuorumLinks> leader_ =
      std::make_unique<QuorumLinks>(io_, options(), leader_tasks_.poster(), leader_seen_);
  std::unique_ptr<QuorumLinks> learner_ =
      std::make_unique<QuorumLinks>(io_, options(), learner_tasks_.poster(), learner_seen_);

  void SetUp() override { ASSERT_TRUE(leader_->listen()); }
  void TearDown() override {
    learner_->stop();
    leader_->stop();
    io_.stop();
  }
  // The learner (sid 2) dials the leader (sid 1) and says who it is.
  void dial_and_introduce() {
    learner_->dial(1, "127.0.0.1", leader_->port());
    ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.connected.empty(); }));
    ASSERT_TRUE(learner_->send(1, follower_info(2)));
  }
};

TEST_F(QuorumLinksTest, AFollowerInfoWaitsUntilThisServerLeads) {
  dial_and_introduce();
  leader_tasks_.run_for(200ms);
  EXPECT_TRUE(leader_seen_.packets.empty());  // still deciding: held, not dropped
  leader_->set_stance(QuorumLinks::Stance::kLeading);
  ASSERT_EQ(leader_seen_.packets.size(), 1u);
  EXPECT_EQ(leader_seen_.packets[0].first, 2);
  EXPECT_EQ(leader_seen_.packets[0].second.type, PacketType::kFollowerInfo);
  // The link works both ways from now on, by sid.
  ASSERT_TRUE(leader_->send(2, ping(7)));
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.packets.empty(); }));
  EXPECT_EQ(learner_seen_.packets[0], (std::pair<Sid, QuorumPacket>{1, ping(7)}));
  ASSERT_TRUE(learner_->send(1, ping(8)));
  ASSERT_TRUE(leader_tasks_.run_until([&] { return leader_seen_.packets.size() == 2; }));
  EXPECT_EQ(leader_seen_.packets[1].second, ping(8));
}

TEST_F(QuorumLinksTest, ALargeSyncIsEncodedAsideAndWhatFollowsKeepsItsOrder) {
  dial_and_introduce();
  leader_->set_stance(QuorumLinks::Stance::kLeading);
  ASSERT_TRUE(leader_tasks_.run_until([&] { return leader_seen_.packets.size() == 1; }));
  std::vector<QuorumPacket> sync;
  const int64_t epoch = int64_t{1} << 32;
  sync.push_back(QuorumPacket{PacketType::kDiff, epoch + 600, std::nullopt, std::nullopt});
  for (int i = 1; i <= 600; ++i) {
    sync.push_back(
        QuorumPacket{PacketType::kProposal, epoch + i, std::string(50, 't'), std::nullopt});
    sync.push_back(QuorumPacket{PacketType::kCommit, epoch + i, std::nullopt, std::nullopt});
  }
  std::vector<QuorumPacket> want = sync;
  ASSERT_TRUE(leader_->send_all(2, std::move(sync)));
  // Not a sync: written as usual, after the sync whatever the encoder's pace.
  std::vector<QuorumPacket> pings;
  for (int i = 0; i < 1200; ++i) pings.push_back(ping(i));
  want.insert(want.end(), pings.begin(), pings.end());
  ASSERT_TRUE(leader_->send_all(2, std::move(pings)));
  ASSERT_TRUE(leader_->send(2, ping(-1)));
  want.push_back(ping(-1));

  ASSERT_TRUE(
      learner_tasks_.run_until([&] { return learner_seen_.packets.size() == want.size(); }));
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(learner_seen_.packets[i].second, want[i]) << "packet " << i;
  }
  EXPECT_EQ(leader_->syncs_encoded_aside(), 1u);
}

TEST_F(QuorumLinksTest, AHeldLearnerIsClosedWhenThisServerFollowsAnother) {
  dial_and_introduce();
  leader_tasks_.run_for(100ms);
  leader_->set_stance(QuorumLinks::Stance::kLearning);  // it decided to follow another
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.disconnected.empty(); }));
  EXPECT_EQ(learner_seen_.disconnected, std::vector<Sid>{1});
}

TEST_F(QuorumLinksTest, AReconnectingLearnerReplacesItsOldLinkAndTheOldCloseIsNotReported) {
  leader_->set_stance(QuorumLinks::Stance::kLeading);
  dial_and_introduce();
  ASSERT_TRUE(leader_tasks_.run_until([&] { return leader_seen_.packets.size() == 1; }));
  // The same server (sid 2) comes in on a second connection while the first is still open,
  // as a restarted learner does before the old socket's close reaches the leader.
  TaskQueue again_tasks;
  Recorder again_seen;
  QuorumLinks again(io_, options(), again_tasks.poster(), again_seen);
  again.dial(1, "127.0.0.1", leader_->port());
  ASSERT_TRUE(again_tasks.run_until([&] { return !again_seen.connected.empty(); }));
  ASSERT_TRUE(again.send(1, follower_info(2)));
  ASSERT_TRUE(leader_tasks_.run_until([&] { return leader_seen_.packets.size() == 2; }));
  // The leader closed the first connection; its close comes after the new link delivered
  // a packet, so it is not reported (the core would take it for the new link's).
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.disconnected.empty(); }));
  leader_tasks_.run_for(300ms);
  EXPECT_TRUE(leader_seen_.disconnected.empty());
  // The current link's close is reported.
  again.hang_up(1);
  ASSERT_TRUE(leader_tasks_.run_until([&] { return !leader_seen_.disconnected.empty(); }));
  EXPECT_EQ(leader_seen_.disconnected, std::vector<Sid>{2});
  again_tasks.run_for(200ms);
  EXPECT_TRUE(again_seen.disconnected.empty());  // a hang-up is not reported back
  again.stop();
}

TEST_F(QuorumLinksTest, AFirstPacketThatIsNotALearnerInfoClosesTheConnection) {
  leader_->set_stance(QuorumLinks::Stance::kLeading);
  learner_->dial(1, "127.0.0.1", leader_->port());
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.connected.empty(); }));
  ASSERT_TRUE(learner_->send(1, ping(1)));
  leader_tasks_.run_for(200ms);
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.disconnected.empty(); }));
  EXPECT_TRUE(leader_seen_.packets.empty());
  EXPECT_TRUE(leader_seen_.disconnected.empty());  // never identified: nothing to report
}

TEST_F(QuorumLinksTest, AFailedDialIsReportedAsADisconnect) {
  uint16_t port = leader_->port();
  leader_->stop();  // nobody listens there any more
  learner_->dial(1, "127.0.0.1", port);
  ASSERT_TRUE(learner_tasks_.run_until([&] { return !learner_seen_.disconnected.empty(); }));
  EXPECT_EQ(learner_seen_.disconnected, std::vector<Sid>{1});
  EXPECT_TRUE(learner_seen_.connected.empty());
  EXPECT_FALSE(learner_->send(1, ping(1)));
}

}  // namespace
}  // namespace paddock::ensemble
