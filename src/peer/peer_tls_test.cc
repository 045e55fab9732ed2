// TLS between servers (sslQuorum) on both peer ports: packets and notifications over TLS,
// certificates checked both ways (CA, expiry, the names of the host dialed and of the address
// connected from), portUnification taking TLS and plain peers on one port, and a plain
// dialer refused by a TLS-only port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <asio/write.hpp>

#include "peer/election_transport.h"
#include "peer/quorum_transport.h"
#include "peer/transport_test_util.h"
#include "tls/test_certs.h"

namespace paddock::peer {
namespace {

using quorum::Notification;
using quorum::PacketType;
using quorum::QuorumPacket;
using quorum::Sid;
using testing::Inbox;
using testing::ping;
using testing::vote;

class PeerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("paddock_peer_tls_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    tls::testing::make_test_pki(dir_.string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A server's peer TLS with `key_store` (server.pem names localhost and 127.0.0.1;
  // client.pem names neither; stranger.pem comes from another CA).
  PeerTls tls(const std::string& key_store, bool ssl_quorum = true, bool unified = false) {
    tls::TlsSettings s;
    s.key_store_location = (dir_ / key_store).string();
    s.trust_store_location = (dir_ / "ca.pem").string();
    s.key_prefix = "ssl.quorum.";
    auto contexts = tls::PeerTlsContexts::create(s, std::chrono::milliseconds(0));
    EXPECT_TRUE(contexts) << contexts.error();
    PeerTls t;
    t.contexts = contexts ? *contexts : nullptr;
    t.ssl_quorum = ssl_quorum;
    t.port_unification = unified;
    t.handshake_timeout = std::chrono::milliseconds(2000);
    return t;
  }
  static PeerTls plain() { return PeerTls{}; }

  std::filesystem::path dir_;
};

// --- the quorum port ---------------------------------------------------------------------

using QuorumPair = testing::SecuredLeader;

TEST_F(PeerTlsTest, QuorumPacketsCrossATlsLinkWithCertificatesCheckedBothWays) {
  QuorumPair pair(tls("server.pem"));
  auto conn = pair.dial(tls("server.pem"));
  ASSERT_TRUE(conn) << conn.error();
  EXPECT_TRUE((*conn)->secure());
  // Large enough to need several TLS records and several reads.
  QuorumPacket big{PacketType::kProposal, 7, std::string(200000, 'p'), {}};
  ASSERT_TRUE((*conn)->send(ping(1)));
  ASSERT_TRUE((*conn)->send(big));
  ASSERT_TRUE(pair.received.wait_count(2));
  EXPECT_EQ(pair.received.items()[0], ping(1));
  EXPECT_EQ(pair.received.items()[1], big);
  ASSERT_TRUE(pair.accepted.wait_count(1));
  EXPECT_TRUE(pair.accepted.items()[0]->secure());
  EXPECT_EQ((*conn)->direct_writes(), 0u);  // TLS records are written on the io thread only
}

TEST_F(PeerTlsTest, ADialerChecksTheNameOfTheHostItDialed) {
  QuorumPair pair(tls("server.pem"));
  EXPECT_TRUE(pair.dial(tls("server.pem"), "localhost"));  // a DNS SAN
  // The listener's certificate names neither: the dialer refuses it.
  QuorumPair unnamed(tls("client.pem"));
  auto r = unnamed.dial(tls("server.pem"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("TLS handshake failed"), std::string::npos) << r.error();
}

TEST_F(PeerTlsTest, AnAcceptorChecksTheCertificateNamesTheAddressThePeerCameFrom) {
  QuorumPair pair(tls("server.pem"));
  // The dialer's certificate (client.pem) does not name 127.0.0.1 or localhost.
  auto r = pair.dial(tls("client.pem"));
  if (r) {
    EXPECT_TRUE(testing::eventually([&] { return (*r)->closed(); }));
  }
  EXPECT_FALSE(pair.accepted.wait_count(1, std::chrono::milliseconds(300)));
}

TEST_F(PeerTlsTest, APeerOfAnotherCaOrExpiredIsRefused) {
  QuorumPair pair(tls("server.pem"));
  PeerTls no_check = tls("stranger.pem");
  auto r = pair.dial(no_check);
  EXPECT_FALSE(r);  // the listener's certificate is not from the stranger's CA either
  PeerTls expired = tls("server.pem");
  QuorumPair old(tls("expired.pem"));
  EXPECT_FALSE(old.dial(expired));
  EXPECT_FALSE(pair.accepted.wait_count(1, std::chrono::milliseconds(300)));
}

TEST_F(PeerTlsTest, APlainDialerIsDroppedByATlsOnlyPortAndTheServerGoesOn) {
  QuorumPair pair(tls("server.pem"));
  auto plain_conn = pair.dial(plain());
  ASSERT_TRUE(plain_conn);  // TCP connected; the listener's handshake then fails
  (*plain_conn)->send(ping(1));
  EXPECT_TRUE(testing::eventually([&] { return (*plain_conn)->closed(); }));
  EXPECT_EQ(pair.accepted.size(), 0u);
  auto secure = pair.dial(tls("server.pem"));
  ASSERT_TRUE(secure) << secure.error();
  ASSERT_TRUE((*secure)->send(ping(2)));
  ASSERT_TRUE(pair.received.wait_count(1));
}

TEST_F(PeerTlsTest, PortUnificationTakesTlsAndPlainPeersOnOnePort) {
  QuorumPair pair(tls("server.pem", /*ssl_quorum=*/false, /*unified=*/true));
  auto plain_conn = pair.dial(plain());
  ASSERT_TRUE(plain_conn) << plain_conn.error();
  auto secure = pair.dial(tls("server.pem"));
  ASSERT_TRUE(secure) << secure.error();
  ASSERT_TRUE((*plain_conn)->send(ping(1)));
  ASSERT_TRUE(pair.received.wait_count(1));
  ASSERT_TRUE((*secure)->send(ping(2)));
  ASSERT_TRUE(pair.received.wait_count(2));
  ASSERT_TRUE(pair.accepted.wait_count(2));
  // The plain peer is told apart only by its first byte, so it may be handed over second.
  auto accepted = pair.accepted.items();
  EXPECT_NE(accepted[0]->secure(), accepted[1]->secure());
}

TEST_F(PeerTlsTest, ASilentPeerIsDroppedAtTheHandshakeTimeout) {
  PeerTls t = tls("server.pem", true, true);
  t.handshake_timeout = std::chrono::milliseconds(100);
  QuorumPair pair(t);
  asio::io_context io;
  asio::ip::tcp::socket silent(io);
  silent.connect({asio::ip::make_address("127.0.0.1"), pair.listener->port()});
  char c;
  std::error_code ec;
  silent.read_some(asio::buffer(&c, 1), ec);  // returns when the listener hangs up
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  EXPECT_EQ(pair.accepted.size(), 0u);
}

// A peer that starts a handshake and stalls: the deadline closes the socket under the
// pending handshake, which must finish from its own handler (handing the socket back from
// the deadline freed the stream under asio's pending step: a use-after-free under ASan).
TEST_F(PeerTlsTest, APeerStalledMidHandshakeIsDroppedAtTheDeadline) {
  PeerTls t = tls("server.pem");
  t.handshake_timeout = std::chrono::milliseconds(100);
  QuorumPair pair(t);
  for (int i = 0; i < 3; ++i) {
    asio::io_context io;
    asio::ip::tcp::socket stalled(io);
    stalled.connect({asio::ip::make_address("127.0.0.1"), pair.listener->port()});
    // The head of a ClientHello record, then nothing.
    const unsigned char head[] = {0x16, 0x03, 0x01, 0x00, 0x80, 0x01};
    asio::write(stalled, asio::buffer(head));
    char c;
    std::error_code ec;
    stalled.read_some(asio::buffer(&c, 1), ec);  // returns when the listener hangs up
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
  EXPECT_EQ(pair.accepted.size(), 0u);
  // The port still takes a real peer.
  auto good = pair.dial(tls("server.pem"));
  ASSERT_TRUE(good) << good.error();
}

// --- the election port ---------------------------------------------------------------------

struct Voter {
  Inbox<std::pair<Sid, Notification>> inbox;
  std::unique_ptr<ElectionTransport> transport;
  Voter(Sid sid, PeerTls tls) {
    ElectionTransportOptions o;
    o.my_sid = sid;
    o.listen_host = "127.0.0.1";
    o.min_backoff = std::chrono::milliseconds(10);
    o.max_backoff = std::chrono::milliseconds(200);
    o.tls = std::move(tls);
    auto t = ElectionTransport::open(o, [this](Sid from, const Notification& n) {
      inbox.push({from, n});
    });
    EXPECT_TRUE(t) << t.error();
    transport = std::move(*t);
  }
  ElectionPeer as_peer(Sid sid) const { return {sid, "127.0.0.1", transport->port()}; }
};

TEST_F(PeerTlsTest, ElectionNotificationsCrossTlsBothWays) {
  Voter one(1, tls("server.pem"));
  Voter two(2, tls("server.pem"));
  std::vector<ElectionPeer> peers = {one.as_peer(1), two.as_peer(2)};
  one.transport->start(peers);
  two.transport->start(peers);
  one.transport->send(2, vote(1));
  two.transport->send(1, vote(2));
  ASSERT_TRUE(two.inbox.wait_count(1));
  ASSERT_TRUE(one.inbox.wait_count(1));
  EXPECT_EQ(two.inbox.items()[0].second, vote(1));
  EXPECT_EQ(one.inbox.items()[0].second, vote(2));
  EXPECT_EQ(one.transport->stats().failed_handshakes, 0u);
}

TEST_F(PeerTlsTest, AnElectionPortMidwayThroughARollingSwitchTalksToBothKinds) {
  // Step two of ZooKeeper's rolling switch: one server already dials TLS, the other still
  // dials plain; both accept either (portUnification).
  Voter tls_voter(1, tls("server.pem", /*ssl_quorum=*/true, /*unified=*/true));
  Voter plain_voter(2, tls("server.pem", /*ssl_quorum=*/false, /*unified=*/true));
  std::vector<ElectionPeer> peers = {tls_voter.as_peer(1), plain_voter.as_peer(2)};
  tls_voter.transport->start(peers);
  plain_voter.transport->start(peers);
  tls_voter.transport->send(2, vote(1));
  plain_voter.transport->send(1, vote(2));
  ASSERT_TRUE(plain_voter.inbox.wait_count(1));
  ASSERT_TRUE(tls_voter.inbox.wait_count(1));
}

TEST_F(PeerTlsTest, APlainElectionPeerCannotReachATlsOnlyOne) {
  Voter secure(1, tls("server.pem"));
  Voter plain_voter(2, plain());
  std::vector<ElectionPeer> peers = {secure.as_peer(1), plain_voter.as_peer(2)};
  secure.transport->start(peers);
  plain_voter.transport->start(peers);
  plain_voter.transport->send(1, vote(2));
  secure.transport->send(2, vote(1));
  EXPECT_TRUE(testing::eventually([&] { return secure.transport->stats().failed_handshakes > 0; }));
  EXPECT_FALSE(secure.inbox.wait_count(1, std::chrono::milliseconds(300)));
  EXPECT_FALSE(plain_voter.inbox.wait_count(1, std::chrono::milliseconds(10)));
}

}  // namespace
}  // namespace paddock::peer
