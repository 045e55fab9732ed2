// Steps the pipeline core on the test's thread (CoreDriver), with a LocalOrderer whose "log"
// is held in memory and made durable when the test says so, and a channel that records
// every frame. Covers ordering (per-session FIFO, events before replies), the handshake and
// session lifecycle.
#include "pipeline/pipeline_core.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/frames.h"
#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using proto::Err;
using proto::OpCode;
using testing_support::bare_request;
using testing_support::CoreDriver;
using testing_support::decode_reply;
using testing_support::DecodedReply;
using testing_support::ManualClock;
using testing_support::RecordingChannel;
using testing_support::request;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest()
      : db_(state::DatabaseOptions{}),
        orderer_(0, [this](int64_t zxid, std::string) { on_append(zxid); }) {
    PipelineOptions options;
    options.tick_ms = 2000;
    options.min_session_timeout_ms = 4000;
    options.max_session_timeout_ms = 40000;
    pipeline_ = std::make_unique<CoreDriver>(options, db_, orderer_, channel_, clock_);
  }

  void on_append(int64_t zxid) {
    if (hold_durability_) {
      std::lock_guard lock(mu_);
      held_ = zxid;
    } else {
      orderer_.on_durable(zxid);
    }
  }
  void release_durability() {
    int64_t zxid;
    {
      std::lock_guard lock(mu_);
      zxid = held_;
      hold_durability_ = false;
    }
    orderer_.on_durable(zxid);
    pipeline_->commits_ready();
  }

  // Opens a connection and establishes a new session; returns the ConnectResponse.
  proto::ConnectResponse connect(ConnectionId conn, int32_t timeout_ms = 10000) {
    pipeline_->connection_opened(conn, "127.0.0.1", 40000);
    proto::ConnectRequest req;
    req.timeout_ms = timeout_ms;
    req.passwd = std::string(16, '\0');
    pipeline_->frame_received(conn, proto::encode(req));
    auto frames = channel_.frames(conn);
    proto::ConnectResponse resp;
    if (frames.empty()) {
      ADD_FAILURE() << "no ConnectResponse on connection " << conn;
      return resp;
    }
    EXPECT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
    return resp;
  }

  ManualClock clock_;
  state::Database db_;
  std::mutex mu_;
  bool hold_durability_ = false;
  int64_t held_ = 0;
  LocalOrderer orderer_;
  RecordingChannel channel_;
  std::unique_ptr<CoreDriver> pipeline_;
};

TEST_F(PipelineTest, NewSessionGetsIdPasswordAndClampedTimeout) {
  proto::ConnectResponse resp = connect(1, 100000);
  EXPECT_NE(resp.session_id, 0);
  EXPECT_EQ(resp.timeout_ms, 40000);
  EXPECT_EQ(resp.passwd.size(), 16u);
  EXPECT_FALSE(resp.read_only.has_value());
}

TEST_F(PipelineTest, ReadWaitsForTheSessionsEarlierWrite) {
  connect(1);
  connect(2);
  hold_durability_ = true;
  proto::CreateRequest create{"/a", "x", {{proto::perm::kAll, {"world", "anyone"}}}, 0};
  pipeline_->frame_received(1, request(1, OpCode::kCreate, create));
  pipeline_->frame_received(1, request(2, OpCode::kGetData, proto::GetDataRequest{"/a", false}));
  // Another connection's read is not held back by the unfinished write.
  pipeline_->frame_received(2, request(7, OpCode::kExists, proto::ExistsRequest{"/a", false}));
  auto other = channel_.frames(2);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(static_cast<Err>(decode_reply(other[1]).header.err), Err::kNoNode);
  release_durability();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 3u);
  DecodedReply create_reply = decode_reply(frames[1]);
  DecodedReply get_reply = decode_reply(frames[2]);
  EXPECT_EQ(create_reply.header.xid, 1);
  EXPECT_EQ(get_reply.header.xid, 2);
  EXPECT_EQ(static_cast<Err>(get_reply.header.err), Err::kOk);
  proto::GetDataResponse data;
  ASSERT_TRUE(proto::decode(get_reply.body, data));
  EXPECT_EQ(data.data, "x");
}

TEST_F(PipelineTest, WatchEventComesBeforeTheReplyThatCausedIt) {
  connect(1);
  proto::CreateRequest create{"/w", "", {{proto::perm::kAll, {"world", "anyone"}}}, 0};
  pipeline_->frame_received(1, request(1, OpCode::kExists, proto::ExistsRequest{"/w", true}));
  pipeline_->frame_received(1, request(2, OpCode::kCreate, create));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, 1);
  DecodedReply event = decode_reply(frames[2]);
  EXPECT_EQ(event.header.xid, proto::xid::kNotification);
  proto::WatcherEvent watcher_event;
  ASSERT_TRUE(proto::decode(event.body, watcher_event));
  EXPECT_EQ(watcher_event.type, static_cast<int32_t>(proto::EventType::kNodeCreated));
  EXPECT_EQ(watcher_event.path, "/w");
  EXPECT_EQ(decode_reply(frames[3]).header.xid, 2);
}

TEST_F(PipelineTest, OneBatchOfFramesFromManyConnectionsKeepsEachConnectionsOrder) {
  connect(1);
  connect(2);
  hold_durability_ = true;
  proto::CreateRequest create{"/b", "y", {{proto::perm::kAll, {"world", "anyone"}}}, 0};
  FrameBatch batch;
  batch.add(1, request(1, OpCode::kCreate, create));
  batch.add(2, request(5, OpCode::kExists, proto::ExistsRequest{"/b", false}));
  batch.add(1, request(2, OpCode::kGetData, proto::GetDataRequest{"/b", false}));
  batch.add(2, bare_request(proto::xid::kPing, OpCode::kPing));
  batch.add(1, bare_request(proto::xid::kPing, OpCode::kPing));
  pipeline_->frames_received(batch);
  EXPECT_TRUE(batch.empty());
  auto other = channel_.frames(2);  // not held back by connection 1's write
  ASSERT_EQ(other.size(), 3u);
  EXPECT_EQ(decode_reply(other[1]).header.xid, 5);
  EXPECT_EQ(static_cast<Err>(decode_reply(other[1]).header.err), Err::kNoNode);
  EXPECT_EQ(decode_reply(other[2]).header.xid, proto::xid::kPing);
  release_durability();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, 1);
  DecodedReply get_reply = decode_reply(frames[2]);
  EXPECT_EQ(get_reply.header.xid, 2);
  proto::GetDataResponse data;
  ASSERT_TRUE(proto::decode(get_reply.body, data));
  EXPECT_EQ(data.data, "y");
  EXPECT_EQ(decode_reply(frames[3]).header.xid, proto::xid::kPing);
}

TEST_F(PipelineTest, WatchEventForManyWatchersReachesEachOfThemOnce) {
  for (ConnectionId c = 1; c <= 4; ++c) connect(c);
  proto::CreateRequest create{"/f", "", {{proto::perm::kAll, {"world", "anyone"}}}, 0};
  pipeline_->frame_received(4, request(1, OpCode::kCreate, create));
  ASSERT_EQ(channel_.frames(4).size(), 2u);
  for (ConnectionId c = 1; c <= 3; ++c) {
    pipeline_->frame_received(c, request(7, OpCode::kGetData, proto::GetDataRequest{"/f", true}));
    ASSERT_EQ(channel_.frames(c).size(), 2u);
  }
  pipeline_->frame_received(4, request(2, OpCode::kSetData, proto::SetDataRequest{"/f", "v", -1}));
  ASSERT_EQ(channel_.frames(4).size(), 3u);
  pipeline_->frame_received(4, bare_request(proto::xid::kPing, OpCode::kPing));
  ASSERT_EQ(channel_.frames(4).size(), 4u);  // every event of the setData is out
  for (ConnectionId c = 1; c <= 3; ++c) {
    auto frames = channel_.frames(c);
    ASSERT_EQ(frames.size(), 3u) << "conn " << c;
    DecodedReply event = decode_reply(frames[2]);
    EXPECT_EQ(event.header.xid, proto::xid::kNotification);
    EXPECT_EQ(event.header.zxid, -1);
    proto::WatcherEvent watcher_event;
    ASSERT_TRUE(proto::decode(event.body, watcher_event));
    EXPECT_EQ(watcher_event.type, static_cast<int32_t>(proto::EventType::kNodeDataChanged));
    EXPECT_EQ(watcher_event.state, static_cast<int32_t>(proto::KeeperState::kSyncConnected));
    EXPECT_EQ(watcher_event.path, "/f");
    EXPECT_EQ(frames[2], notification_frame(proto::EventType::kNodeDataChanged,
                                            proto::KeeperState::kSyncConnected, "/f"));
  }
}

TEST_F(PipelineTest, WatchEventIsDroppedForAConnectionThatMayNoLongerReadTheNode) {
  connect(1);
  proto::CreateRequest create{"/n", "", {{proto::perm::kAll, {"world", "anyone"}}}, 0};
  pipeline_->frame_received(1, request(1, OpCode::kCreate, create));
  pipeline_->frame_received(1, request(2, OpCode::kGetData, proto::GetDataRequest{"/n", true}));
  proto::SetAclRequest set_acl{
      "/n", {{proto::perm::kWrite | proto::perm::kAdmin, {"world", "anyone"}}}, -1};
  pipeline_->frame_received(1, request(3, OpCode::kSetACL, set_acl));
  pipeline_->frame_received(1, request(4, OpCode::kSetData, proto::SetDataRequest{"/n", "v", -1}));
  pipeline_->frame_received(1, bare_request(proto::xid::kPing, OpCode::kPing));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 6u);
  for (size_t i = 1; i < frames.size(); ++i) {
    EXPECT_NE(decode_reply(frames[i]).header.xid, proto::xid::kNotification) << "frame " << i;
  }
  EXPECT_EQ(decode_reply(frames[5]).header.xid, proto::xid::kPing);
}

TEST_F(PipelineTest, ConnectionWithoutHandshakeIsClosedAfterTheSessionlessTimeout) {
  pipeline_->connection_opened(1, "127.0.0.1", 40000);
  connect(2, 40000);  // events are handled in order: connection 1 is known from here on
  pipeline_->advance(11000);
  EXPECT_TRUE(channel_.closed(1));
  pipeline_->frame_received(2, bare_request(proto::xid::kPing, OpCode::kPing));
  EXPECT_EQ(channel_.frames(2).size(), 2u);
}

TEST_F(PipelineTest, PingIsAnsweredWithPingXid) {
  connect(1);
  pipeline_->frame_received(1, bare_request(proto::xid::kPing, OpCode::kPing));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, proto::xid::kPing);
}

TEST_F(PipelineTest, UnknownOpGetsUnimplementedAndTheConnectionLives) {
  connect(1);
  pipeline_->frame_received(1, bare_request(5, static_cast<OpCode>(999)));
  pipeline_->frame_received(1, bare_request(proto::xid::kPing, OpCode::kPing));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 3u);
  DecodedReply unknown = decode_reply(frames[1]);
  EXPECT_EQ(static_cast<Err>(unknown.header.err), Err::kUnimplemented);
  EXPECT_EQ(unknown.header.zxid, -1);
  EXPECT_EQ(decode_reply(frames[2]).header.xid, proto::xid::kPing);
}

TEST_F(PipelineTest, FramesSentBeforeTheHandshakeCompletesAreHeldAndAnswered) {
  hold_durability_ = true;
  pipeline_->connection_opened(1, "127.0.0.1", 40000);
  proto::ConnectRequest req;
  req.timeout_ms = 10000;
  req.passwd = std::string(16, '\0');
  pipeline_->frame_received(1, proto::encode(req));
  pipeline_->frame_received(1, bare_request(proto::xid::kPing, OpCode::kPing));
  release_durability();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, proto::xid::kPing);
}

TEST_F(PipelineTest, ResumeWithWrongPasswordIsRefusedAndClosed) {
  proto::ConnectResponse first = connect(1);
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  proto::ConnectRequest req;
  req.timeout_ms = 10000;
  req.session_id = first.session_id;
  req.passwd = std::string(16, 'x');
  pipeline_->frame_received(2, proto::encode(req));
  auto frames = channel_.frames(2);
  ASSERT_EQ(frames.size(), 1u);
  proto::ConnectResponse resp;
  ASSERT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
  EXPECT_EQ(resp.session_id, 0);
  EXPECT_EQ(resp.timeout_ms, 0);
  EXPECT_TRUE(channel_.closed(2));
}

TEST_F(PipelineTest, ResumeWithRightPasswordKeepsTheSessionAndClosesTheOldConnection) {
  proto::ConnectResponse first = connect(1);
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  proto::ConnectRequest req;
  req.timeout_ms = 10000;
  req.session_id = first.session_id;
  req.passwd = first.passwd;
  pipeline_->frame_received(2, proto::encode(req));
  auto frames = channel_.frames(2);
  proto::ConnectResponse resp;
  ASSERT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
  EXPECT_EQ(resp.session_id, first.session_id);
  EXPECT_TRUE(channel_.closed(1));
}

TEST_F(PipelineTest, ExpiredSessionLosesItsEphemeralsAndItsConnection) {
  proto::ConnectResponse session = connect(1, 4000);
  proto::CreateRequest create{"/e",
                              "",
                              {{proto::perm::kAll, {"world", "anyone"}}},
                              static_cast<int32_t>(proto::CreateMode::kEphemeral)};
  pipeline_->frame_received(1, request(1, OpCode::kCreate, create));
  channel_.frames(1);
  pipeline_->advance(10000);
  EXPECT_TRUE(channel_.closed(1));
  connect(2);
  pipeline_->frame_received(2, request(3, OpCode::kExists, proto::ExistsRequest{"/e", false}));
  auto frames = channel_.frames(2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(static_cast<Err>(decode_reply(frames[1]).header.err), Err::kNoNode);
  (void)session;
}

TEST_F(PipelineTest, CloseSessionIsAnsweredThenTheConnectionCloses) {
  connect(1);
  pipeline_->frame_received(1, bare_request(9, OpCode::kCloseSession));
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, 9);
  EXPECT_TRUE(channel_.closed(1));
}

// A session authority whose revalidations are answered when the test says so, as a learner's
// are once the leader's REVALIDATE reply arrives.
class DeferredSessionAuthority final : public SessionAuthority {
 public:
  explicit DeferredSessionAuthority(int32_t tick_ms) : local_(tick_ms) {}
  void session_added(int64_t id, int32_t timeout, int64_t now) override {
    local_.session_added(id, timeout, now);
  }
  void session_removed(int64_t id) override { local_.session_removed(id); }
  bool touch(int64_t id, int64_t now) override { return local_.touch(id, now); }
  void revalidate(int64_t, int32_t, int64_t, std::function<void(bool)> done) override {
    waiting.push_back(std::move(done));
  }
  std::vector<int64_t> expire(int64_t) override { return {}; }
  void revive(int64_t id, int32_t timeout, int64_t now) override {
    local_.revive(id, timeout, now);
  }

  std::vector<std::function<void(bool)>> waiting;

 private:
  LocalSessionAuthority local_;
};

class RevalidationTest : public PipelineTest {
 protected:
  RevalidationTest() : authority_(2000) {
    pipeline_.reset();  // the base's driver goes first: a core unhooks the database as it dies
    pipeline_ = std::make_unique<CoreDriver>(PipelineOptions{}, db_, orderer_, channel_, clock_,
                                             &authority_);
  }
  proto::ConnectRequest resume_request(const proto::ConnectResponse& first) {
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.session_id = first.session_id;
    req.passwd = first.passwd;
    return req;
  }
  DeferredSessionAuthority authority_;
};

TEST_F(RevalidationTest, AResumeWaitsForTheAuthorityAndFramesSentMeanwhileAreAnsweredAfter) {
  proto::ConnectResponse first = connect(1);
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  pipeline_->frame_received(2, proto::encode(resume_request(first)));
  pipeline_->frame_received(2, bare_request(proto::xid::kPing, OpCode::kPing));
  EXPECT_TRUE(channel_.frames(2).empty());  // nothing until the authority answers
  EXPECT_FALSE(channel_.closed(1));
  ASSERT_EQ(authority_.waiting.size(), 1u);
  authority_.waiting[0](true);
  pipeline_->commits_ready();  // ends the turn
  auto frames = channel_.frames(2);
  ASSERT_EQ(frames.size(), 2u);
  proto::ConnectResponse resp;
  ASSERT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
  EXPECT_EQ(resp.session_id, first.session_id);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, proto::xid::kPing);
  EXPECT_TRUE(channel_.closed(1));  // the session moved off the old connection
}

TEST_F(RevalidationTest, ASessionTheAuthorityDeclaresDeadIsRefused) {
  proto::ConnectResponse first = connect(1);
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  pipeline_->frame_received(2, proto::encode(resume_request(first)));
  ASSERT_EQ(authority_.waiting.size(), 1u);
  authority_.waiting[0](false);
  pipeline_->commits_ready();
  auto frames = channel_.frames(2);
  ASSERT_EQ(frames.size(), 1u);
  proto::ConnectResponse resp;
  ASSERT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
  EXPECT_EQ(resp.session_id, 0);
  EXPECT_TRUE(channel_.closed(2));
  EXPECT_FALSE(channel_.closed(1));
}

TEST_F(RevalidationTest, AnAnswerForAConnectionThatWentAwayIsDropped) {
  proto::ConnectResponse first = connect(1);
  pipeline_->connection_opened(2, "127.0.0.1", 40001);
  pipeline_->frame_received(2, proto::encode(resume_request(first)));
  pipeline_->connection_closed(2);
  ASSERT_EQ(authority_.waiting.size(), 1u);
  authority_.waiting[0](true);
  pipeline_->commits_ready();
  EXPECT_TRUE(channel_.frames(2).empty());
  EXPECT_FALSE(channel_.closed(1));
}

// An orderer that orders locally but, like a learner's, answers syncs only when the test
// (the "leader") says so.
class LearnerLikeOrderer final : public Orderer {
 public:
  explicit LearnerLikeOrderer(LocalOrderer& local) : local_(local) {}
  int64_t allocate_zxid() override { return local_.allocate_zxid(); }
  int64_t last_allocated_zxid() const override { return local_.last_allocated_zxid(); }
  void propose(proto::Txn txn) override { local_.propose(std::move(txn)); }
  std::vector<proto::Txn> take_committed() override { return local_.take_committed(); }
  size_t in_flight() const override { return local_.in_flight(); }
  void set_wakeup(std::function<void()> wakeup) override { local_.set_wakeup(std::move(wakeup)); }
  bool syncs_immediately() const override { return false; }
  void request_sync(ForwardedWrite sync) override {
    proto::SyncRequest record;
    EXPECT_TRUE(proto::decode(sync.body, record));
    EXPECT_EQ(sync.type, static_cast<int32_t>(proto::OpCode::kSync));
    requested.push_back(record.path);
  }
  size_t take_completed_syncs() override { return std::exchange(completed, 0); }

  std::vector<std::string> requested;
  size_t completed = 0;

 private:
  LocalOrderer& local_;
};

class LearnerSyncTest : public PipelineTest {
 protected:
  LearnerSyncTest() : learner_(orderer_) {
    pipeline_.reset();
    pipeline_ = std::make_unique<CoreDriver>(PipelineOptions{}, db_, learner_, channel_, clock_);
  }
  LearnerLikeOrderer learner_;
};

TEST_F(LearnerSyncTest, ASyncWaitsForTheLeaderAndTheReadsBehindItWaitToo) {
  connect(1);
  pipeline_->frame_received(1, request(1, OpCode::kSync, proto::SyncRequest{"/"}));
  pipeline_->frame_received(1, request(2, OpCode::kExists, proto::ExistsRequest{"/", false}));
  pipeline_->frame_received(1, bare_request(proto::xid::kPing, OpCode::kPing));
  EXPECT_EQ(learner_.requested, (std::vector<std::string>{"/"}));
  EXPECT_EQ(channel_.frames(1).size(), 1u);  // the ConnectResponse only
  learner_.completed = 1;
  pipeline_->commits_ready();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(decode_reply(frames[1]).header.xid, 1);
  proto::SyncResponse sync;
  ASSERT_TRUE(proto::decode(decode_reply(frames[1]).body, sync));
  EXPECT_EQ(sync.path, "/");
  EXPECT_EQ(decode_reply(frames[2]).header.xid, 2);
  EXPECT_EQ(decode_reply(frames[3]).header.xid, proto::xid::kPing);
}

TEST_F(LearnerSyncTest, SyncsOfTwoConnectionsAreAnsweredInTheOrderTheyWereMade) {
  connect(1);
  connect(2);
  pipeline_->frame_received(2, request(5, OpCode::kSync, proto::SyncRequest{"/b"}));
  pipeline_->frame_received(1, request(6, OpCode::kSync, proto::SyncRequest{"/a"}));
  learner_.completed = 1;
  pipeline_->commits_ready();
  EXPECT_EQ(channel_.frames(2).size(), 2u);
  EXPECT_EQ(channel_.frames(1).size(), 1u);
  learner_.completed = 1;
  pipeline_->commits_ready();
  EXPECT_EQ(channel_.frames(1).size(), 2u);
}

}  // namespace
}  // namespace paddock::pipeline
