// QuorumAuthPacket against bytes ZooKeeper 3.8.0 wrote (captured between two real servers
// through a hex-dumping proxy: DIGEST-MD5 and Kerberos exchanges, a refused password).
#include "peer/quorum_auth_codec.h"

#include <gtest/gtest.h>

#include "peer/peer_test_util.h"

namespace paddock::peer {
namespace {

using testing::from_hex;

constexpr size_t kLimit = 0xfffff + 0xfffff;

// A learner's first DIGEST-MD5 packet: IN_PROGRESS, an empty token (length 0, not -1).
constexpr std::string_view kLearnerFirstHex = "5f2435013501edcc0000000000000000";
// The leader's digest-challenge (IN_PROGRESS, 0x6c bytes).
constexpr std::string_view kChallengeHex =
    "5f2435013501edcc000000000000006c7265616c6d3d227a6b2d71756f72756d2d7361736c2d6d6435222c6e"
    "6f6e63653d222f6a7737614c694a6c5258645064693573373734682b4c4446347032442b677977756650722b"
    "2b71222c636861727365743d7574662d382c616c676f726974686d3d6d64352d73657373";
// SUCCESS with DIGEST-MD5's rspauth.
constexpr std::string_view kSuccessRspauthHex =
    "5f2435013501edcc0000000100000028727370617574683d3730626564363735383937336566646534623766"
    "316462386566616131616464";
// SUCCESS after GSSAPI: a null token.
constexpr std::string_view kSuccessNullHex = "5f2435013501edcc00000001ffffffff";
// ERROR after a wrong password: an empty token.
constexpr std::string_view kErrorHex = "5f2435013501edccffffffff00000000";

QuorumAuthPacket decode_whole(std::string_view bytes) {
  size_t consumed = 0;
  size_t needed = 0;
  auto p = decode_quorum_auth_packet(bytes, kLimit, &consumed, &needed);
  EXPECT_TRUE(p) << p.error();
  EXPECT_TRUE(p && *p);
  EXPECT_EQ(consumed, bytes.size());
  return p && *p ? **p : QuorumAuthPacket{};
}

TEST(QuorumAuthCodec, EncodesTheLearnersFirstDigestPacketAsZooKeeper) {
  EXPECT_EQ(encode_quorum_auth_packet(QuorumAuthStatus::kInProgress, std::string()),
            from_hex(kLearnerFirstHex));
}

TEST(QuorumAuthCodec, EncodesSuccessWithAndWithoutATokenAndErrorAsZooKeeper) {
  EXPECT_EQ(encode_quorum_auth_packet(QuorumAuthStatus::kSuccess,
                                      std::string("rspauth=70bed6758973efde4b7f1db8efaa1add")),
            from_hex(kSuccessRspauthHex));
  EXPECT_EQ(encode_quorum_auth_packet(QuorumAuthStatus::kSuccess, std::nullopt),
            from_hex(kSuccessNullHex));
  EXPECT_EQ(encode_quorum_auth_packet(QuorumAuthStatus::kError, std::string()),
            from_hex(kErrorHex));
}

TEST(QuorumAuthCodec, DecodesZooKeepersPackets) {
  QuorumAuthPacket challenge = decode_whole(from_hex(kChallengeHex));
  EXPECT_EQ(challenge.magic, kQuorumAuthMagic);
  EXPECT_EQ(challenge.status, 0);
  ASSERT_TRUE(challenge.token);
  EXPECT_EQ(challenge.token->size(), 0x6cu);
  EXPECT_TRUE(challenge.token->starts_with("realm=\"zk-quorum-sasl-md5\",nonce="));
  EXPECT_TRUE(challenge.token->ends_with(",charset=utf-8,algorithm=md5-sess"));

  QuorumAuthPacket success = decode_whole(from_hex(kSuccessNullHex));
  EXPECT_EQ(success.status, 1);
  EXPECT_FALSE(success.token);  // null, kept apart from empty
  QuorumAuthPacket error = decode_whole(from_hex(kErrorHex));
  EXPECT_EQ(error.status, -1);
  EXPECT_EQ(error.token, std::string());
  EXPECT_EQ(quorum_auth_status_name(error.status), "ERROR");
  EXPECT_EQ(quorum_auth_status_name(7), "UNKNOWN");
}

TEST(QuorumAuthCodec, AsksForMoreBytesUntilAPacketIsWholeAndLeavesTheRest) {
  const std::string bytes = from_hex(kChallengeHex) + from_hex("0000008900");  // + a frame
  for (size_t cut = 0; cut < 124; ++cut) {
    size_t consumed = 7;
    size_t needed = 0;
    auto p = decode_quorum_auth_packet(std::string_view(bytes).substr(0, cut), kLimit, &consumed,
                                       &needed);
    ASSERT_TRUE(p);
    EXPECT_FALSE(*p) << cut;
    EXPECT_EQ(consumed, 0u);
    EXPECT_EQ(needed, cut < 16 ? 16u : 124u);
  }
  size_t consumed = 0;
  size_t needed = 0;
  auto p = decode_quorum_auth_packet(bytes, kLimit, &consumed, &needed);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ(consumed, 124u);  // the election frame after it is not touched
}

TEST(QuorumAuthCodec, RefusesUnreasonableLengthsAsJuteDoes) {
  size_t consumed = 0;
  size_t needed = 0;
  auto negative = decode_quorum_auth_packet(from_hex("5f2435013501edcc00000000fffffffe"), kLimit,
                                            &consumed, &needed);
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().find("Unreasonable length = -2"), std::string::npos);
  auto too_long = decode_quorum_auth_packet(from_hex("5f2435013501edcc0000000000200000"), kLimit,
                                            &consumed, &needed);
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().find("Unreasonable length = 2097152"), std::string::npos);
  // The limit itself is fine (more bytes needed).
  auto at_limit = decode_quorum_auth_packet(from_hex("5f2435013501edcc00000000001ffffe"), kLimit,
                                            &consumed, &needed);
  ASSERT_TRUE(at_limit);
  EXPECT_FALSE(*at_limit);
  EXPECT_EQ(needed, 16u + kLimit);
}

TEST(QuorumAuthCodec, TheMagicIsRecognisedAndOtherPeersFirstBytesAreNot) {
  EXPECT_TRUE(is_quorum_auth_magic(from_hex(kLearnerFirstHex)));
  // A learner without SASL: FOLLOWERINFO's first 8 bytes (type 11, zxid high word).
  EXPECT_FALSE(is_quorum_auth_magic(from_hex("0000000b00000000")));
  // An election initiator without SASL: a notification frame's length and first bytes.
  EXPECT_FALSE(is_quorum_auth_magic(from_hex("0000008900000000")));
  EXPECT_FALSE(is_quorum_auth_magic(from_hex("5f24350135")));  // too short
  // ZooKeeper's non-SASL election receiver reads the magic's first half as a frame length.
  EXPECT_EQ(static_cast<int32_t>(0x5f243501), 1596208385);
}

}  // namespace
}  // namespace paddock::peer
