#include "server/client_port_server.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "server/test_support.h"

namespace paddock::server {
namespace {

using namespace std::chrono_literals;
using testing::FakeSink;
using testing::OutFrame;
using testing::TestClient;
using testing::frame;
using testing::length_prefix;

class ClientPortServerTest : public ::testing::Test {
 protected:
  void start(ClientPortOptions options = {}) {
    options.listen_address = options.listen_address.empty() ? "" : options.listen_address;
    options.port = 0;
    server_ = std::make_unique<ClientPortServer>(options, sink_);
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.message();
    port_ = server_->bound_port();
    ASSERT_NE(port_, 0);
  }
  // Echoes every frame back as a reply frame "re:<body>".
  void echo() {
    sink_.on_frame = [this](pipeline::ConnectionId conn, const std::string& body) {
      send({{conn, frame("re:" + body)}});
    };
  }
  // Waits until the sink has heard of the next client (clients connect in order); returns
  // its id.
  pipeline::ConnectionId open(TestClient& client) {
    EXPECT_TRUE(client.connected());
    EXPECT_TRUE(sink_.wait_opened(known_ + 1));
    return sink_.opened_id(known_++);
  }

  // With several network threads the sink may hear of connections out of connect order:
  // the client names itself in a frame instead.
  pipeline::ConnectionId identify(TestClient& client, const std::string& name) {
    EXPECT_TRUE(client.write(frame(name)));
    pipeline::ConnectionId found = 0;
    EXPECT_TRUE(sink_.wait([&] {
      for (const auto& [id, frames] : sink_.frames_locked()) {
        if (!frames.empty() && frames[0] == name) found = id;
      }
      return found != 0;
    }));
    return found;
  }

  void send(const std::vector<OutFrame>& frames) { sender_.send(*server_, frames); }

  void TearDown() override {
    sink_.join_answers();
    if (server_) server_->stop();
  }

  FakeSink sink_;
  testing::BatchSender sender_;  // outlives the server, which reads its batches
  std::unique_ptr<ClientPortServer> server_;
  uint16_t port_ = 0;
  size_t known_ = 0;
};

TEST_F(ClientPortServerTest, FramesSplitIntoSingleByteWritesArriveIntactAndInOrder) {
  start();
  TestClient c(port_);
  auto id = open(c);
  std::string wire;
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i) {
    bodies.push_back("frame-" + std::to_string(i) + std::string(static_cast<size_t>(i), 'x'));
    wire += frame(bodies.back());
  }
  for (char ch : wire) ASSERT_TRUE(c.write(std::string_view(&ch, 1)));
  ASSERT_TRUE(sink_.wait_frames(id, bodies.size()));
  EXPECT_EQ(sink_.frames(id), bodies);
}

TEST_F(ClientPortServerTest, ManyFramesInOneWriteArriveInOrderIncludingLargeAndEmptyOnes) {
  start();
  TestClient c(port_);
  auto id = open(c);
  std::string wire;
  std::vector<std::string> bodies;
  for (int i = 0; i < 2000; ++i) {
    if (i == 700) {
      bodies.push_back(std::string(900 * 1024, 'L'));  // spans many reads
    } else if (i % 100 == 0) {
      bodies.push_back("");
    } else {
      bodies.push_back("req" + std::to_string(i));
    }
    wire += frame(bodies.back());
  }
  ASSERT_TRUE(c.write(wire));
  ASSERT_TRUE(sink_.wait_frames(id, bodies.size()));
  EXPECT_EQ(sink_.frames(id), bodies);
}

TEST_F(ClientPortServerTest, FrameOfExactlyMaxBytesIsDelivered) {
  ClientPortOptions o;
  o.max_frame_bytes = 1000;
  start(o);
  TestClient c(port_);
  auto id = open(c);
  ASSERT_TRUE(c.write(frame(std::string(1000, 'm'))));
  ASSERT_TRUE(sink_.wait_frames(id, 1));
  EXPECT_EQ(sink_.frames(id)[0].size(), 1000u);
}

TEST_F(ClientPortServerTest, OversizedOrNegativeLengthClosesOnlyThatConnection) {
  ClientPortOptions o;
  o.max_frame_bytes = 1000;
  start(o);
  echo();
  TestClient good(port_);
  auto good_id = open(good);
  for (int32_t bad_len : {1001, -1, -100000}) {
    TestClient bad(port_);
    auto bad_id = open(bad);
    ASSERT_TRUE(bad.write(frame("ok-before")));
    ASSERT_TRUE(bad.write(length_prefix(bad_len) + "junk"));
    ASSERT_TRUE(bad.read_until_closed().has_value()) << "len " << bad_len;
    ASSERT_TRUE(sink_.wait_closed(bad_id));
    EXPECT_EQ(sink_.frames(bad_id).size(), 1u);

    ASSERT_TRUE(good.write(frame("still-here")));
    auto reply = good.read_exact(4 + 13);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->substr(4), "re:still-here");
  }
  EXPECT_EQ(sink_.closed().count(good_id), 0u);
}

TEST_F(ClientPortServerTest, UnknownFirstBytesThatAreNoSaneLengthCloseTheConnection) {
  start();
  TestClient c(port_);
  auto id = open(c);
  ASSERT_TRUE(c.write("abcdefgh"));
  auto got = c.read_until_closed();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "");
  ASSERT_TRUE(sink_.wait_closed(id));
  EXPECT_TRUE(sink_.frames(id).empty());
}

TEST_F(ClientPortServerTest, TooManyConnectionsFromOneIpClosesTheNewOneAtOnce) {
  ClientPortOptions o;
  o.max_connections_per_ip = 2;
  start(o);
  TestClient a(port_), b(port_);
  open(a);
  auto b_id = open(b);
  TestClient extra(port_);
  ASSERT_TRUE(extra.connected());  // the kernel accepts; the server closes it
  auto got = extra.read_until_closed();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(sink_.opened().size(), 2u);  // the sink never hears of it

  b.close();  // frees a slot
  ASSERT_TRUE(sink_.wait_closed(b_id));
  TestClient again(port_);
  open(again);
  EXPECT_EQ(sink_.opened().size(), 3u);
}

TEST_F(ClientPortServerTest, UnlimitedConnectionsWhenLimitIsZero) {
  ClientPortOptions o;
  o.max_connections_per_ip = 0;
  start(o);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 20; ++i) clients.push_back(std::make_unique<TestClient>(port_));
  EXPECT_TRUE(sink_.wait_opened(20));
}

TEST_F(ClientPortServerTest, SendBatchForManyConnectionsWritesEachInOrder) {
  ClientPortOptions o;
  o.network_threads = 2;
  start(o);
  TestClient a(port_), b(port_), c(port_);
  std::vector<pipeline::ConnectionId> ids = {identify(a, "a"), identify(b, "b"), identify(c, "c")};
  std::set<pipeline::ConnectionId> owners;
  for (auto id : ids) owners.insert(id % 2);
  EXPECT_EQ(owners.size(), 2u);  // both threads own connections
  std::vector<OutFrame> batch;
  for (int i = 0; i < 300; ++i) {
    for (auto id : ids) batch.push_back({id, frame(std::to_string(id) + ":" + std::to_string(i))});
  }
  batch.push_back({ids[1], frame(std::string(200000, 'B'))});  // a large one among small ones
  send(batch);
  TestClient* clients[] = {&a, &b, &c};
  for (size_t k = 0; k < 3; ++k) {
    for (int i = 0; i < 300; ++i) {
      std::string body = std::to_string(ids[k]) + ":" + std::to_string(i);
      auto got = clients[k]->read_exact(4 + body.size());
      ASSERT_TRUE(got.has_value());
      ASSERT_EQ(*got, frame(body));
    }
  }
  auto big = b.read_exact(4 + 200000);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->substr(4), std::string(200000, 'B'));
}

TEST_F(ClientPortServerTest, CloseAfterFlushWritesWhatWasSentThenCloses) {
  start();
  TestClient c(port_);
  auto id = open(c);
  std::vector<OutFrame> batch;
  for (int i = 0; i < 10; ++i) batch.push_back({id, frame("bye" + std::to_string(i))});
  send(batch);
  server_->close_after_flush(id);
  auto got = c.read_until_closed();
  ASSERT_TRUE(got.has_value());
  std::string expected;
  for (int i = 0; i < 10; ++i) expected += frame("bye" + std::to_string(i));
  EXPECT_EQ(*got, expected);
  ASSERT_TRUE(sink_.wait_closed(id));
}

TEST_F(ClientPortServerTest, SetReadingFalseStopsDeliveryUntilTrue) {
  start();
  TestClient paused(port_), other(port_);
  auto paused_id = open(paused);
  auto other_id = open(other);

  server_->set_reading(paused_id, false);
  // The reply is posted after set_reading, to the same loop: once it arrives, reading is off.
  send({{paused_id, frame("barrier")}});
  ASSERT_TRUE(paused.read_exact(4 + 7).has_value());

  ASSERT_TRUE(paused.write(frame("held")));
  // Two round trips on another connection of the same loop: had the paused socket been
  // watched, its (earlier) bytes would have been read by now.
  echo();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(other.write(frame("ping")));
    ASSERT_TRUE(other.read_exact(4 + 7).has_value());
  }
  EXPECT_TRUE(sink_.frames(paused_id).empty());
  EXPECT_EQ(sink_.frames(other_id).size(), 2u);

  server_->set_reading(paused_id, true);
  ASSERT_TRUE(sink_.wait_frames(paused_id, 1));
  EXPECT_EQ(sink_.frames(paused_id)[0], "held");
}

TEST_F(ClientPortServerTest, ConnectionThatNeverReadsIsClosedPastOutboundLimit) {
  ClientPortOptions o;
  o.max_outbound_bytes = 1 << 20;
  start(o);
  TestClient lazy(port_);  // never reads
  auto id = open(lazy);
  std::string chunk = frame(std::string(256 * 1024, 'z'));
  for (int i = 0; i < 400 && sink_.closed().count(id) == 0; ++i) send({{id, chunk}});
  EXPECT_TRUE(sink_.wait_closed(id));
}

TEST_F(ClientPortServerTest, ConnectionClosedIsReportedExactlyOnceAndIdsAreNeverReused) {
  ClientPortOptions o;
  o.max_frame_bytes = 100;
  start(o);
  std::set<pipeline::ConnectionId> ids;
  {
    TestClient peer_closes(port_);
    ids.insert(open(peer_closes));
  }
  TestClient bad_frame(port_);
  auto bad_id = open(bad_frame);
  ids.insert(bad_id);
  ASSERT_TRUE(bad_frame.write(length_prefix(5000)));
  TestClient server_closes(port_);
  auto sc_id = open(server_closes);
  ids.insert(sc_id);
  server_->close_after_flush(sc_id);
  server_->close_after_flush(sc_id);  // twice: still one close
  TestClient open_at_stop(port_);
  ids.insert(open(open_at_stop));
  EXPECT_EQ(ids.size(), 4u);

  ASSERT_TRUE(sink_.wait_closed(bad_id));
  ASSERT_TRUE(sink_.wait_closed(sc_id));
  server_->stop();
  auto closed = sink_.closed();
  EXPECT_EQ(closed.size(), 4u);
  for (auto id : ids) EXPECT_EQ(closed[id], 1) << "conn " << id;
  EXPECT_FALSE(sink_.frame_after_close());
}

TEST_F(ClientPortServerTest, FramesBeforeAPeerCloseReachTheSinkBeforeTheClose) {
  start();
  TestClient c(port_);
  auto id = open(c);
  std::string wire;
  for (int i = 0; i < 50; ++i) wire += frame("f" + std::to_string(i));
  ASSERT_TRUE(c.write(wire));
  c.close();
  ASSERT_TRUE(sink_.wait_closed(id));
  auto got = sink_.frames(id);
  ASSERT_EQ(got.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], "f" + std::to_string(i));
  EXPECT_FALSE(sink_.frame_after_close());
}

TEST_F(ClientPortServerTest, BatchLargerThanTheSocketTakesArrivesWholeAndBeforeTheNextBatch) {
  start();
  TestClient c(port_);
  auto id = open(c);
  // 16 MB: more than loopback socket buffers hold, so most of it is queued and written as
  // the client reads.
  constexpr int kFrames = 16000;
  std::vector<OutFrame> first;
  for (int i = 0; i < kFrames; ++i) {
    std::string body = std::to_string(i);
    body.resize(996, '.');
    first.push_back({id, frame(body)});
  }
  send(first);
  send({{id, frame("second")}});
  for (int i = 0; i < kFrames; ++i) {
    auto got = c.read_exact(1000);
    ASSERT_TRUE(got.has_value()) << "frame " << i;
    ASSERT_EQ(*got, first[static_cast<size_t>(i)].bytes) << "frame " << i;
  }
  auto last = c.read_exact(4 + 6);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last, frame("second"));
}

TEST_F(ClientPortServerTest, SharedBytesReachEveryConnectionOnEitherThread) {
  ClientPortOptions o;
  o.network_threads = 2;
  start(o);
  TestClient a(port_), b(port_), c(port_), d(port_);
  TestClient* clients[] = {&a, &b, &c, &d};
  std::vector<pipeline::ConnectionId> ids;
  for (size_t k = 0; k < 4; ++k) ids.push_back(identify(*clients[k], "c" + std::to_string(k)));
  pipeline::OutboundBatch batch;
  batch.add(ids[0], frame("event"));
  const pipeline::OutboundBatch::Record shared = batch.records.back();
  for (size_t k = 1; k < 4; ++k) batch.add_shared(ids[k], shared);
  batch.add(ids[2], frame("own"));
  batch.begin_use();
  server_->send(batch);
  // Both loops release the batch once they wrote it (before the clients read: the bytes
  // wait in the sockets).
  const auto deadline = std::chrono::steady_clock::now() + testing::kDeadline;
  while (batch.in_use() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_FALSE(batch.in_use());
  for (size_t k = 0; k < 4; ++k) {
    auto got = clients[k]->read_exact(4 + 5);
    ASSERT_TRUE(got.has_value()) << "client " << k;
    EXPECT_EQ(*got, frame("event"));
  }
  auto own = c.read_exact(4 + 3);
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(*own, frame("own"));
}

TEST_F(ClientPortServerTest, BindFailureNamesAddressAndPort) {
  start();
  ClientPortOptions o;
  o.listen_address = "127.0.0.1";
  o.port = port_;
  ClientPortServer second(o, sink_);
  Status s = second.start();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << s.message();
}

TEST_F(ClientPortServerTest, AllAddressesAcceptsIpv4AndIpv6AndReportsPlainIpv4) {
  start();
  TestClient v4(port_);
  open(v4);
  EXPECT_EQ(sink_.opened()[0].ip, "127.0.0.1");
  TestClient v6(port_, /*ipv6=*/true);
  if (!v6.connected()) GTEST_SKIP() << "no IPv6 loopback";
  open(v6);
  EXPECT_EQ(sink_.opened()[1].ip, "::1");
}

TEST_F(ClientPortServerTest, StopClosesEverythingAndIsIdempotent) {
  start();
  TestClient a(port_);
  auto id = open(a);
  server_->stop();
  server_->stop();
  EXPECT_EQ(sink_.closed()[id], 1);
  EXPECT_TRUE(a.read_until_closed().has_value());
  send({{id, frame("late")}});  // harmless after stop
}

class FourLetterWordTest : public ClientPortServerTest {
 protected:
  void SetUp() override {
    auto snap = std::make_shared<pipeline::ServerSnapshot>();
    snap->version = "3.8.0-paddock-test, built on today";
    snap->last_zxid = 0x2a;
    snap->node_count = 5;
    sink_.snapshot = snap;
  }
  std::string ask(std::string_view word) {
    TestClient c(port_);
    EXPECT_TRUE(c.connected());
    EXPECT_TRUE(c.write(word));
    auto got = c.read_until_closed();
    EXPECT_TRUE(got.has_value()) << word;
    return got.value_or("<not closed>");
  }
};

TEST_F(FourLetterWordTest, WhitelistedSrvrIsAnsweredFromTheSnapshotThenClosed) {
  start();  // default whitelist: srvr
  std::string out = ask("srvr");
  EXPECT_TRUE(out.starts_with("Zookeeper version: 3.8.0-paddock-test, built on today\n")) << out;
  EXPECT_NE(out.find("Mode: standalone\n"), std::string::npos);
  EXPECT_NE(out.find("Zxid: 0x2a\n"), std::string::npos);
  EXPECT_EQ(sink_.snapshot_requests(), 1);
  ASSERT_TRUE(sink_.wait_opened(1));
  ASSERT_TRUE(sink_.wait_closed(sink_.opened_id(0)));
  EXPECT_TRUE(sink_.frames(sink_.opened_id(0)).empty());
}

TEST_F(FourLetterWordTest, NotWhitelistedWordGetsZooKeepersTextIncludingRuok) {
  start();
  EXPECT_EQ(ask("ruok"), testing::read_fixture("not_whitelisted_ruok.txt"));
  EXPECT_EQ(ask("stat"), testing::read_fixture("not_whitelisted_stat.txt"));
  EXPECT_EQ(sink_.snapshot_requests(), 0);
}

TEST_F(FourLetterWordTest, RuokAnswersImokWithoutASnapshot) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  start(o);
  EXPECT_EQ(ask("ruok"), "imok");
  EXPECT_EQ(sink_.snapshot_requests(), 0);
}

TEST_F(FourLetterWordTest, EveryWordAnswersAndClosesWithFullWhitelist) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  start(o);
  EXPECT_EQ(ask("isro"), "rw");
  EXPECT_EQ(ask("gtmk"), "306");
  EXPECT_TRUE(ask("envi").starts_with("Environment:\nzookeeper.version=3.8.0-paddock-test"));
  EXPECT_TRUE(ask("mntr").starts_with("zk_version\t3.8.0-paddock-test, built on today\n"
                                      "zk_server_state\tstandalone\n"));
  EXPECT_TRUE(ask("stat").starts_with("Zookeeper version: "));
  EXPECT_EQ(ask("wchs"), "0 connections watching 0 paths\nTotal watches:0\n");
  EXPECT_EQ(ask("hash"), "");
}

TEST_F(FourLetterWordTest, CrstAndSrstResetStatisticsAndAnswerZooKeepersText) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"crst", "srst"};
  start(o);
  EXPECT_EQ(ask("crst"), testing::read_fixture("crst.txt"));
  EXPECT_EQ(ask("srst"), testing::read_fixture("srst.txt"));
  EXPECT_EQ(sink_.resets(), (std::vector<bool>{true, false}));
}

TEST_F(FourLetterWordTest, StmkSetsTheMaskGtmkReports) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  start(o);
  std::string stmk = "stmk";
  stmk += std::string(7, '\0') + '\x05';
  EXPECT_EQ(ask(stmk), "5");
  EXPECT_EQ(ask("gtmk"), "5");
}

TEST_F(FourLetterWordTest, WordAndStmkArgumentSplitAcrossWritesAreRecognised) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  start(o);
  {
    TestClient c(port_);
    ASSERT_TRUE(c.write("ru"));
    open(c);
    ASSERT_TRUE(c.write("ok"));
    EXPECT_EQ(c.read_until_closed().value_or("<not closed>"), "imok");
  }
  TestClient c(port_);
  ASSERT_TRUE(c.write("stmk"));
  open(c);
  ASSERT_TRUE(c.write(std::string(7, '\0')));
  ASSERT_TRUE(c.write(std::string(1, '\x07')));
  EXPECT_EQ(c.read_until_closed().value_or("<not closed>"), "7");
}

TEST_F(FourLetterWordTest, WordAfterTheFirstFrameIsReadAsALength) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  start(o);
  TestClient c(port_);
  auto id = open(c);
  ASSERT_TRUE(c.write(frame("connect") + "ruok"));
  auto got = c.read_until_closed();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "");  // "ruok" = 0x72756f6b bytes: too long, closed without an answer
  ASSERT_TRUE(sink_.wait_closed(id));
  EXPECT_EQ(sink_.frames(id).size(), 1u);
}

TEST_F(FourLetterWordTest, NullSnapshotAnswersNotServing) {
  ClientPortOptions o;
  o.four_letter_whitelist = {"*"};
  sink_.snapshot = nullptr;
  start(o);
  EXPECT_EQ(ask("srvr"), "This ZooKeeper instance is not currently serving requests\n");
}

}  // namespace
}  // namespace paddock::server
