#include "quorum/payloads.h"

#include <gtest/gtest.h>

namespace paddock::quorum {
namespace {

TEST(Payloads, LearnerInfoIs20BytesAndReadsLegacyForms) {
  std::string bytes = encode_learner_info({7, kQuorumProtocolVersion, 0x100000000, {}});
  ASSERT_EQ(bytes.size(), 20u);
  EXPECT_EQ(*decode_learner_info(bytes),
            (LearnerInfo{7, kQuorumProtocolVersion, 0x100000000, std::nullopt}));
  EXPECT_EQ(decode_learner_info(bytes.substr(0, 8))->sid, 7);
  EXPECT_EQ(decode_learner_info(bytes.substr(0, 12))->protocol_version, kQuorumProtocolVersion);
  EXPECT_FALSE(decode_learner_info(bytes.substr(0, 10)));
}

TEST(Payloads, PaddocksLearnerInfoAppendsTheCurrentEpochAfterZooKeepersTwentyBytes) {
  LearnerInfo info{7, kQuorumProtocolVersion, 0, 5};
  std::string bytes = encode_learner_info(info);
  ASSERT_EQ(bytes.size(), 28u);
  EXPECT_EQ(*decode_learner_info(bytes), info);
  // What a ZooKeeper leader reads: the first 20 bytes, the same sid and versions.
  EXPECT_EQ(bytes.substr(0, 20), encode_learner_info({7, kQuorumProtocolVersion, 0, {}}));
  EXPECT_FALSE(decode_learner_info(bytes.substr(0, 24)));
}

TEST(Payloads, PingTouchesRoundTrip) {
  std::vector<SessionTouch> touches{{0x100000000000001, 30000}, {0x200000000000002, 4000}};
  std::string bytes = encode_touches(touches);
  EXPECT_EQ(bytes.size(), 24u);
  EXPECT_EQ(*decode_touches(bytes), touches);
  EXPECT_TRUE(decode_touches("")->empty());
  EXPECT_FALSE(decode_touches("12345"));
}

TEST(Payloads, RevalidateIs12BytesOutAnd9Back) {
  EXPECT_EQ(encode_revalidate_query(5, 3000).size(), 12u);
  EXPECT_EQ(decode_revalidate_query(encode_revalidate_query(5, 3000))->timeout_ms, 3000);
  std::string answer = encode_revalidate_answer(5, true);
  EXPECT_EQ(answer.size(), 9u);
  EXPECT_EQ(*decode_revalidate_answer(answer), std::make_pair(int64_t{5}, true));
}

TEST(Payloads, RequestKeepsSessionCxidTypeBodyAndAuth) {
  ForwardedRequest r{0x300000000000009, 42, 1, "body", std::vector<AuthId>{{"ip", "127.0.0.1"}}};
  QuorumPacket p = encode_request(r);
  EXPECT_EQ(p.type, PacketType::kRequest);
  EXPECT_EQ(p.zxid, -1);
  EXPECT_EQ(*decode_request(p), r);
}

TEST(Payloads, TxnZxidPeeksAtTheHeader) {
  std::string txn(32, '\0');
  txn[12 + 3] = 0x05;  // zxid 0x0000000500000000
  EXPECT_EQ(*txn_zxid(txn), 0x500000000);
  EXPECT_FALSE(txn_zxid("short"));
}

}  // namespace
}  // namespace paddock::quorum
