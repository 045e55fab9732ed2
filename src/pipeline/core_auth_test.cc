// The core's side of SASL (op 102) and enforced authentication, with a scripted
// SaslAuthenticator in place of Cyrus SASL: what is answered, which ids a connection holds
// after, and when it is closed -- ZooKeeper 3.8's answers (processSasl,
// AuthenticationHelper).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>

#include "pipeline/pipeline_core.h"
#include "pipeline/pipeline_test_support.h"
#include "pipeline/test_doubles.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using proto::Err;
using proto::OpCode;
using testing_support::bare_request;
using testing_support::HoldableOrderer;
using testing_support::CoreDriver;
using testing_support::ManualClock;
using testing_support::QueuedRunner;
using testing_support::RecordingChannel;
using testing_support::ScriptedAuthenticator;

using Reply = testing_support::DecodedReply;

std::string sasl_request(int32_t xid, std::string_view token) {
  std::string out = bare_request(xid, OpCode::kSasl);
  proto::JuteWriter w(out);
  w.buffer(token);
  return out;
}

// The token of a SetSASLResponse body; nullopt for a null buffer.
std::optional<std::string> token_of(const std::string& body) {
  proto::JuteReader r(body);
  return r.nullable_buffer();
}

bool has(const std::vector<proto::ClientInfo>& ids, std::string_view scheme,
         std::string_view user) {
  for (const proto::ClientInfo& i : ids) {
    if (i.auth_scheme == scheme && i.user == user) return true;
  }
  return false;
}

class CoreAuthTest : public ::testing::Test {
 protected:
  void start(PipelineOptions options) {
    options.tick_ms = 2000;
    options.min_session_timeout_ms = 4000;
    options.max_session_timeout_ms = 40000;
    driver_ = std::make_unique<CoreDriver>(options, db_, log_.orderer(), channel_, clock_);
  }
  PipelineOptions with_sasl() {
    PipelineOptions o;
    o.sasl = authenticator_;
    return o;
  }
  // SASL whose steps go to runner_, as paddockd's go to its SaslWorker.
  void start_with_runner() {
    PipelineOptions o = with_sasl();
    o.sasl_runner = &runner_;
    start(o);
  }
  void connect(ConnectionId conn) {
    driver_->connection_opened(conn, "127.0.0.1", 40000);
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.passwd = std::string(16, '\0');
    driver_->frame_received(conn, proto::encode(req));
    ASSERT_EQ(channel_.frames(conn).size(), 1u);
  }
  Reply send(ConnectionId conn, const std::string& frame) {
    const size_t before = channel_.frames(conn).size();
    driver_->frame_received(conn, frame);
    auto frames = channel_.frames(conn);
    if (frames.size() != before + 1) {
      ADD_FAILURE() << "expected one reply, got " << frames.size() - before;
      return Reply{};
    }
    return testing_support::decode_reply(frames.back());
  }
  std::vector<proto::ClientInfo> who_am_i(ConnectionId conn) {
    Reply r = send(conn, bare_request(50, OpCode::kWhoAmI));
    proto::WhoAmIResponse resp;
    EXPECT_TRUE(proto::decode(r.body, resp));
    return resp.client_info;
  }

  // Runs the runner's oldest step and hands its result to the core.
  void finish_queued_step() {
    ASSERT_FALSE(runner_.jobs.empty());
    auto [conn, result] = runner_.finish(0);
    driver_->sasl_step_done(conn, std::move(result));
  }
  // Writes logged after log_.hold() stay in flight until release_writes().
  void release_writes() {
    log_.release();
    driver_->commits_ready();
  }

  ManualClock clock_;
  state::Database db_{state::DatabaseOptions{}};
  HoldableOrderer log_;
  QueuedRunner runner_;
  RecordingChannel channel_;
  std::shared_ptr<ScriptedAuthenticator> authenticator_ = std::make_shared<ScriptedAuthenticator>();
  std::unique_ptr<CoreDriver> driver_;
};

TEST_F(CoreAuthTest, CompletedExchangeAddsTheSaslIdAndAnswersEachTokenWithZxidZero) {
  start(with_sasl());
  connect(1);
  Reply first = send(1, sasl_request(1, ""));
  EXPECT_EQ(first.header.xid, 1);
  EXPECT_EQ(first.header.zxid, 0);
  EXPECT_EQ(static_cast<Err>(first.header.err), Err::kOk);
  EXPECT_EQ(token_of(first.body), "challenge");
  Reply last = send(1, sasl_request(2, "bob:ok"));
  EXPECT_EQ(static_cast<Err>(last.header.err), Err::kOk);
  EXPECT_EQ(token_of(last.body), "rspauth");
  EXPECT_FALSE(channel_.closed(1));
  auto ids = who_am_i(1);  // in ZooKeeper's hash order
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_TRUE(has(ids, "sasl", "bob"));
  EXPECT_TRUE(has(ids, "ip", "127.0.0.1"));
  EXPECT_EQ(authenticator_->started, 1);
}

// The Java client takes only a null token as the server's last packet; an empty one left
// zkCli.sh holding its requests after a GSSAPI login until the read timeout, again and again.
TEST_F(CoreAuthTest, CompletionWithoutALastTokenIsAnsweredWithANullToken) {
  start(with_sasl());
  connect(1);
  send(1, sasl_request(1, ""));
  Reply last = send(1, sasl_request(2, "carol:quiet"));
  EXPECT_EQ(static_cast<Err>(last.header.err), Err::kOk);
  EXPECT_EQ(token_of(last.body), std::nullopt);
  EXPECT_TRUE(has(who_am_i(1), "sasl", "carol"));
}

TEST_F(CoreAuthTest, FailedExchangeIsAuthFailedWithANullTokenThenClosed) {
  start(with_sasl());
  connect(1);
  send(1, sasl_request(1, ""));
  Reply r = send(1, sasl_request(2, "wrong"));
  EXPECT_EQ(static_cast<Err>(r.header.err), Err::kAuthFailed);
  EXPECT_EQ(r.header.zxid, 0);
  EXPECT_EQ(token_of(r.body), std::nullopt);
  EXPECT_TRUE(channel_.closed(1));
}

TEST_F(CoreAuthTest, MalformedSaslRequestFailsTheAuthenticationNotTheServer) {
  start(with_sasl());
  connect(1);
  std::string frame = bare_request(1, OpCode::kSasl);
  proto::JuteWriter w(frame);
  w.i32(1000);  // a token length past the end of the frame
  Reply r = send(1, frame);
  EXPECT_EQ(static_cast<Err>(r.header.err), Err::kAuthFailed);
  EXPECT_TRUE(channel_.closed(1));
  connect(2);  // the server goes on
  EXPECT_EQ(static_cast<Err>(send(2, sasl_request(1, "")).header.err), Err::kOk);
}

TEST_F(CoreAuthTest, AllowSaslFailedClientsKeepsTheConnectionWithoutTheId) {
  PipelineOptions o = with_sasl();
  o.allow_sasl_failed_clients = true;
  start(o);
  connect(1);
  Reply r = send(1, sasl_request(1, "wrong"));
  EXPECT_EQ(static_cast<Err>(r.header.err), Err::kOk);
  EXPECT_FALSE(channel_.closed(1));
  EXPECT_EQ(who_am_i(1).size(), 1u);  // ip only
}

TEST_F(CoreAuthTest, WithoutSaslConfiguredOp102IsOkWithANullToken) {
  start(PipelineOptions{});
  connect(1);
  Reply r = send(1, sasl_request(1, ""));
  EXPECT_EQ(static_cast<Err>(r.header.err), Err::kOk);
  EXPECT_EQ(token_of(r.body), std::nullopt);
  EXPECT_FALSE(channel_.closed(1));
}

TEST_F(CoreAuthTest, SuperUserGetsTheSuperId) {
  PipelineOptions o = with_sasl();
  o.sasl_super_user = "admin";
  start(o);
  connect(1);
  send(1, sasl_request(1, "admin:ok"));
  auto ids = who_am_i(1);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_TRUE(has(ids, "super", ""));
  EXPECT_TRUE(has(ids, "sasl", "admin"));
  connect(2);
  send(2, sasl_request(1, "bob:ok"));
  EXPECT_EQ(who_am_i(2).size(), 2u);
}

TEST_F(CoreAuthTest, EnforcedSaslRefusesEveryOtherRequestWithMinus124AndCloses) {
  PipelineOptions o = with_sasl();
  o.enforce_auth_schemes = {"sasl"};
  start(o);
  connect(1);
  Reply r = send(1, bare_request(7, OpCode::kWhoAmI));
  EXPECT_EQ(r.header.xid, 7);
  EXPECT_EQ(r.header.zxid, 0);
  EXPECT_EQ(static_cast<Err>(r.header.err), Err::kSessionClosedRequireSaslAuth);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(channel_.closed(1));

  connect(2);  // digest is not the scheme required
  proto::AuthPacket digest{0, "digest", "u:p"};
  std::string auth = bare_request(proto::xid::kAuth, OpCode::kAuth) + proto::encode(digest);
  EXPECT_EQ(static_cast<Err>(send(2, auth).header.err), Err::kOk);
  EXPECT_EQ(static_cast<Err>(send(2, bare_request(8, OpCode::kWhoAmI)).header.err),
            Err::kSessionClosedRequireSaslAuth);

  connect(3);  // a failed exchange is -124 too when SASL is required
  EXPECT_EQ(static_cast<Err>(send(3, sasl_request(1, "wrong")).header.err),
            Err::kSessionClosedRequireSaslAuth);
  EXPECT_TRUE(channel_.closed(3));

  connect(4);
  send(4, sasl_request(1, "bob:ok"));
  EXPECT_EQ(who_am_i(4).size(), 2u);
  EXPECT_FALSE(channel_.closed(4));
}

TEST_F(CoreAuthTest, EnforcedDigestLetsADigestAuthenticatedConnectionThrough) {
  PipelineOptions o;
  o.enforce_auth_schemes = {"digest"};
  start(o);
  connect(1);
  proto::AuthPacket digest{0, "digest", "u:p"};
  send(1, bare_request(proto::xid::kAuth, OpCode::kAuth) + proto::encode(digest));
  EXPECT_EQ(who_am_i(1).size(), 2u);
  EXPECT_FALSE(channel_.closed(1));
}

TEST_F(CoreAuthTest, AnotherExchangeAfterCompletionFails) {
  start(with_sasl());
  connect(1);
  send(1, sasl_request(1, "bob:ok"));
  EXPECT_EQ(static_cast<Err>(send(1, sasl_request(2, "")).header.err), Err::kAuthFailed);
}

// --- steps run elsewhere (a SaslStepRunner, as paddockd's SaslWorker) ---------------------

std::string create_request(int32_t xid, const std::string& path) {
  const proto::AclList open{{proto::perm::kAll, {"world", "anyone"}}};
  return testing_support::request(xid, OpCode::kCreate, proto::CreateRequest{path, "v", open, 0});
}

TEST_F(CoreAuthTest, AStepRunsOnTheRunnerAndTheConnectionsLaterFramesWaitForIt) {
  start_with_runner();
  connect(1);
  connect(2);
  driver_->frame_received(1, sasl_request(1, "bob:ok"));
  driver_->frame_received(1, bare_request(2, OpCode::kWhoAmI));
  driver_->frame_received(1, create_request(3, "/after-sasl"));
  ASSERT_EQ(runner_.jobs.size(), 1u);
  EXPECT_EQ(runner_.jobs[0].token, "bob:ok");
  EXPECT_EQ(channel_.frames(1).size(), 1u);  // the ConnectResponse only
  EXPECT_FALSE(channel_.reading(1));         // nothing piles up behind a slow step
  EXPECT_EQ(db_.tree().last_zxid(), 2);      // the two sessions; the create waits too
  // Other connections are served meanwhile.
  EXPECT_EQ(static_cast<Err>(send(2, bare_request(9, OpCode::kWhoAmI)).header.err), Err::kOk);

  finish_queued_step();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  Reply sasl = testing_support::decode_reply(frames[1]);
  EXPECT_EQ(sasl.header.xid, 1);
  EXPECT_EQ(token_of(sasl.body), "rspauth");
  Reply who = testing_support::decode_reply(frames[2]);
  EXPECT_EQ(who.header.xid, 2);
  proto::WhoAmIResponse ids;
  ASSERT_TRUE(proto::decode(who.body, ids));
  EXPECT_TRUE(has(ids.client_info, "sasl", "bob"));  // answered with the exchange's id
  EXPECT_EQ(testing_support::decode_reply(frames[3]).header.xid, 3);
  EXPECT_EQ(static_cast<Err>(testing_support::decode_reply(frames[3]).header.err), Err::kOk);
  EXPECT_TRUE(channel_.reading(1));
}

TEST_F(CoreAuthTest, AHeldFrameThatStartsAnotherStepKeepsTheRestHeld) {
  start_with_runner();
  connect(1);
  driver_->frame_received(1, sasl_request(1, ""));
  driver_->frame_received(1, sasl_request(2, "bob:ok"));
  driver_->frame_received(1, bare_request(3, OpCode::kWhoAmI));
  finish_queued_step();  // "" -> challenge; the second op 102 goes to the runner
  ASSERT_EQ(runner_.jobs.size(), 1u);
  EXPECT_EQ(channel_.frames(1).size(), 2u);
  EXPECT_FALSE(channel_.reading(1));
  finish_queued_step();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(testing_support::decode_reply(frames[2]).header.xid, 2);
  EXPECT_EQ(testing_support::decode_reply(frames[3]).header.xid, 3);
  EXPECT_EQ(authenticator_->started, 1);
}

TEST_F(CoreAuthTest, AResultForAConnectionClosedDuringItsStepIsDropped) {
  start_with_runner();
  connect(1);
  driver_->frame_received(1, sasl_request(1, "bob:ok"));
  driver_->connection_closed(1);
  finish_queued_step();  // the runner's exchange outlived the connection
  EXPECT_EQ(channel_.frames(1).size(), 1u);
  connect(2);
  EXPECT_EQ(who_am_i(2).size(), 1u);
}

TEST_F(CoreAuthTest, AFailedStepOnTheRunnerClosesTheConnectionAndDropsWhatWasHeld) {
  start_with_runner();
  connect(1);
  driver_->frame_received(1, sasl_request(1, "wrong"));
  driver_->frame_received(1, create_request(2, "/never"));
  finish_queued_step();
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(static_cast<Err>(testing_support::decode_reply(frames[1]).header.err),
            Err::kAuthFailed);
  EXPECT_TRUE(channel_.closed(1));
  EXPECT_EQ(db_.tree().last_zxid(), 1);  // the create was never ordered
}

// A step with requests of its connection still in flight behind it runs at once, in its
// turn: a write already ordered must not be answered before it.
TEST_F(CoreAuthTest, AStepWithLaterRequestsInFlightRunsInTheCoreInOrder) {
  start_with_runner();
  connect(1);
  log_.hold();
  FrameBatch batch;
  batch.add(1, create_request(1, "/a"));
  batch.add(1, sasl_request(2, "bob:ok"));
  batch.add(1, create_request(3, "/b"));
  driver_->frames_received(batch);
  EXPECT_EQ(channel_.frames(1).size(), 1u);
  release_writes();
  EXPECT_TRUE(runner_.jobs.empty());
  auto frames = channel_.frames(1);
  ASSERT_EQ(frames.size(), 4u);
  for (int32_t i = 1; i <= 3; ++i) {
    Reply r = testing_support::decode_reply(frames[i]);
    EXPECT_EQ(r.header.xid, i);
    EXPECT_EQ(static_cast<Err>(r.header.err), Err::kOk);
  }
  EXPECT_TRUE(has(who_am_i(1), "sasl", "bob"));
}

// One core with SASL on a QueuedRunner and an orderer whose commits a test can hold back:
// the world of one seed of the interleaving test below.
struct InterleavingWorld {
  ManualClock clock;
  state::Database db{state::DatabaseOptions{}};
  HoldableOrderer log;
  RecordingChannel channel;
  QueuedRunner runner;
  std::unique_ptr<CoreDriver> driver;

  InterleavingWorld() {
    PipelineOptions o;
    o.sasl = std::make_shared<ScriptedAuthenticator>();
    o.sasl_runner = &runner;
    driver = std::make_unique<CoreDriver>(o, db, log.orderer(), channel, clock);
  }
  void connect(ConnectionId conn) {
    driver->connection_opened(conn, "127.0.0.1", 40000);
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.passwd = std::string(16, '\0');
    driver->frame_received(conn, proto::encode(req));
  }
  void finish_step(size_t i) {
    auto [conn, result] = runner.finish(i);
    driver->sasl_step_done(conn, std::move(result));
  }
  void release_writes() {
    log.release();
    driver->commits_ready();
  }
};

// Random interleavings of SASL steps finishing on the runner (in any order across
// connections), reads, writes whose commits are held back and released, and batches of
// several frames: every connection gets its replies in the order it sent its requests, and
// once everything has finished, one reply per request unless the connection was closed.
TEST(CoreAuthInterleavingTest, RepliesKeepEachConnectionsOrderWhateverOrderStepsFinishIn) {
  constexpr ConnectionId kConns = 3;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto uniform = [&rng](int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    InterleavingWorld w;
    std::map<ConnectionId, std::vector<int32_t>> sent;
    for (ConnectionId c = 1; c <= kConns; ++c) w.connect(c);
    int created = 0;
    auto request_for = [&](ConnectionId c) {
      const int32_t xid = static_cast<int32_t>(sent[c].size()) + 1;
      sent[c].push_back(xid);
      const int kind = uniform(0, 9);
      if (kind < 3) return sasl_request(xid, uniform(0, 9) == 0 ? "bob:ok" : "");
      if (kind < 6) return create_request(xid, "/n" + std::to_string(++created));
      return bare_request(xid, OpCode::kWhoAmI);
    };
    for (int step = 0; step < 60; ++step) {
      const int what = uniform(0, 9);
      if (what < 5) {
        FrameBatch batch;  // one to three frames, of one or more connections
        for (int i = uniform(1, 3); i > 0; --i) {
          const auto c = static_cast<ConnectionId>(uniform(1, kConns));
          batch.add(c, request_for(c));
        }
        w.driver->frames_received(batch);
      } else if (what < 7 && !w.runner.jobs.empty()) {
        w.finish_step(static_cast<size_t>(uniform(0, static_cast<int>(w.runner.jobs.size()) - 1)));
      } else if (what < 9) {
        w.release_writes();
      } else {
        w.log.hold();
      }
    }
    w.release_writes();
    while (!w.runner.jobs.empty()) w.finish_step(0);
    for (ConnectionId c = 1; c <= kConns; ++c) {
      std::vector<int32_t> replied;
      const auto frames = w.channel.frames(c);
      for (size_t i = 1; i < frames.size(); ++i) {  // after the ConnectResponse
        replied.push_back(testing_support::decode_reply(frames[i]).header.xid);
      }
      ASSERT_LE(replied.size(), sent[c].size()) << "connection " << c;
      EXPECT_TRUE(std::equal(replied.begin(), replied.end(), sent[c].begin()))
          << "connection " << c << " got its replies out of order";
      if (!w.channel.closed(c)) {
        EXPECT_EQ(replied.size(), sent[c].size()) << "connection " << c << " lost replies";
      }
    }
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace paddock::pipeline
