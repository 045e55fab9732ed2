// Quorum SASL on both peer ports with a scripted mechanism (scripted_authenticator.h): the
// exchange's bytes as ZooKeeper writes them, success and refusal, the flag matrix
// (learnerRequireSasl / serverRequireSasl), falling back to the normal stream when a peer
// sends no auth packet, the read timeout and the token limit.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <iterator>
#include <thread>

#include "peer/election_codec.h"
#include "peer/election_transport.h"
#include "peer/peer_test_util.h"
#include "peer/quorum_auth_codec.h"
#include "peer/quorum_codec.h"
#include "peer/quorum_transport.h"
#include "peer/scripted_authenticator.h"
#include "peer/transport_test_util.h"

namespace paddock::peer {
namespace {

using quorum::Notification;
using quorum::PacketType;
using quorum::QuorumPacket;
using quorum::Sid;
using testing::eventually;
using testing::from_hex;
using testing::Inbox;
using testing::ping;
using testing::ScriptedAuthenticator;
using testing::vote;

using Script = ScriptedAuthenticator::Script;

struct Flags {
  bool enable = true;
  bool learner_require = true;
  bool server_require = true;
};

PeerSecurity security(Flags f, Script script = {},
                      std::shared_ptr<ScriptedAuthenticator>* out = nullptr) {
  PeerSecurity s;
  if (f.enable) {
    auto auth = std::make_shared<ScriptedAuthenticator>(std::move(script));
    if (out != nullptr) *out = auth;
    s.sasl.authenticator = auth;
  }
  s.sasl.learner_require_sasl = f.learner_require;
  s.sasl.server_require_sasl = f.server_require;
  s.sasl.read_timeout = std::chrono::milliseconds(3000);
  return s;
}

PeerSecurity plain() { return security(Flags{false, false, false}); }

std::string packet(QuorumAuthStatus status, std::optional<std::string> token) {
  return encode_quorum_auth_packet(status, token);
}

// A blocking socket playing a peer byte by byte, with a receive timeout so a test fails
// instead of hanging.
struct RawQuorumPeer {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  explicit RawQuorumPeer(uint16_t port) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void write(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }
  std::string read(size_t n) {
    std::string out(n, '\0');
    std::error_code ec;
    asio::read(socket, asio::buffer(out), ec);
    if (ec) return "<" + ec.message() + ">";
    return out;
  }
  // The next auth packet, whole.
  QuorumAuthPacket read_auth() {
    std::string head = read(kQuorumAuthHeaderBytes);
    size_t consumed = 0;
    size_t needed = 0;
    auto p = decode_quorum_auth_packet(head, 1 << 20, &consumed, &needed);
    if (p && !*p && needed > head.size()) {
      head += read(needed - head.size());
      p = decode_quorum_auth_packet(head, 1 << 20, &consumed, &needed);
    }
    EXPECT_TRUE(p && *p) << "no whole auth packet: " << head.size() << " bytes";
    return p && *p ? **p : QuorumAuthPacket{0, 99, std::nullopt};
  }
  // True if the other side closed without sending anything more.
  bool closed_without_a_byte() {
    char c;
    std::error_code ec;
    const size_t n = socket.read_some(asio::buffer(&c, 1), ec);
    return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
  }
};

// --- the quorum port -------------------------------------------------------------------

// The learner retries (ZooKeeper's learner does): a refused exchange may be dialed again.
struct Leader : testing::SecuredLeader {
  using SecuredLeader::SecuredLeader;
  Result<std::shared_ptr<PeerConnection>> dial(PeerSecurity security,
                                               const std::string& host = "127.0.0.1") {
    return SecuredLeader::dial(std::move(security), host, 3);
  }
};

TEST(QuorumSaslQuorumPort, ALearnerAuthenticatesThenPacketsFlow) {
  for (bool blocking : {false, true}) {
    std::shared_ptr<ScriptedAuthenticator> server_auth;
    std::shared_ptr<ScriptedAuthenticator> learner_auth;
    Leader leader(security(Flags{}, Script{.blocking = blocking}, &server_auth));
    auto conn =
        leader.dial(security(Flags{}, Script{.blocking = blocking}, &learner_auth), "localhost");
    ASSERT_TRUE(conn) << conn.error();
    EXPECT_EQ(learner_auth->last_host, "localhost");  // the host _HOST stands for
    ASSERT_TRUE((*conn)->send(ping(1)));
    ASSERT_TRUE(leader.received.wait_count(1));
    EXPECT_EQ(leader.received.items()[0], ping(1));
    ASSERT_TRUE(leader.accepted.wait_count(1));
    ASSERT_TRUE(leader.accepted.items()[0]->send(ping(2)));  // and back
    EXPECT_EQ(server_auth->server_steps.load(), 2);
    EXPECT_EQ(learner_auth->learner_steps.load(), 2);
  }
}

TEST(QuorumSaslQuorumPort, AWrongSecretIsRefusedAndTheDialIsNotRetried) {
  std::shared_ptr<ScriptedAuthenticator> learner_auth;
  Leader leader(security(Flags{}));
  auto conn = leader.dial(security(Flags{}, Script{.secret = "wrong"}, &learner_auth));
  ASSERT_FALSE(conn);
  EXPECT_NE(conn.error().find("Authentication failed against server addr"), std::string::npos)
      << conn.error();
  EXPECT_NE(conn.error().find("qpStatus: ERROR"), std::string::npos) << conn.error();
  EXPECT_EQ(learner_auth->learner_steps.load(), 1);  // one attempt only
  EXPECT_FALSE(leader.accepted.wait_count(1, std::chrono::milliseconds(200)));
}

TEST(QuorumSaslQuorumPort, APeerWithoutSaslIsLetThroughWhenTheServerDoesNotRequireIt) {
  // enableSasl on the leader only (a rolling upgrade's first step): it looks for the magic,
  // finds FOLLOWERINFO's first bytes and hands them back to the stream.
  Leader leader(security(Flags{true, false, false}));
  auto conn = leader.dial(plain());
  ASSERT_TRUE(conn) << conn.error();
  QuorumPacket info{PacketType::kFollowerInfo, 0x100000000, std::string("info"), std::nullopt};
  ASSERT_TRUE((*conn)->send(info));
  ASSERT_TRUE((*conn)->send(ping(3)));
  ASSERT_TRUE(leader.received.wait_count(2));
  EXPECT_EQ(leader.received.items()[0], info);
  EXPECT_EQ(leader.received.items()[1], ping(3));
}

TEST(QuorumSaslQuorumPort, ALearnerThatDoesNotRequireSaslSkipsIt) {
  std::shared_ptr<ScriptedAuthenticator> learner_auth;
  Leader leader(security(Flags{true, false, false}));
  auto conn = leader.dial(security(Flags{true, false, false}, Script{}, &learner_auth));
  ASSERT_TRUE(conn) << conn.error();
  ASSERT_TRUE((*conn)->send(ping(4)));
  ASSERT_TRUE(leader.received.wait_count(1));
  EXPECT_EQ(learner_auth->learner_steps.load(), 0);
}

TEST(QuorumSaslQuorumPort, APeerWithoutSaslIsRefusedWithoutAByteWhenRequired) {
  Leader leader(security(Flags{}));
  RawQuorumPeer raw(leader.listener->port());
  raw.write(encode_quorum_packet(QuorumPacket{PacketType::kFollowerInfo, 0, "x", std::nullopt}));
  EXPECT_TRUE(raw.closed_without_a_byte());  // CVE-2018-8012: no unauthenticated learner
  EXPECT_FALSE(leader.accepted.wait_count(1, std::chrono::milliseconds(100)));
}

TEST(QuorumSaslQuorumPort, TheLeadersBytesAreZooKeepers) {
  Leader leader(security(Flags{}, Script{.last = std::nullopt}));  // GSSAPI-like: null at the end
  RawQuorumPeer raw(leader.listener->port());
  // The learner's first packet and the start of FOLLOWERINFO would never share a write; the
  // leader must still read exactly one packet at a time.
  raw.write(packet(QuorumAuthStatus::kInProgress, std::string("hello:s3cret")));
  EXPECT_EQ(raw.read(25), from_hex("5f2435013501edcc0000000000000009") + "challenge");
  raw.write(packet(QuorumAuthStatus::kInProgress, std::string("response")));
  EXPECT_EQ(raw.read(16), from_hex("5f2435013501edcc00000001ffffffff"));
  QuorumPacket info{PacketType::kFollowerInfo, 1, std::string("i"), std::nullopt};
  raw.write(encode_quorum_packet(info));
  ASSERT_TRUE(leader.received.wait_count(1));
  EXPECT_EQ(leader.received.items()[0], info);
}

TEST(QuorumSaslQuorumPort, AFailureIsAnsweredWithErrorAndAnEmptyToken) {
  for (bool required : {true, false}) {
    Leader leader(security(Flags{true, required, required}));
    RawQuorumPeer raw(leader.listener->port());
    raw.write(packet(QuorumAuthStatus::kInProgress, std::string("hello:nope")));
    EXPECT_EQ(raw.read(16), from_hex("5f2435013501edccffffffff00000000"));
    if (required) {
      EXPECT_TRUE(raw.closed_without_a_byte());
    } else {
      // Maintained despite the failure (ZooKeeper's serverRequireSasl=false).
      raw.write(encode_quorum_packet(ping(9)));
      ASSERT_TRUE(leader.received.wait_count(1));
      EXPECT_EQ(leader.received.items()[0], ping(9));
    }
  }
}

TEST(QuorumSaslQuorumPort, ASilentPeerAndAnOversizedTokenAreRefused) {
  Leader leader([] {
    PeerSecurity s = security(Flags{});
    s.sasl.read_timeout = std::chrono::milliseconds(200);
    s.sasl.max_token_bytes = 1000;
    return s;
  }());
  RawQuorumPeer silent(leader.listener->port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_without_a_byte());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  RawQuorumPeer big(leader.listener->port());
  big.write(from_hex("5f2435013501edcc00000000000003e9"));  // 1001 bytes announced
  EXPECT_TRUE(big.closed_without_a_byte());  // nothing sent before the first packet is read

  RawQuorumPeer slow(leader.listener->port());  // a first packet, then silence mid-exchange
  slow.write(packet(QuorumAuthStatus::kInProgress, std::string("hello:s3cret")));
  EXPECT_EQ(slow.read(25).substr(16), "challenge");
  EXPECT_EQ(slow.read(16), from_hex("5f2435013501edccffffffff00000000"));
  EXPECT_TRUE(slow.closed_without_a_byte());
}

// The read timeout covers a whole packet: a peer that trickles one packet in parts, each part
// within the timeout but the whole over it, is dropped before the packet is answered.
TEST(QuorumSaslQuorumPort, APacketTrickledInPartsMustArriveWholeWithinTheReadTimeout) {
  Leader leader([] {
    PeerSecurity s = security(Flags{});
    s.sasl.read_timeout = std::chrono::milliseconds(400);
    return s;
  }());
  const std::string bytes = packet(QuorumAuthStatus::kInProgress, std::string("hello:s3cret"));
  RawQuorumPeer trickle(leader.listener->port());
  std::error_code ec;
  // The magic, then the rest of the header, then the token: 300 ms apart, 600 ms in all.
  const size_t cuts[] = {0, 4, 16, bytes.size()};
  for (size_t i = 0; i + 1 < std::size(cuts) && !ec; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    asio::write(trickle.socket, asio::buffer(bytes.data() + cuts[i], cuts[i + 1] - cuts[i]), ec);
  }
  EXPECT_TRUE(trickle.closed_without_a_byte()) << "the trickled packet was answered";
}

// --- the election port -----------------------------------------------------------------

struct Member {
  Inbox<std::pair<Sid, Notification>> inbox;
  std::unique_ptr<ElectionTransport> transport;

  Member(Sid sid, PeerSecurity security) {
    ElectionTransportOptions o;
    o.my_sid = sid;
    o.listen_host = "127.0.0.1";
    o.min_backoff = std::chrono::milliseconds(10);
    o.max_backoff = std::chrono::milliseconds(100);
    o.tls = std::move(security);
    auto t = ElectionTransport::open(o, [this](Sid from, const Notification& n) {
      inbox.push({from, n});
    });
    EXPECT_TRUE(t) << t.error();
    transport = std::move(*t);
  }
  ElectionPeer as_peer(Sid sid) const { return {sid, "127.0.0.1", transport->port()}; }
  bool got(Sid from, const Notification& n) {
    return inbox.wait_for([&](auto& v) {
      for (const auto& r : v) {
        if (r.first == from && r.second == n) return true;
      }
      return false;
    });
  }
};

void start_pair(Member& a, Member& b) {
  std::vector<ElectionPeer> peers{a.as_peer(1), b.as_peer(2)};
  a.transport->start(peers);
  b.transport->start(peers);
}

TEST(QuorumSaslElectionPort, MembersAuthenticateEveryConnectionThenVote) {
  for (bool blocking : {false, true}) {
    Member a(1, security(Flags{}, Script{.blocking = blocking}));
    Member b(2, security(Flags{}, Script{.blocking = blocking}));
    start_pair(a, b);
    a.transport->send(2, vote(1, 1));
    b.transport->send(1, vote(2, 1));
    ASSERT_TRUE(b.got(1, vote(1, 1)));
    ASSERT_TRUE(a.got(2, vote(2, 1)));
    // The lower sid's own connection is authenticated too before the sid rule drops it.
    EXPECT_TRUE(eventually([&] { return b.transport->stats().authenticated >= 1; }));
    EXPECT_EQ(a.transport->stats().failed_auths + b.transport->stats().failed_auths, 0u);
  }
}

TEST(QuorumSaslElectionPort, AMemberWithWrongSecretsGetsNoLink) {
  Member a(1, security(Flags{}, Script{.secret = "wrong", .expected = "other"}));
  Member b(2, security(Flags{}));
  start_pair(a, b);
  a.transport->send(2, vote(1, 1));
  b.transport->send(1, vote(2, 1));
  EXPECT_TRUE(eventually([&] { return b.transport->stats().failed_auths >= 1; }));
  EXPECT_TRUE(eventually([&] { return a.transport->stats().failed_auths >= 1; }));
  EXPECT_FALSE(b.inbox.wait_count(1, std::chrono::milliseconds(300)));
  EXPECT_EQ(a.inbox.size(), 0u);
  EXPECT_EQ(b.transport->stats().live_peers, 0u);
}

// As in ZooKeeper, only the dialing side proves who it is: a connection the higher sid dials
// to a lower one carries both ways once the higher sid authenticated, whatever the lower
// one's own learner credentials.
TEST(QuorumSaslElectionPort, OnlyTheDialingSideIsAuthenticated) {
  Member a(1, security(Flags{}, Script{.secret = "wrong"}));
  Member b(2, security(Flags{}));
  start_pair(a, b);
  b.transport->send(1, vote(2, 1));
  a.transport->send(2, vote(1, 1));
  ASSERT_TRUE(a.got(2, vote(2, 1)));
  ASSERT_TRUE(b.got(1, vote(1, 1)));
  EXPECT_TRUE(eventually([&] { return b.transport->stats().failed_auths >= 1; }));  // a's dials
}

TEST(QuorumSaslElectionPort, APeerWithoutSaslVotesWhenNotRequiredAndIsRefusedWhenRequired) {
  {
    Member a(1, plain());
    Member b(2, security(Flags{true, false, false}));
    start_pair(a, b);
    a.transport->send(2, vote(1, 2));
    b.transport->send(1, vote(2, 2));
    ASSERT_TRUE(b.got(1, vote(1, 2)));
    ASSERT_TRUE(a.got(2, vote(2, 2)));
  }
  {
    Member a(1, plain());
    Member b(2, security(Flags{}));
    start_pair(a, b);
    a.transport->send(2, vote(1, 3));
    EXPECT_TRUE(eventually([&] { return b.transport->stats().failed_auths >= 1; }));
    EXPECT_FALSE(b.inbox.wait_count(1, std::chrono::milliseconds(300)));
  }
}

TEST(QuorumSaslElectionPort, TheInitiationAndTheFirstPacketMayArriveInOneSegment) {
  Member b(1, security(Flags{}));
  b.transport->start({b.as_peer(1)});
  RawQuorumPeer raw(b.transport->port());
  // sid 5 > 1: the acceptor keeps this connection after the exchange.
  raw.write(encode_connection_init(5, "127.0.0.1:9") +
            packet(QuorumAuthStatus::kInProgress, std::string("hello:s3cret")));
  EXPECT_EQ(raw.read(25).substr(16), "challenge");
  // The answer and the first notification in one segment too.
  raw.write(packet(QuorumAuthStatus::kInProgress, std::string("response")) +
            encode_notification_frame(vote(5, 4)));
  EXPECT_EQ(raw.read(18).substr(0, 16), from_hex("5f2435013501edcc0000000100000002"));
  ASSERT_TRUE(b.got(5, vote(5, 4)));
}

TEST(QuorumSaslElectionPort, AnInitiatorSendsItsInitiationThenAuthenticatesFirst) {
  // A raw acceptor: what does a member with SASL write when it dials?
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  Member a(7, security(Flags{}));
  a.transport->start({a.as_peer(7), {3, "127.0.0.1", acceptor.local_endpoint().port()}});
  asio::ip::tcp::socket s(io);
  acceptor.accept(s);
  timeval tv{10, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string init =
      encode_connection_init(7, "127.0.0.1:" + std::to_string(a.transport->port()));
  std::string got(init.size() + 16 + 12, '\0');
  asio::read(s, asio::buffer(got));
  EXPECT_EQ(got.substr(0, init.size()), init);
  EXPECT_EQ(got.substr(init.size()), from_hex("5f2435013501edcc000000000000000c") + "hello:s3cret");
  // ERROR: the initiator gives up on this connection (and dials again later).
  asio::write(s, asio::buffer(packet(QuorumAuthStatus::kError, std::string())));
  char c;
  std::error_code ec;
  s.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_TRUE(eventually([&] { return a.transport->stats().failed_auths >= 1; }));
}

}  // namespace
}  // namespace paddock::peer
