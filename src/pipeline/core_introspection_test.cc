// Introspection on the pipeline thread: counters without copying tables, and tables in
// bounded pieces.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "pipeline/local_orderer.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/pipeline_test_support.h"
#include "proto/records.h"

namespace paddock::pipeline {
namespace {

using testing_support::CoreDriver;
using testing_support::ManualClock;
using testing_support::RecordingChannel;

class CoreIntrospectionTest : public ::testing::Test {
 protected:
  CoreIntrospectionTest()
      : db_(state::DatabaseOptions{}),
        orderer_(0, [this](int64_t zxid, std::string) { orderer_.on_durable(zxid); }) {
    driver_ = std::make_unique<CoreDriver>(PipelineOptions{}, db_, orderer_, channel_, clock_);
  }

  int64_t connect(ConnectionId conn) {
    driver_->connection_opened(conn, "127.0.0.1", static_cast<uint16_t>(40000 + conn));
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.passwd = std::string(16, '\0');
    driver_->frame_received(conn, proto::encode(req));
    proto::ConnectResponse resp;
    auto frames = channel_.frames(conn);
    EXPECT_FALSE(frames.empty());
    if (!frames.empty()) {
      EXPECT_TRUE(proto::decode(std::string_view(frames[0]).substr(4), resp));
    }
    return resp.session_id;
  }

  // One request handled as the thread adapter handles it: one event, one turn.
  std::shared_ptr<const ServerSnapshot> ask(const SnapshotRequest& what) {
    std::shared_ptr<const ServerSnapshot> got;
    PipelineCore::Event event = PipelineCore::SnapshotAsked{
        what, [&](std::shared_ptr<const ServerSnapshot> s) { got = std::move(s); }};
    driver_->core().handle(event, Now{clock_.monotonic_ms(), clock_.wall_ms()});
    driver_->core().end_turn();
    EXPECT_NE(got, nullptr);
    return got;
  }

  state::WatchRegistry& watches() { return db_.tree().watches(); }

  ManualClock clock_;
  state::Database db_;
  LocalOrderer orderer_;
  RecordingChannel channel_;
  std::unique_ptr<CoreDriver> driver_;
};

TEST_F(CoreIntrospectionTest, CountersForWchsAndMntrCopyNoWatchSessionOrConnectionTable) {
  connect(1);
  connect(2);
  for (int i = 0; i < 100'000; ++i) {
    const std::string path = "/w" + std::to_string(i);
    watches().add(path, 1, state::WatchKind::kData);
    if (i % 10 == 0) watches().add(path, 2, state::WatchKind::kChild);
  }
  watches().add("/w5", 2, state::WatchKind::kData);

  auto snap = ask(SnapshotRequest{});  // what mntr, srvr, wchs, conf, envi and isro ask for
  EXPECT_TRUE(snap->complete);
  EXPECT_TRUE(snap->watches.empty());
  EXPECT_TRUE(snap->sessions.empty());
  EXPECT_TRUE(snap->ephemerals.empty());
  EXPECT_TRUE(snap->connections.empty());
  EXPECT_EQ(snap->watch_count, 100'000u + 10'000u + 1u);
  EXPECT_EQ(snap->data_watch_count, 100'001u);
  EXPECT_EQ(snap->watched_paths, 100'000u);
  EXPECT_EQ(snap->watching_connections, 2u);
  EXPECT_EQ(snap->connection_count, 2u);
  EXPECT_EQ(snap->session_count, 2u);
}

TEST_F(CoreIntrospectionTest, ConnectionsAreListedOnlyWhenAskedFor) {
  const int64_t session = connect(7);
  SnapshotRequest what;
  what.connections = true;
  auto snap = ask(what);
  EXPECT_TRUE(snap->complete);
  ASSERT_EQ(snap->connections.size(), 1u);
  EXPECT_EQ(snap->connections[0].session_id, session);
  EXPECT_EQ(snap->connections[0].peer_port, 40007);
  EXPECT_TRUE(snap->watches.empty());
}

TEST_F(CoreIntrospectionTest, ListingOfManyWatchesArrivesCompleteInBoundedPieces) {
  const int64_t s1 = connect(1);
  const int64_t s2 = connect(2);
  std::set<std::tuple<int64_t, ConnectionId, std::string>> expected;
  for (int i = 0; i < 30'000; ++i) {
    const std::string path = "/w" + std::to_string(i);
    const ConnectionId conn = i % 3 == 0 ? 2 : 1;
    watches().add(path, conn, state::WatchKind::kData);
    expected.emplace(conn == 1 ? s1 : s2, conn, path);
  }

  SnapshotRequest what;
  what.watches = true;
  std::set<std::tuple<int64_t, ConnectionId, std::string>> seen;
  size_t pieces = 0;
  for (;;) {
    auto piece = ask(what);
    ++pieces;
    EXPECT_LE(piece->watches.size(), 4096u + 64u) << "piece " << pieces;
    for (const WatchSnapshot& w : piece->watches) seen.emplace(w.session_id, w.connection, w.path);
    if (piece->complete) break;
    what.from = piece->next;
    // Requests go on between pieces: a watch set meanwhile may or may not be listed.
    watches().add("/late" + std::to_string(pieces), 1, state::WatchKind::kData);
    ASSERT_LT(pieces, 1000u);
  }
  EXPECT_GE(pieces, 7u);
  for (const auto& w : expected) EXPECT_TRUE(seen.count(w)) << std::get<2>(w);
  for (const auto& w : seen) {
    EXPECT_TRUE(expected.count(w) || std::get<2>(w).starts_with("/late")) << std::get<2>(w);
  }
}

TEST_F(CoreIntrospectionTest, SessionsComeInPiecesInIdOrderWhileSessionsClose) {
  for (int64_t id = 1; id <= 10'000; ++id) {
    proto::Txn txn = db_.prep_create_session(id, 4000 + static_cast<int32_t>(id % 5), id, 0);
    db_.apply(txn, nullptr);
  }
  SnapshotRequest what;
  what.sessions = true;
  what.ephemerals = true;
  std::vector<std::pair<int64_t, int32_t>> seen;
  size_t pieces = 0;
  for (;;) {
    auto piece = ask(what);
    ++pieces;
    EXPECT_LE(piece->sessions.size(), 4096u);
    seen.insert(seen.end(), piece->sessions.begin(), piece->sessions.end());
    if (piece->complete) break;
    what.from = piece->next;
    ASSERT_LT(pieces, 100u);
    if (pieces == 1) {  // the session the next piece starts from closes meanwhile
      const int64_t next = seen.back().first + 1;
      proto::Txn close = db_.prep_close_session(next, 20'000, 0);
      db_.apply(close, nullptr);
    }
  }
  EXPECT_EQ(pieces, 3u);
  ASSERT_EQ(seen.size(), 9'999u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1].first, seen[i].first);
  EXPECT_EQ(seen.back(), std::make_pair(int64_t{10'000}, int32_t{4000}));
}

}  // namespace
}  // namespace paddock::pipeline
