#include "server/snapshot_pieces.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace paddock::server {
namespace {

using pipeline::ServerSnapshot;
using pipeline::SnapshotRequest;

// Answers each request at once with the next of its prepared pieces, remembering what was
// asked (the collector asks again from inside the callback, as it does on the pipeline
// thread).
class PieceSink final : public pipeline::RequestSink {
 public:
  void connection_opened(pipeline::ConnectionId, std::string, uint16_t) override {}
  void frames_received(pipeline::FrameBatch& batch) override { batch.clear(); }
  void request_snapshot(const SnapshotRequest& what, pipeline::SnapshotCallback done) override {
    asked.push_back(what);
    std::shared_ptr<const ServerSnapshot> piece;
    if (next < pieces.size()) piece = pieces[next++];
    done(std::move(piece));
  }
  void reset_statistics(bool) override {}
  void connection_closed(pipeline::ConnectionId) override {}

  std::vector<std::shared_ptr<const ServerSnapshot>> pieces;
  size_t next = 0;
  std::vector<SnapshotRequest> asked;
};

std::shared_ptr<ServerSnapshot> piece(std::vector<pipeline::WatchSnapshot> watches, bool complete,
                                      uint64_t next_bucket) {
  auto s = std::make_shared<ServerSnapshot>();
  s->watches = std::move(watches);
  s->complete = complete;
  s->next.watch_bucket = next_bucket;
  return s;
}

TEST(SnapshotPiecesTest, OnePieceIsHandedOnAsItIs) {
  PieceSink sink;
  auto only = piece({{1, 1, "/a"}}, true, 0);
  sink.pieces = {only};
  std::shared_ptr<const ServerSnapshot> got;
  request_whole_snapshot(sink, SnapshotRequest{}, [&](auto s) { got = std::move(s); });
  EXPECT_EQ(got, only);
  EXPECT_EQ(sink.asked.size(), 1u);
}

TEST(SnapshotPiecesTest, PiecesAreAskedForFromWhereTheLastEndedAndJoined) {
  PieceSink sink;
  auto first = piece({{1, 1, "/a"}}, false, 5);
  first->watch_count = 3;
  first->connection_count = 2;
  sink.pieces = {first, piece({{1, 1, "/b"}}, false, 9), piece({{2, 2, "/c"}}, true, 12)};
  SnapshotRequest what;
  what.watches = true;
  std::shared_ptr<const ServerSnapshot> got;
  request_whole_snapshot(sink, what, [&](auto s) { got = std::move(s); });
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(got->complete);
  ASSERT_EQ(got->watches.size(), 3u);
  EXPECT_EQ(got->watches[0].path, "/a");
  EXPECT_EQ(got->watches[2].path, "/c");
  EXPECT_EQ(got->watch_count, 3u);  // the counters of the first piece
  EXPECT_EQ(got->connection_count, 2u);
  ASSERT_EQ(sink.asked.size(), 3u);
  EXPECT_TRUE(sink.asked[1].watches);
  EXPECT_EQ(sink.asked[1].from.watch_bucket, 5u);
  EXPECT_EQ(sink.asked[2].from.watch_bucket, 9u);
}

TEST(SnapshotPiecesTest, NoSnapshotMeansNoSnapshot) {
  PieceSink sink;
  sink.pieces = {piece({}, false, 1)};  // then null: the pipeline stopped
  bool called = false;
  request_whole_snapshot(sink, SnapshotRequest{}, [&](auto s) {
    called = true;
    EXPECT_EQ(s, nullptr);
  });
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace paddock::server
