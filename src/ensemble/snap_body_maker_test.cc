#include "ensemble/snap_body_maker.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "peer/zk_snapshot_stream.h"
#include "state/tree_test_util.h"

namespace paddock::ensemble {
namespace {

// spdlog makes its registry on first use. paddockd logs long before any SNAP; here it is
// made before the first fork and reader thread, as there. (ThreadSanitizer reports a
// registry first made in the parent right after a fork, while a reader thread logs too.)
const std::shared_ptr<spdlog::logger> kLoggerMadeBeforeAnyFork = spdlog::default_logger();

void fill(state::DataTree& tree, int nodes, size_t data_bytes) {
  state::testing::TreeDriver d(tree);
  for (int i = 0; i < nodes; ++i) d.create("/n" + std::to_string(i), std::string(data_bytes, 'x'));
}

// Waits until `body` is done (at most 60 s); false if it never was.
bool wait_done(const std::shared_ptr<peer::SnapBody>& body) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  body->when_done([done] { done->set_value(); });
  return f.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
}

TEST(SnapBodyMaker, AForkedBodyIsTheTreeAsItStoodWhenAskedFor) {
  state::DataTree tree;
  fill(tree, 2000, 100);
  const std::string expected = peer::encode_zk_snapshot_body(tree);

  SnapBodyMaker maker(/*fork_min_nodes=*/0);
  std::shared_ptr<peer::SnapBody> body = maker.make(tree);
  // The state thread goes on changing the tree while the child serializes its image.
  state::testing::TreeDriver d(tree);
  for (int i = 0; i < 500; ++i) {
    d.set_data("/n" + std::to_string(i), std::string("changed"));
    d.create("/later" + std::to_string(i));
  }
  d.remove("/n1999");

  ASSERT_TRUE(wait_done(body));
  EXPECT_EQ(body->failure(), "");
  EXPECT_EQ(body->bytes().size(), expected.size());
  EXPECT_TRUE(body->bytes() == expected);
  EXPECT_NE(peer::encode_zk_snapshot_body(tree), expected);
  const SnapBodyMaker::Stats s = maker.stats();
  EXPECT_EQ(s.forked, 1u);
  EXPECT_EQ(s.made_inline, 0u);
  EXPECT_EQ(s.failed, 0u);
}

TEST(SnapBodyMaker, ASmallTreeIsSerializedOnTheSpot) {
  state::DataTree tree;
  fill(tree, 10, 10);
  SnapBodyMaker maker(/*fork_min_nodes=*/100);
  std::shared_ptr<peer::SnapBody> body = maker.make(tree);
  ASSERT_TRUE(body->done());
  EXPECT_EQ(body->bytes(), peer::encode_zk_snapshot_body(tree));
  EXPECT_EQ(maker.stats().made_inline, 1u);
  EXPECT_EQ(maker.stats().forked, 0u);
}

TEST(SnapBodyMaker, SeveralBodiesInTurnAreEachWhole) {
  state::DataTree tree;
  fill(tree, 300, 50);
  SnapBodyMaker maker(0);
  std::vector<std::pair<std::shared_ptr<peer::SnapBody>, std::string>> made;
  state::testing::TreeDriver d(tree);
  for (int round = 0; round < 5; ++round) {
    made.emplace_back(maker.make(tree), peer::encode_zk_snapshot_body(tree));
    d.create("/round" + std::to_string(round), std::string(10, 'r'));
  }
  for (auto& [body, expected] : made) {
    ASSERT_TRUE(wait_done(body));
    EXPECT_TRUE(body->bytes() == expected);
  }
  EXPECT_EQ(maker.stats().forked, 5u);
}

TEST(SnapBodyMaker, KeepsNoBodyOnceItIsDone) {
  // A leader whose learner left while its body was made must not hold the bytes on.
  state::DataTree tree;
  fill(tree, 1000, 100);
  SnapBodyMaker maker(0);
  std::shared_ptr<peer::SnapBody> body = maker.make(tree);
  ASSERT_TRUE(wait_done(body));
  std::weak_ptr<peer::SnapBody> weak = body;
  body.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!weak.expired() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(weak.expired());
}

TEST(SnapBodyMaker, StopKillsAChildStillSerializingAndFailsItsBody) {
  state::DataTree tree;
  fill(tree, 200000, 200);  // long enough to serialize that stop() finds the child at work
  SnapBodyMaker maker(0);
  std::shared_ptr<peer::SnapBody> body = maker.make(tree);
  maker.stop();
  ASSERT_TRUE(body->done());  // stop() joined the reader: nothing is left waiting
  EXPECT_NE(body->failure().find("killed by signal 9"), std::string::npos) << body->failure();
  EXPECT_EQ(maker.stats().failed, 1u);
  // After stop() bodies are made on the spot.
  std::shared_ptr<peer::SnapBody> after = maker.make(tree);
  EXPECT_TRUE(after->done());
  EXPECT_EQ(after->failure(), "");
}

}  // namespace
}  // namespace paddock::ensemble
