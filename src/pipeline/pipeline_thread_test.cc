// The thread adapter: events posted from other threads reach the core in order, the
// orderer's wake-up (fired on the log writer's thread) gets commits applied, and stop()
// joins. Request semantics are tested on the core itself (pipeline_core_test.cc).
#include "pipeline/pipeline_thread.h"

#include <gtest/gtest.h>

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

  pipeline.connection_opened(1, "127.0.0.1", 40000);
  proto::ConnectRequest connect;
  connect.timeout_ms = 10000;
  connect.passwd = std::string(16, '\0');
  pipeline.frame_received(1, proto::encode(connect));
  ASSERT_EQ(channel.await_frames(1, 1).size(), 1u);
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

}  // namespace
}  // namespace paddock::pipeline
