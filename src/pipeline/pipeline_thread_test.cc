// The thread adapter: events posted from other threads reach the core in order, the
// orderer's wake-up (fired on the log writer's thread) gets commits applied, and stop()
// joins. Request semantics are tested on the core itself (pipeline_core_test.cc).
#include "pipeline/pipeline_thread.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using testing_support::header_of;
using testing_support::ManualClock;
using testing_support::RecordingChannel;
using testing_support::request;

void connect_client(PipelineThread& pipeline, RecordingChannel& channel, ConnectionId conn) {
  pipeline.connection_opened(conn, "127.0.0.1", 40000);
  proto::ConnectRequest connect;
  connect.timeout_ms = 10000;
  connect.passwd = std::string(16, '\0');
  pipeline.frame_received(conn, proto::encode(connect));
  ASSERT_EQ(channel.await_frames(conn, 1).size(), 1u);
}

// An exchange whose one step completes as "bob" once the test opens its gate.
class GatedExchange final : public SaslExchange {
 public:
  GatedExchange(std::promise<void>& started, std::shared_future<void> gate)
      : started_(started), gate_(std::move(gate)) {}
  Step step(std::string_view) override {
    started_.set_value();
    gate_.wait();
    Step s;
    s.status = Step::Status::kComplete;
    s.authorized_id = "bob";
    return s;
  }

 private:
  std::promise<void>& started_;
  std::shared_future<void> gate_;
};

class GatedAuthenticator final : public SaslAuthenticator {
 public:
  explicit GatedAuthenticator(std::shared_future<void> gate) : gate_(std::move(gate)) {}
  std::unique_ptr<SaslExchange> start(std::string_view, uint16_t) override {
    return std::make_unique<GatedExchange>(started, gate_);
  }
  std::promise<void> started;

 private:
  std::shared_future<void> gate_;
};

TEST(PipelineThreadTest, AWriteMadeDurableOnAnotherThreadIsAnsweredThenTheReadBehindIt) {
  ManualClock clock;
  state::Database db{state::DatabaseOptions{}};
  std::vector<std::thread> log_threads;
  LocalOrderer* orderer_ptr = nullptr;
  // The "log writer" reports durability from its own thread, as the real one does.
  LocalOrderer orderer(0, [&](int64_t zxid, std::string) {
    log_threads.emplace_back([orderer_ptr, zxid] { orderer_ptr->on_durable(zxid); });
  });
  orderer_ptr = &orderer;
  RecordingChannel channel;
  LocalSessionAuthority sessions(PipelineOptions{}.tick_ms);
  PipelineThread pipeline(PipelineOptions{}, db, orderer, sessions, clock);
  pipeline.start(channel);

  connect_client(pipeline, channel, 1);
  const proto::AclList open{{proto::perm::kAll, {"world", "anyone"}}};
  pipeline.frame_received(
      1, request(1, proto::OpCode::kCreate, proto::CreateRequest{"/t", "v", open, 0}));
  pipeline.frame_received(1,
                          request(2, proto::OpCode::kGetData, proto::GetDataRequest{"/t", false}));
  auto frames = channel.await_frames(1, 3);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(header_of(frames[1]).xid, 1);
  EXPECT_EQ(header_of(frames[2]).xid, 2);
  EXPECT_EQ(header_of(frames[2]).err, 0);
  pipeline.stop();
  for (std::thread& t : log_threads) t.join();
}

// A GSSAPI step takes about a millisecond of Cyrus and krb5; the pipeline thread serves the
// other clients while it runs on the SASL worker.
TEST(PipelineThreadTest, ASaslStepRunsOnTheWorkerWhileOtherClientsAreServed) {
  ManualClock clock;
  state::Database db{state::DatabaseOptions{}};
  LocalOrderer* orderer_ptr = nullptr;
  LocalOrderer orderer(0, [&](int64_t zxid, std::string) { orderer_ptr->on_durable(zxid); });
  orderer_ptr = &orderer;
  std::promise<void> gate;
  auto authenticator = std::make_shared<GatedAuthenticator>(gate.get_future().share());
  PipelineOptions options;
  options.sasl = authenticator;
  RecordingChannel channel;
  LocalSessionAuthority sessions(options.tick_ms);
  PipelineThread pipeline(options, db, orderer, sessions, clock);
  pipeline.start(channel);
  connect_client(pipeline, channel, 1);
  connect_client(pipeline, channel, 2);

  std::string sasl = testing_support::bare_request(1, proto::OpCode::kSasl);
  proto::JuteWriter(sasl).buffer("token");
  pipeline.frame_received(1, sasl);
  pipeline.frame_received(1, testing_support::bare_request(2, proto::OpCode::kWhoAmI));
  authenticator->started.get_future().wait();  // the step is inside the exchange now
  pipeline.frame_received(2, testing_support::bare_request(7, proto::OpCode::kWhoAmI));
  auto other = channel.await_frames(2, 2);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(header_of(other[1]).xid, 7);
  EXPECT_EQ(channel.frames(1).size(), 1u);

  gate.set_value();
  auto frames = channel.await_frames(1, 3);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(header_of(frames[1]).xid, 1);
  EXPECT_EQ(header_of(frames[1]).err, 0);
  EXPECT_EQ(header_of(frames[2]).xid, 2);
  pipeline.stop();
}

TEST(SaslWorkerTest, StopDropsStepsNotStartedAndWaitsForTheOneRunning) {
  std::mutex mu;
  std::vector<ConnectionId> delivered;
  SaslWorker worker(1, [&](ConnectionId conn, SaslExchange::Step) {
    std::lock_guard lock(mu);
    delivered.push_back(conn);
  });
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  GatedAuthenticator authenticator(opened);
  worker.run(1, authenticator.start("", 0), "a");
  authenticator.started.get_future().wait();
  std::promise<void> second_started;  // never set: the second step must not run
  worker.run(2, std::make_shared<GatedExchange>(second_started, opened), "b");
  EXPECT_EQ(worker.queued(), 1u);
  std::thread stopper([&] { worker.stop(); });
  while (worker.queued() != 0) std::this_thread::yield();  // stop() dropped the second
  gate.set_value();
  stopper.join();
  worker.run(3, authenticator.start("", 0), "c");  // after stop: dropped
  EXPECT_EQ(delivered, std::vector<ConnectionId>{1});  // one step ran: the first
}

}  // namespace
}  // namespace paddock::pipeline
