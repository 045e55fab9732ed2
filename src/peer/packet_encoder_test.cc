#include "peer/packet_encoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "peer/quorum_codec.h"
#include "peer/transport_test_util.h"

namespace paddock::peer {
namespace {

using quorum::PacketType;
using quorum::QuorumPacket;
using testing::diff_of;

std::string encoded(const std::vector<QuorumPacket>& packets) {
  std::string out;
  for (const QuorumPacket& p : packets) append_quorum_packet(p, out);
  return out;
}

bool wait_done(const SnapBody& body) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!body.done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return body.done();
}

TEST(PacketEncoder, EncodesOnItsThreadInTheOrderGiven) {
  PacketEncoder encoder;
  const auto first = diff_of(1000);
  const auto second = diff_of(3);
  PacketEncoder::Encoding a = encoder.encode(first);
  PacketEncoder::Encoding b = encoder.encode(second);
  EXPECT_EQ(a.packets, first.size());
  EXPECT_EQ(a.bytes, encoded(first).size());
  ASSERT_TRUE(wait_done(*b.body));
  ASSERT_TRUE(a.body->done()) << "jobs run in the order given";
  EXPECT_EQ(a.body->bytes(), encoded(first));
  EXPECT_EQ(b.body->bytes(), encoded(second));
  EXPECT_EQ(encoder.encoded(), 2u);
}

TEST(PacketEncoder, AfterStopItEncodesOnTheCallersThread) {
  PacketEncoder encoder;
  encoder.stop();
  const auto packets = diff_of(5);
  PacketEncoder::Encoding e = encoder.encode(packets);
  ASSERT_TRUE(e.body->done());
  EXPECT_EQ(e.body->bytes(), encoded(packets));
  EXPECT_EQ(encoder.encoded(), 0u);
}

TEST(PacketEncoder, StopFailsWhatIsNotEncodedYetOrFinishesIt) {
  PacketEncoder encoder;
  std::vector<PacketEncoder::Encoding> jobs;
  for (int i = 0; i < 20; ++i) jobs.push_back(encoder.encode(diff_of(20000)));
  encoder.stop();
  size_t failed = 0;
  for (const auto& job : jobs) {
    ASSERT_TRUE(job.body->done());  // none is left pending
    if (!job.body->failure().empty()) {
      EXPECT_EQ(job.body->failure(), "shutting down");
      ++failed;
    } else {
      EXPECT_EQ(job.body->bytes().size(), job.bytes);
    }
  }
  EXPECT_EQ(failed + encoder.encoded(), jobs.size());
}

}  // namespace
}  // namespace paddock::peer
