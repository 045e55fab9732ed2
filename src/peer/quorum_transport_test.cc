#include "peer/quorum_transport.h"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/write.hpp>
#include <thread>

#include "peer/transport_test_util.h"
#include "proto/jute.h"
#include "state/tree_test_util.h"

namespace paddock::peer {
namespace {

using quorum::PacketType;
using quorum::QuorumPacket;
using testing::diff_of;
using testing::Inbox;

// The transport never looks inside a packet's data: any bytes do.
std::string some_data(std::string_view what) { return std::string(what); }

// What one side of a connection saw.
struct Side {
  Inbox<QuorumPacket> packets;
  Inbox<std::string> closed;
  Inbox<size_t> reads_done;  // how many packets had arrived at each end of a read
  PeerConnection::Handlers handlers() {
    return {[this](PeerConnection&, QuorumPacket p) { packets.push(std::move(p)); },
            [this](PeerConnection&, const std::string& why) { closed.push(why); },
            [this](PeerConnection&) { reads_done.push(packets.size()); }};
  }
};

QuorumListenerOptions with_packet_limit(size_t packets) {
  QuorumListenerOptions options;
  options.connection_limits.max_queued_packets = packets;
  return options;
}

QuorumPacket big_snap(int nodes) {
  state::DataTree tree;
  state::testing::TreeDriver d(tree);
  for (int i = 0; i < nodes; ++i) d.create("/n" + std::to_string(i), std::string(1000, 'x'));
  return QuorumPacket{PacketType::kSnap, tree.last_zxid(), encode_zk_snapshot_body(tree),
                      std::nullopt};
}

struct Ensemble {
  IoThread io{"quorum-test"};  // destroyed last: connections go before their io_context
  Side leader, learner;
  Inbox<std::shared_ptr<PeerConnection>> accepted;
  std::unique_ptr<QuorumListener> listener;
  std::shared_ptr<PeerConnection> learner_conn;

  explicit Ensemble(QuorumListenerOptions options = {}) {
    options.host = "127.0.0.1";
    auto l = QuorumListener::open(io, options, [this](std::shared_ptr<PeerConnection> c) {
      c->start(leader.handlers());
      accepted.push(std::move(c));
    });
    EXPECT_TRUE(l) << l.error();
    listener = std::move(*l);
  }
  ~Ensemble() {
    if (learner_conn) learner_conn->close("test over");
    for (auto& c : accepted.items()) c->close("test over");
    listener.reset();
    io.stop();
  }
  QuorumDialOptions dial_options() const {
    QuorumDialOptions o;
    o.host = "127.0.0.1";
    o.port = listener->port();
    o.retry_interval = std::chrono::milliseconds(20);
    return o;
  }
  // A learner connected: the leader's side of its link (null if it did not come up).
  std::shared_ptr<PeerConnection> link() {
    connect_learner();
    return accepted.wait_count(1) ? accepted.items()[0] : nullptr;
  }
  std::shared_ptr<PeerConnection> connect_learner() {
    Inbox<Result<std::shared_ptr<PeerConnection>>> done;
    QuorumDialer::dial(io, dial_options(), [&](auto r) { done.push(std::move(r)); });
    EXPECT_TRUE(done.wait_count(1));
    auto result = done.items().front();
    EXPECT_TRUE(result) << result.error();
    learner_conn = *result;
    learner_conn->start(learner.handlers());
    return learner_conn;
  }
};

TEST(QuorumTransport, LeaderAndLearnerExchangePacketsIncludingASnap) {
  Ensemble e;
  auto learner = e.connect_learner();
  const QuorumPacket info{PacketType::kFollowerInfo, 0x100000000,
                          some_data("learner info of sid 3"),
                          std::nullopt};
  ASSERT_TRUE(learner->send(info));
  ASSERT_TRUE(e.leader.packets.wait_count(1));
  EXPECT_EQ(e.leader.packets.items()[0], info);
  ASSERT_TRUE(e.accepted.wait_count(1));
  auto leader_side = e.accepted.items()[0];
  leader_side->set_peer_sid(3);

  const std::vector<QuorumPacket> sync{
      {PacketType::kLeaderInfo, 0x200000000, some_data("version"), std::nullopt},
      big_snap(3000),  // about 3 MB: arrives in many reads
      {PacketType::kNewLeader, 0x200000000, std::string("version=0"), std::nullopt},
      {PacketType::kUpToDate, -1, std::nullopt, std::nullopt},
  };
  for (const QuorumPacket& p : sync) ASSERT_TRUE(leader_side->send(p));
  ASSERT_TRUE(e.learner.packets.wait_count(sync.size()));
  EXPECT_EQ(e.learner.packets.items(), sync);
  // The end of the read that completed the last packet is reported after it.
  EXPECT_TRUE(e.learner.reads_done.wait_for(
      [&](const std::vector<size_t>& v) { return !v.empty() && v.back() == sync.size(); }));
}

TEST(QuorumTransport, PacketsAfterASnapWaitForItsBodyAndKeepTheirOrder) {
  QuorumListenerOptions options;
  options.connection_limits.max_queued_packets = 3;  // off while a body is being made
  Ensemble e(options);
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);

  const QuorumPacket before{PacketType::kLeaderInfo, 0x200000000, some_data("v"), std::nullopt};
  QuorumPacket snap = big_snap(300);
  const std::string body_bytes = *snap.data;
  snap.data.reset();
  std::vector<QuorumPacket> after;
  for (int i = 1; i <= 10; ++i) {
    after.push_back({PacketType::kProposal, 0x200000000 + i, some_data("txn"), std::nullopt});
  }
  auto body = SnapBody::pending();
  ASSERT_TRUE(leader_side->send_all({before, snap}, body));
  for (const QuorumPacket& p : after) ASSERT_TRUE(leader_side->send(p));  // past the limit

  ASSERT_TRUE(e.learner.packets.wait_count(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(e.learner.packets.size(), 1u) << "nothing after a SNAP whose body is not made";
  EXPECT_EQ(leader_side->queued().first, 1u + after.size());

  body->set(body_bytes);
  ASSERT_TRUE(e.learner.packets.wait_count(2 + after.size()));
  const std::vector<QuorumPacket> got = e.learner.packets.items();
  EXPECT_EQ(got[0], before);
  EXPECT_EQ(got[1].type, PacketType::kSnap);
  EXPECT_EQ(got[1].data, body_bytes);
  EXPECT_EQ(std::vector<QuorumPacket>(got.begin() + 2, got.end()), after);
  EXPECT_TRUE(e.leader.closed.items().empty());
  // With the body made, the packet limit is back.
  std::vector<QuorumPacket> burst(4,
                                  QuorumPacket{PacketType::kPing, 1, std::nullopt, std::nullopt});
  EXPECT_FALSE(leader_side->send_all(burst));
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("send queue full"), std::string::npos);
}

TEST(QuorumTransport, TheBacklogBehindASnapBodyIsExemptFromThePacketLimitUntilWritten) {
  Ensemble e(with_packet_limit(3));
  // A learner that never reads: once the socket buffers are full the leader's side holds
  // what it has not written.
  Inbox<Result<std::shared_ptr<PeerConnection>>> dialed;
  QuorumDialer::dial(e.io, e.dial_options(), [&](auto r) { dialed.push(std::move(r)); });
  ASSERT_TRUE(dialed.wait_count(1));
  ASSERT_TRUE(dialed.items().front());
  std::shared_ptr<PeerConnection> silent = *dialed.items().front();
  ASSERT_TRUE(e.accepted.wait_count(1));
  auto leader_side = e.accepted.items()[0];

  auto body = SnapBody::pending();
  ASSERT_TRUE(leader_side->send_all(
      {QuorumPacket{PacketType::kSnap, 0x200000000, std::nullopt, std::nullopt}}, body));
  auto proposal = [](int i) {
    return QuorumPacket{PacketType::kProposal, 0x200000000 + i, some_data("txn"), std::nullopt};
  };
  // More than one write takes (64 queued sends): some stay queued behind the body.
  for (int i = 1; i <= 100; ++i) ASSERT_TRUE(leader_side->send(proposal(i)));
  body->set(std::string(size_t{64} << 20, 'b'));  // far more than the socket buffers hold
  // The io thread takes the SNAP and what one write holds; the rest waits behind it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (leader_side->queued().first == 101 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_LT(leader_side->queued().first, 101u) << "the body's write never started";
  ASSERT_GE(leader_side->queued().first, 30u) << "the backlog is still queued";
  // New packets count against the limit; those queued while the body was made do not.
  for (int i = 101; i <= 103; ++i) EXPECT_TRUE(leader_side->send(proposal(i))) << i;
  EXPECT_FALSE(leader_side->send(proposal(104)));
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("send queue full"), std::string::npos);
  silent->close("test over");
}

TEST(QuorumTransport, ASyncOfMorePacketsThanTheLimitIsSentWholeAndOtherBatchesStillCount) {
  Ensemble e(with_packet_limit(3));
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);

  // DIFF, each of 10 txns as PROPOSAL and COMMIT, NEWLEADER: 22 packets, limit 3. Judged
  // as a backlog, it closed the link, and the learner dialed into the same DIFF for ever.
  std::vector<QuorumPacket> sync = diff_of(10);
  sync.push_back(QuorumPacket{PacketType::kNewLeader, 0x200000000, some_data("v"), std::nullopt});
  ASSERT_TRUE(leader_side->send_all(std::move(sync)));
  ASSERT_TRUE(e.learner.packets.wait_count(22));
  EXPECT_EQ(e.learner.packets.items().front().type, PacketType::kDiff);
  EXPECT_EQ(e.learner.packets.items().back().type, PacketType::kNewLeader);

  // Any other batch still counts: four PROPOSALs at once pass the limit.
  std::vector<QuorumPacket> proposals;
  for (int i = 1; i <= 4; ++i) {
    proposals.push_back(
        QuorumPacket{PacketType::kProposal, 0x200000000 + i, some_data("txn"), std::nullopt});
  }
  EXPECT_FALSE(leader_side->send_all(std::move(proposals)));
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("send queue full"), std::string::npos);
}

TEST(QuorumTransport, ASnapBodyThatCouldNotBeMadeClosesTheConnection) {
  Ensemble e;
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);
  auto body = SnapBody::pending();
  ASSERT_TRUE(leader_side->send_all(
      {QuorumPacket{PacketType::kSnap, 0x200000000, std::nullopt, std::nullopt},
       QuorumPacket{PacketType::kNewLeader, 0x200000000, some_data("v"), std::nullopt}},
      body));
  body->fail("killed by signal 9");
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("the SNAP body could not be made: killed by signal 9"),
            std::string::npos)
      << e.leader.closed.items()[0];
  ASSERT_TRUE(e.learner.closed.wait_count(1));
  EXPECT_TRUE(e.learner.packets.items().empty());
}

TEST(QuorumTransport, EncodedPacketsWaitForTheirBodyAndWhatFollowsKeepsItsOrder) {
  Ensemble e(with_packet_limit(3));
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);

  std::vector<QuorumPacket> sync = diff_of(10);
  std::string encoded;
  for (const QuorumPacket& p : sync) append_quorum_packet(p, encoded);
  auto body = SnapBody::pending();
  // 21 packets, limit 3: a sync, so exempt; the byte limit counts what the body will be.
  ASSERT_TRUE(leader_side->send_encoded(body, sync.size(), encoded.size()));
  EXPECT_EQ(leader_side->queued(), std::make_pair(sync.size(), uint64_t{encoded.size()}));
  const QuorumPacket new_leader{PacketType::kNewLeader, 0x200000000, some_data("v"), std::nullopt};
  ASSERT_TRUE(leader_side->send(new_leader));
  // Queued behind the body, not written at once on this thread: nothing leaves before it.
  EXPECT_EQ(leader_side->queued(),
            std::make_pair(sync.size() + 1,
                           uint64_t{encoded.size() + encode_quorum_packet(new_leader).size()}));
  EXPECT_EQ(leader_side->direct_writes(), 0u);
  EXPECT_TRUE(e.learner.packets.items().empty()) << "nothing before its body is done";

  body->set(encoded);
  ASSERT_TRUE(e.learner.packets.wait_count(sync.size() + 1));
  std::vector<QuorumPacket> want = sync;
  want.push_back(new_leader);
  EXPECT_EQ(e.learner.packets.items(), want);
  EXPECT_TRUE(e.leader.closed.items().empty());
}

TEST(QuorumTransport, EncodedPacketsThatCouldNotBeMadeCloseTheConnection) {
  Ensemble e;
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);
  auto body = SnapBody::pending();
  ASSERT_TRUE(leader_side->send_encoded(body, 2, 100));
  body->fail("shutting down");
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("a sync's packets could not be encoded: shutting down"),
            std::string::npos)
      << e.leader.closed.items()[0];
  ASSERT_TRUE(e.learner.closed.wait_count(1));
  EXPECT_TRUE(e.learner.packets.items().empty());
}

TEST(QuorumTransport, AnIdleConnectionWritesOnTheSendersThreadAndABurstStaysInOrder) {
  Ensemble e;
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);
  // Nothing queued: the packets go out from this thread, without the io thread, in one
  // write.
  const std::vector<QuorumPacket> first{
      {PacketType::kProposal, 0x100000001, std::string("txn"), std::nullopt},
      {PacketType::kCommit, 0x100000001, std::nullopt, std::nullopt},
      {PacketType::kPing, 0x100000001, some_data("touches"), std::nullopt}};
  ASSERT_TRUE(leader_side->send_all(first));
  EXPECT_EQ(leader_side->direct_writes(), 3u);
  ASSERT_TRUE(e.learner.packets.wait_count(3));
  EXPECT_EQ(e.learner.packets.items(), first);

  // A burst far past the socket buffers: some packets go out whole, one in part with its
  // rest queued, the others behind it from the io thread; every byte arrives in order.
  std::vector<QuorumPacket> burst;
  for (int i = 0; i < 300; ++i) {
    burst.push_back({PacketType::kProposal, 0x100000002 + i,
                     std::string(64 * 1024 + i, static_cast<char>('a' + i % 26)), std::nullopt});
  }
  for (const QuorumPacket& p : burst) ASSERT_TRUE(leader_side->send(p));
  ASSERT_TRUE(e.learner.packets.wait_count(first.size() + burst.size()))
      << e.learner.packets.items().size() << " arrived; closed: "
      << (e.learner.closed.items().empty() ? "no" : e.learner.closed.items()[0]);
  const auto& got = e.learner.packets.items();
  for (size_t i = 0; i < burst.size(); ++i) {
    ASSERT_EQ(got[first.size() + i], burst[i]) << "packet " << i;
  }
  EXPECT_TRUE(e.learner.closed.items().empty());
}

TEST(QuorumTransport, MalformedStreamClosesThatConnectionOnly) {
  Ensemble e;
  auto learner = e.connect_learner();
  asio::io_context raw_io;
  asio::ip::tcp::socket raw(raw_io);
  raw.connect({asio::ip::make_address("127.0.0.1"), e.listener->port()});
  std::string garbage;
  proto::JuteWriter w(garbage);
  w.i32(99);  // no such packet type
  w.i64(0);
  w.i32(-1);
  w.i32(-1);
  asio::write(raw, asio::buffer(garbage));
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("malformed"), std::string::npos);
  // The learner's own connection still works both ways.
  const QuorumPacket ping{PacketType::kPing, 5, some_data("touches"), std::nullopt};
  ASSERT_TRUE(learner->send(ping));
  EXPECT_TRUE(e.leader.packets.wait_for([&](auto& v) { return !v.empty() && v.back() == ping; }));
}

TEST(QuorumTransport, PeerCloseIsReported) {
  Ensemble e;
  auto learner = e.connect_learner();
  ASSERT_TRUE(e.accepted.wait_count(1));
  e.accepted.items()[0]->close("leader steps down");
  ASSERT_TRUE(e.learner.closed.wait_count(1));
  EXPECT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_EQ(e.leader.closed.items()[0], "leader steps down");
  EXPECT_FALSE(learner->send(QuorumPacket{}));
}

TEST(QuorumTransport, SendQueueOverflowClosesTheConnection) {
  QuorumListenerOptions options;
  options.connection_limits.max_queued_bytes = 100;
  Ensemble e(options);
  auto leader_side = e.link();
  ASSERT_TRUE(leader_side);
  EXPECT_FALSE(leader_side->send(
      QuorumPacket{PacketType::kProposal, 1, std::string(1000, 'p'), std::nullopt}));
  ASSERT_TRUE(e.leader.closed.wait_count(1));
  EXPECT_NE(e.leader.closed.items()[0].find("send queue full"), std::string::npos);
}

TEST(QuorumTransport, DialerRetriesUntilTheLeaderListens) {
  IoThread io("dial-test");
  uint16_t port = 0;
  {  // find a free port, then free it
    asio::io_context probe;
    asio::ip::tcp::acceptor a(probe, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  QuorumDialOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.attempts = 1000;
  o.retry_interval = std::chrono::milliseconds(10);
  Inbox<Result<std::shared_ptr<PeerConnection>>> done;
  auto dialer = QuorumDialer::dial(io, o, [&](auto r) { done.push(std::move(r)); });
  Inbox<std::shared_ptr<PeerConnection>> accepted;
  QuorumListenerOptions lo;
  lo.host = "127.0.0.1";
  lo.port = port;
  auto listener = QuorumListener::open(io, lo, [&](auto c) { accepted.push(std::move(c)); });
  ASSERT_TRUE(listener) << listener.error();
  ASSERT_TRUE(done.wait_count(1));
  EXPECT_TRUE(done.items()[0]);
  EXPECT_TRUE(accepted.wait_count(1));
  for (auto& c : accepted.items()) c->close("done");
  if (done.items()[0]) (*done.items()[0])->close("done");
  listener->reset();
  io.stop();
}

TEST(QuorumTransport, DialerResolvesHostNames) {
  Ensemble e;
  QuorumDialOptions o = e.dial_options();
  o.host = "localhost";
  Inbox<Result<std::shared_ptr<PeerConnection>>> done;
  QuorumDialer::dial(e.io, o, [&](auto r) { done.push(std::move(r)); });
  ASSERT_TRUE(done.wait_count(1));
  ASSERT_TRUE(done.items()[0]) << done.items()[0].error();
  e.learner_conn = *done.items()[0];
  EXPECT_TRUE(e.accepted.wait_count(1));
}

TEST(QuorumTransport, DialerGivesUpAfterItsAttempts) {
  IoThread io("dial-test");
  uint16_t port = 0;
  {
    asio::io_context probe;
    asio::ip::tcp::acceptor a(probe, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  QuorumDialOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.attempts = 3;
  o.retry_interval = std::chrono::milliseconds(5);
  Inbox<Result<std::shared_ptr<PeerConnection>>> done;
  QuorumDialer::dial(io, o, [&](auto r) { done.push(std::move(r)); });
  ASSERT_TRUE(done.wait_count(1));
  ASSERT_FALSE(done.items()[0]);
  EXPECT_NE(done.items()[0].error().find("after 3 attempts"), std::string::npos);
  io.stop();
}

}  // namespace
}  // namespace paddock::peer
