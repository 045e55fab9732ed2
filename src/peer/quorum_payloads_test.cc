#include "peer/quorum_payloads.h"

#include <gtest/gtest.h>

#include <random>

#include "peer/peer_test_util.h"

namespace paddock::peer {
namespace {

using testing::from_hex;

TEST(QuorumPayloads, LearnerInfoIsTwentyBytes) {
  LearnerInfo info{3, quorum::kQuorumProtocolVersion, 0x100000000};
  const std::string bytes = encode_learner_info(info);
  EXPECT_EQ(bytes, from_hex("0000000000000003"
                            "00010000"
                            "0000000100000000"));
  EXPECT_EQ(*decode_learner_info(bytes), info);
}

TEST(QuorumPayloads, ShortLearnerInfoFormsDecodeAsZooKeeperReadsThem) {
  auto eight = decode_learner_info(from_hex("0000000000000007"));
  ASSERT_TRUE(eight);
  EXPECT_EQ(*eight, (LearnerInfo{7, 1, std::nullopt}));
  auto twelve =
      decode_learner_info(from_hex("0000000000000007"
                                   "00010000"));
  ASSERT_TRUE(twelve);
  EXPECT_EQ(*twelve, (LearnerInfo{7, 0x10000, std::nullopt}));
  EXPECT_FALSE(decode_learner_info(from_hex("00000000000007")));
  EXPECT_FALSE(decode_learner_info(std::nullopt));
}

TEST(QuorumPayloads, IntPayloads) {
  EXPECT_EQ(encode_int_payload(0x10000), from_hex("00010000"));
  EXPECT_EQ(*decode_leader_info(from_hex("00010000")), 0x10000);
  EXPECT_EQ(*decode_ack_epoch(encode_int_payload(-1)), -1);
  EXPECT_FALSE(decode_ack_epoch(std::string("\0\0\0", 3)));
  EXPECT_FALSE(decode_leader_info(std::nullopt));
}

TEST(QuorumPayloads, RevalidateRequestAndReply) {
  RevalidateRequest req{0x0100000000010000, 30000};
  EXPECT_EQ(encode_revalidate_request(req).size(), 12u);
  EXPECT_EQ(*decode_revalidate_request(encode_revalidate_request(req)), req);
  RevalidateReply reply{0x0100000000010000, true};
  EXPECT_EQ(encode_revalidate_reply(reply), from_hex("0100000000010000"
                                                     "01"));
  EXPECT_EQ(*decode_revalidate_reply(encode_revalidate_reply(reply)), reply);
  EXPECT_FALSE(decode_revalidate_request(std::string(11, '\0')));
  EXPECT_FALSE(decode_revalidate_reply(std::string(8, '\0')));
}

TEST(QuorumPayloads, PingTouches) {
  std::vector<SessionTouch> touches{{1, 4000}, {0x0200000000000001, 30000}};
  const std::string bytes = encode_ping_touches(touches);
  EXPECT_EQ(bytes.size(), 24u);
  EXPECT_EQ(*decode_ping_touches(bytes), touches);
  EXPECT_TRUE(decode_ping_touches(std::string())->empty());
  EXPECT_TRUE(decode_ping_touches(std::nullopt)->empty());  // the leader's PING
  EXPECT_FALSE(decode_ping_touches(bytes.substr(0, 13)));
}

TEST(QuorumPayloads, ForwardedRequestKeepsTheRawRecord) {
  ForwardedRequest req{0x0100000000010000, 0, -10, from_hex("00007530")};  // createSession
  const std::string bytes = encode_forwarded_request(req);
  EXPECT_EQ(bytes, from_hex("0100000000010000"
                            "00000000"
                            "fffffff6"
                            "00007530"));
  EXPECT_EQ(*decode_forwarded_request(bytes), req);
  ForwardedRequest close{0x0100000000010000, 5, -11, ""};
  EXPECT_EQ(*decode_forwarded_request(encode_forwarded_request(close)), close);
  EXPECT_FALSE(decode_forwarded_request(std::string(15, '\0')));
}

TEST(QuorumPayloads, ActivatePayloads) {
  EXPECT_EQ(*decode_commit_and_activate(encode_commit_and_activate(3)), 3);
  InformAndActivate inform{2, "txn bytes"};
  EXPECT_EQ(*decode_inform_and_activate(encode_inform_and_activate(inform)), inform);
  EXPECT_FALSE(decode_commit_and_activate(std::string(7, '\0')));
  EXPECT_FALSE(decode_inform_and_activate(std::nullopt));
}

TEST(QuorumPayloadsFuzz, RandomDataNeverCrashes) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    PacketData data;
    if (i % 7 != 0) data = testing::random_bytes(rng, 40);
    (void)decode_learner_info(data);
    (void)decode_leader_info(data);
    (void)decode_ack_epoch(data);
    (void)decode_revalidate_request(data);
    (void)decode_revalidate_reply(data);
    (void)decode_ping_touches(data);
    (void)decode_forwarded_request(data);
    (void)decode_commit_and_activate(data);
    (void)decode_inform_and_activate(data);
  }
}

}  // namespace
}  // namespace paddock::peer
