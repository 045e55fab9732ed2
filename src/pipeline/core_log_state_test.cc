// The pipeline while the txn log has failed: writes that were not logged are answered with
// NOTREADONLY in order with the reads behind them, later writes are refused at once, reads
// and pings go on, new sessions are refused, and writes work again once the log is back.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using proto::Err;
using proto::OpCode;
using testing_support::CoreDriver;
using testing_support::header_of;
using testing_support::ManualClock;
using testing_support::RecordingChannel;
using testing_support::request;

const proto::AclList kOpen{{proto::perm::kAll, {"world", "anyone"}}};

class PipelineLogStateTest : public ::testing::Test {
 protected:
  PipelineLogStateTest()
      : db_(state::DatabaseOptions{}), orderer_(0, [this](int64_t zxid, std::string) {
          if (hold_) {
            held_.push_back(zxid);
          } else {
            durable_ = zxid;
            orderer_.on_durable(zxid);
          }
        }) {
    PipelineOptions options;
    options.min_session_timeout_ms = 4000;
    options.max_session_timeout_ms = 40000;
    pipeline_ = std::make_unique<CoreDriver>(options, db_, orderer_, channel_, clock_);
  }

  int64_t connect(ConnectionId conn) {
    pipeline_->connection_opened(conn, "127.0.0.1", 40000);
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.passwd = std::string(16, '\0');
    pipeline_->frame_received(conn, proto::encode(req));
    auto frames = channel_.frames(conn);
    proto::ConnectResponse resp;
    if (frames.empty() || !proto::decode(std::string_view(frames[0]).substr(4), resp)) return 0;
    return resp.session_id;
  }
  // Reads or changes what the pipeline owns, between its steps.
  template <typename F>
  auto on_pipeline(F f) {
    return f();
  }
  // What paddockd's LogOutageHandler does when the writer fails.
  void fail_log() {
    pipeline_->set_log_failed(true, "disk full");
    orderer_.reset(durable_);
  }

  ManualClock clock_;  // never advanced: nothing expires
  state::Database db_;
  bool hold_ = false;  // read in propose
  std::vector<int64_t> held_;
  int64_t durable_ = 0;
  LocalOrderer orderer_;
  RecordingChannel channel_;
  std::unique_ptr<CoreDriver> pipeline_;
};

TEST_F(PipelineLogStateTest, UnloggedWritesAreAnsweredInOrderWithTheReadsBehindThem) {
  const int64_t session = connect(1);
  on_pipeline([this] { return hold_ = true; });
  pipeline_->frame_received(1,
                            request(1, OpCode::kCreate, proto::CreateRequest{"/a", "x", kOpen, 0}));
  pipeline_->frame_received(1, request(2, OpCode::kExists, proto::ExistsRequest{"/a", false}));
  pipeline_->frame_received(1, request(3, OpCode::kSetData, proto::SetDataRequest{"/a", "y", -1}));
  EXPECT_EQ(on_pipeline([this] { return held_.size(); }), 2u);
  fail_log();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(header_of(frames[1]).xid, 1);
  EXPECT_EQ(static_cast<Err>(header_of(frames[1]).err), Err::kNotReadOnly);
  EXPECT_EQ(header_of(frames[2]).xid, 2);
  EXPECT_EQ(static_cast<Err>(header_of(frames[2]).err), Err::kNoNode);  // never applied
  EXPECT_EQ(header_of(frames[3]).xid, 3);
  EXPECT_EQ(static_cast<Err>(header_of(frames[3]).err), Err::kNotReadOnly);
  EXPECT_EQ(on_pipeline([this] { return db_.pending_change_count(); }), 0u);
  EXPECT_EQ(on_pipeline([this] { return orderer_.in_flight(); }), 0u);
  EXPECT_EQ(on_pipeline([&] { return db_.tree().sessions().count(session); }), 1u);
}

TEST_F(PipelineLogStateTest, WhileFailedWritesAreRefusedReadsServedAndNewSessionsClosed) {
  connect(1);
  pipeline_->frame_received(1,
                            request(1, OpCode::kCreate, proto::CreateRequest{"/a", "x", kOpen, 0}));
  ASSERT_EQ(channel_.frames(1).size(), 2u);
  fail_log();
  pipeline_->frame_received(1,
                            request(2, OpCode::kCreate, proto::CreateRequest{"/b", "", kOpen, 0}));
  pipeline_->frame_received(1, request(3, OpCode::kGetData, proto::GetDataRequest{"/a", false}));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(static_cast<Err>(header_of(frames[2]).err), Err::kNotReadOnly);
  EXPECT_EQ(static_cast<Err>(header_of(frames[3]).err), Err::kOk);
  // A new session would need a txn: the connection is closed instead.
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  proto::ConnectRequest req;
  req.passwd = std::string(16, '\0');
  req.timeout_ms = 10000;
  pipeline_->frame_received(2, proto::encode(req));
  EXPECT_TRUE(channel_.closed(2));
}

TEST_F(PipelineLogStateTest, WritesWorkAgainAfterTheLogIsBackAndContinueFromTheDurableZxid) {
  connect(1);
  on_pipeline([this] { return hold_ = true; });
  pipeline_->frame_received(
      1, request(1, OpCode::kCreate, proto::CreateRequest{"/lost", "", kOpen, 0}));
  EXPECT_EQ(on_pipeline([this] { return held_.size(); }), 1u);
  const int64_t durable = durable_;
  fail_log();
  ASSERT_EQ(channel_.frames(1).size(), 2u);
  on_pipeline([this] { return hold_ = false; });
  pipeline_->set_log_failed(false, "");
  pipeline_->frame_received(1,
                            request(2, OpCode::kCreate, proto::CreateRequest{"/ok", "", kOpen, 0}));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(static_cast<Err>(header_of(frames[2]).err), Err::kOk);
  EXPECT_EQ(header_of(frames[2]).zxid, durable + 1);  // the lost txn's zxid is used again
  EXPECT_EQ(on_pipeline([this] { return db_.tree().find("/lost") == nullptr; }), true);
}

TEST_F(PipelineLogStateTest, ACloseSessionThatCouldNotBeLoggedLeavesTheSessionAlive) {
  const int64_t session = connect(1);
  on_pipeline([this] { return hold_ = true; });
  pipeline_->frame_received(
      1, request(1, OpCode::kCloseSession, proto::ErrorResponse{0}).substr(0, 8));
  EXPECT_EQ(on_pipeline([this] { return held_.size(); }), 1u);
  fail_log();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(static_cast<Err>(header_of(frames[1]).err), Err::kNotReadOnly);
  EXPECT_TRUE(channel_.closed(1));
  EXPECT_EQ(on_pipeline([&] { return db_.tree().sessions().count(session); }), 1u);
}

}  // namespace
}  // namespace paddock::pipeline
