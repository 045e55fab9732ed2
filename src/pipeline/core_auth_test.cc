// The core's side of SASL (op 102) and enforced authentication, with a scripted
// SaslAuthenticator in place of Cyrus SASL: what is answered, which ids a connection holds
// after, and when it is closed -- ZooKeeper 3.8's answers (processSasl,
// AuthenticationHelper).
#include <gtest/gtest.h>

#include <memory>

#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using proto::Err;
using proto::OpCode;
using testing_support::bare_request;
using testing_support::CoreDriver;
using testing_support::ManualClock;
using testing_support::RecordingChannel;

// "" -> continue with "challenge"; "<user>:ok" -> complete as <user> with "rspauth";
// "<user>:quiet" -> complete as <user> with no last token (as GSSAPI's last step); anything
// else fails.
class ScriptedExchange final : public SaslExchange {
 public:
  Step step(std::string_view token) override {
    Step s;
    if (token.empty()) {
      s.status = Step::Status::kContinue;
      s.token = "challenge";
    } else if (token.ends_with(":ok")) {
      s.status = Step::Status::kComplete;
      s.token = "rspauth";
      s.authorized_id = std::string(token.substr(0, token.size() - 3));
    } else if (token.ends_with(":quiet")) {
      s.status = Step::Status::kComplete;
      s.authorized_id = std::string(token.substr(0, token.size() - 6));
    } else {
      s.error = "bad response";
    }
    return s;
  }
};

class ScriptedAuthenticator final : public SaslAuthenticator {
 public:
  std::unique_ptr<SaslExchange> start(std::string_view, uint16_t) override {
    ++started;
    return std::make_unique<ScriptedExchange>();
  }
  int started = 0;
};

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
    driver_ = std::make_unique<CoreDriver>(options, db_, orderer_, channel_, clock_);
  }
  PipelineOptions with_sasl() {
    PipelineOptions o;
    o.sasl = authenticator_;
    return o;
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

  ManualClock clock_;
  state::Database db_{state::DatabaseOptions{}};
  LocalOrderer orderer_{0, [this](int64_t zxid, std::string) { orderer_.on_durable(zxid); }};
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

}  // namespace
}  // namespace paddock::pipeline
