#include "peer/election_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "peer/peer_test_util.h"
#include "proto/jute.h"

namespace paddock::peer {
namespace {

using quorum::Notification;
using quorum::ServerState;
using testing::from_hex;

// FastLeaderElection.buildMsg(LEADING, 3, 0x200000005, 7, 2, config) from ZooKeeper 3.8.0's
// jar, run on this machine.
constexpr std::string_view kZkNotificationHex =
    "00000002000000000000000300000002000000050000000000000007000000000000000200000002000000327365"
    "727665722e313d3132372e302e302e313a323838383a333838383a7061727469636970616e740a76657273696f6e"
    "3d30";

Notification sample() {
  Notification n;
  n.state = ServerState::kLeading;
  n.leader = 3;
  n.zxid = 0x200000005;
  n.election_epoch = 7;
  n.peer_epoch = 2;
  n.version = 2;
  n.config = "server.1=127.0.0.1:2888:3888:participant\nversion=0";
  return n;
}

std::string legacy_message(size_t size) {
  std::string out;
  proto::JuteWriter w(out);
  w.i32(1);                  // FOLLOWING
  w.i64(2);                  // leader
  w.i64(0x300000009);        // zxid
  w.i64(5);                  // election epoch
  if (size >= 36) w.i64(4);  // peer epoch
  if (size >= 40 && size != 40) w.i32(1);
  out.resize(size);
  return out;
}

TEST(ElectionCodec, NotificationEncodesAsZooKeeperBuildsIt) {
  EXPECT_EQ(encode_notification(sample()), from_hex(kZkNotificationHex));
}

TEST(ElectionCodec, NotificationRoundTrips) {
  auto decoded = decode_notification(from_hex(kZkNotificationHex));
  ASSERT_TRUE(decoded) << decoded.error();
  ASSERT_TRUE(decoded->has_value());
  EXPECT_EQ(**decoded, sample());
}

TEST(ElectionCodec, ShortNotificationIsDropped) {
  auto decoded = decode_notification(std::string(27, '\0'));
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->has_value());
}

TEST(ElectionCodec, TwentyEightByteNotificationTakesPeerEpochFromZxid) {
  auto decoded = decode_notification(legacy_message(28));
  ASSERT_TRUE(decoded) << decoded.error();
  ASSERT_TRUE(decoded->has_value());
  EXPECT_EQ((*decoded)->peer_epoch, 3);
  EXPECT_EQ((*decoded)->version, 0);
  EXPECT_EQ((*decoded)->state, ServerState::kFollowing);
  EXPECT_TRUE((*decoded)->config.empty());
}

TEST(ElectionCodec, FortyByteNotificationHasNoVersion) {
  auto decoded = decode_notification(legacy_message(40));
  ASSERT_TRUE(decoded) << decoded.error();
  ASSERT_TRUE(decoded->has_value());
  EXPECT_EQ((*decoded)->peer_epoch, 4);
  EXPECT_EQ((*decoded)->version, 0);
}

TEST(ElectionCodec, VersionOneNotificationCarriesNoConfig) {
  std::string m = legacy_message(44);
  auto decoded = decode_notification(m);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ((*decoded)->version, 1);
  EXPECT_TRUE((*decoded)->config.empty());
}

TEST(ElectionCodec, PartialNotificationSizesAreErrors) {
  for (size_t size : {29u, 35u, 36u, 39u}) {
    EXPECT_FALSE(decode_notification(legacy_message(size))) << size;
  }
  // Version 2 promises a config length that is not there.
  for (size_t size : {41u, 43u}) {
    EXPECT_FALSE(decode_notification(encode_notification(sample()).substr(0, size))) << size;
  }
}

TEST(ElectionCodec, ConfigLengthPastTheMessageIsAnError) {
  std::string m = from_hex(kZkNotificationHex);
  m.pop_back();
  EXPECT_FALSE(decode_notification(m));
  std::string negative = encode_notification(sample()).substr(0, 40);
  proto::JuteWriter(negative).i32(-1);
  EXPECT_FALSE(decode_notification(negative));
}

TEST(ElectionCodec, UnknownStateIsDropped) {
  std::string m = encode_notification(sample());
  m[3] = 9;
  auto decoded = decode_notification(m);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->has_value());
}

TEST(ElectionCodec, ConnectionInitRoundTrips) {
  const std::string bytes = encode_connection_init(3, "127.0.0.1:3888");
  EXPECT_EQ(bytes.substr(0, 8), from_hex("ffffffffffff0000"));
  size_t consumed = 0;
  auto init = decode_connection_init(bytes + "extra", &consumed);
  ASSERT_TRUE(init) << init.error();
  ASSERT_TRUE(init->has_value());
  EXPECT_EQ((*init)->sid, 3);
  EXPECT_EQ((*init)->addresses, std::vector<std::string>{"127.0.0.1:3888"});
  EXPECT_EQ(consumed, bytes.size());
}

TEST(ElectionCodec, ConnectionInitNeedsAllItsBytes) {
  const std::string bytes = encode_connection_init(3, "[::1]:3888");
  for (size_t n = 0; n < bytes.size(); ++n) {
    size_t consumed = 0;
    auto init = decode_connection_init(bytes.substr(0, n), &consumed);
    ASSERT_TRUE(init) << n;
    EXPECT_FALSE(init->has_value()) << n;
  }
}

TEST(ElectionCodec, BareSidIsAcceptedAsAnOldPeerSendsIt) {
  std::string bytes;
  proto::JuteWriter(bytes).i64(5);
  size_t consumed = 0;
  auto init = decode_connection_init(bytes, &consumed);
  ASSERT_TRUE(init);
  ASSERT_TRUE(init->has_value());
  EXPECT_EQ((*init)->sid, 5);
  EXPECT_EQ(consumed, 8u);
}

TEST(ElectionCodec, BadConnectionInitsAreRejected) {
  size_t consumed = 0;
  std::string unknown;
  proto::JuteWriter(unknown).i64(-2);
  EXPECT_FALSE(decode_connection_init(unknown, &consumed));

  auto with_length = [](int32_t length) {
    std::string out;
    proto::JuteWriter w(out);
    w.i64(kElectionProtocolV1);
    w.i64(1);
    w.i32(length);
    return out;
  };
  EXPECT_FALSE(decode_connection_init(with_length(0), &consumed));
  EXPECT_FALSE(decode_connection_init(with_length(2049), &consumed));
  EXPECT_FALSE(decode_connection_init(with_length(-1), &consumed));
  EXPECT_FALSE(decode_connection_init(encode_connection_init(1, "no-port"), &consumed));
  EXPECT_FALSE(decode_connection_init(encode_connection_init(1, "host:99999"), &consumed));
  EXPECT_TRUE(decode_connection_init(encode_connection_init(1, std::string(2042, 'h') + ":3888"),
                                     &consumed));
}

TEST(ElectionCodec, MultiAddressInitSplitsOnBars) {
  std::string bytes;
  proto::JuteWriter w(bytes);
  w.i64(kElectionProtocolV2);
  w.i64(2);
  w.string("10.0.0.1:3888|10.0.0.2:3888");
  size_t consumed = 0;
  auto init = decode_connection_init(bytes, &consumed);
  ASSERT_TRUE(init) << init.error();
  EXPECT_EQ((*init)->addresses.size(), 2u);
}

TEST(ElectionCodec, StreamDecoderCutsFramesFedByteByByte) {
  const std::string stream = encode_connection_init(2, "127.0.0.1:1") +
                             encode_notification_frame(sample()) +
                             encode_notification_frame(Notification{});
  ElectionStreamDecoder d;
  std::vector<std::string> messages;
  std::optional<ConnectionInit> init;
  for (char c : stream) {
    d.feed(std::string_view(&c, 1));
    auto i = d.init();
    ASSERT_TRUE(i) << i.error();
    if (!*i) continue;
    init = *i;
    for (;;) {
      auto m = d.next_message();
      ASSERT_TRUE(m) << m.error();
      if (!*m) break;
      messages.push_back(**m);
    }
  }
  ASSERT_TRUE(init);
  EXPECT_EQ(init->sid, 2);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(**decode_notification(messages[0]), sample());
  EXPECT_EQ(**decode_notification(messages[1]), Notification{});
}

TEST(ElectionCodec, FrameLengthOutsideLimitsIsAnErrorForGood) {
  for (int32_t length : {0, -1, 524289}) {
    ElectionFrameDecoder d;
    std::string bytes;
    proto::JuteWriter(bytes).i32(length);
    d.feed(bytes);
    EXPECT_FALSE(d.next()) << length;
    d.feed(encode_notification_frame(sample()));
    EXPECT_FALSE(d.next()) << length;
  }
  ElectionFrameDecoder max;
  std::string big;
  proto::JuteWriter(big).buffer(std::string(524288, 'x'));
  max.feed(big);
  auto m = max.next();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->has_value());
}

TEST(ElectionCodecFuzz, MangledInputNeverCrashes) {
  std::mt19937_64 rng(20240917);
  const std::string good = encode_connection_init(2, "127.0.0.1:3888") +
                           encode_notification_frame(sample()) +
                           encode_notification_frame(Notification{});
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = i % 5 == 0 ? testing::random_bytes(rng, 200) : testing::mangle(good, rng);
    ElectionStreamDecoder d;
    d.feed(bytes);
    auto init = d.init();
    if (!init || !*init) continue;
    for (int k = 0; k < 10; ++k) {
      auto m = d.next_message();
      if (!m || !*m) break;
      (void)decode_notification(**m);
    }
    (void)decode_notification(bytes);
  }
}

}  // namespace
}  // namespace paddock::peer
