#include "peer/quorum_codec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "peer/peer_test_util.h"
#include "proto/jute.h"
#include "state/tree_test_util.h"

namespace paddock::peer {
namespace {

using quorum::AuthId;
using quorum::PacketType;
using quorum::QuorumPacket;
using testing::from_hex;

// Three QuorumPackets written by ZooKeeper 3.8.0's own jute classes on this machine:
// REQUEST(zxid -1, data 010203, authinfo [ip:127.0.0.1]); ACK(0x100000001, null, null);
// PING(0x100000002, empty data, null authinfo).
constexpr std::string_view kZkPacketsHex =
    "00000001ffffffffffffffff0000000301020300000001000000026970000000093132372e302e302e31000000"
    "030000000100000001ffffffffffffffff00000005000000010000000200000000ffffffff";

std::vector<QuorumPacket> zk_packets() {
  return {
      QuorumPacket{PacketType::kRequest, -1, std::string("\1\2\3"),
                   std::vector<AuthId>{{"ip", "127.0.0.1"}}},
      QuorumPacket{PacketType::kAck, 0x100000001, std::nullopt, std::nullopt},
      QuorumPacket{PacketType::kPing, 0x100000002, std::string(), std::nullopt},
  };
}

QuorumPacket snap_packet() {
  state::DataTree tree;
  state::testing::TreeDriver d(tree);
  d.create("/a", std::string("x"));
  d.create("/a/b", std::nullopt);
  return QuorumPacket{PacketType::kSnap, 0x100000002, encode_zk_snapshot_body(tree), std::nullopt};
}

std::vector<QuorumPacket> drain(QuorumStreamDecoder& d) {
  std::vector<QuorumPacket> out;
  for (;;) {
    auto p = d.next();
    EXPECT_TRUE(p) << p.error();
    if (!p || !*p) return out;
    out.push_back(std::move(**p));
  }
}

TEST(QuorumCodec, PacketsEncodeAsZooKeeperWritesThem) {
  std::string out;
  for (const QuorumPacket& p : zk_packets()) append_quorum_packet(p, out);
  EXPECT_EQ(out, from_hex(kZkPacketsHex));
}

TEST(QuorumCodec, PacketSizeIsWhatEncodingAdds) {
  std::vector<QuorumPacket> packets = zk_packets();
  packets.push_back(snap_packet());
  packets.push_back(
      QuorumPacket{PacketType::kRequest, 7, std::string(1000, 'd'),
                   std::vector<AuthId>{{"digest", "u:h"}, {"x509", "CN=a"}, {"", ""}}});
  packets.push_back(QuorumPacket{PacketType::kRequest, 8, std::nullopt, std::vector<AuthId>{}});
  for (const QuorumPacket& p : packets) {
    EXPECT_EQ(quorum_packet_size(p), encode_quorum_packet(p).size()) << static_cast<int>(p.type);
  }
}

TEST(QuorumCodec, DecoderKeepsNullAndEmptyApart) {
  QuorumStreamDecoder d;
  d.feed(from_hex(kZkPacketsHex));
  EXPECT_EQ(drain(d), zk_packets());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(QuorumCodec, SnapIsWrittenWithNullDataThenBodyThenSignature) {
  const QuorumPacket snap = snap_packet();
  const std::string wire = encode_quorum_packet(snap);
  proto::JuteReader r(wire);
  EXPECT_EQ(r.i32(), 15);
  EXPECT_EQ(r.i64(), 0x100000002);
  EXPECT_EQ(r.nullable_buffer(), std::nullopt);
  EXPECT_EQ(r.i32(), -1);  // authinfo
  EXPECT_EQ(r.raw(snap.data->size()), *snap.data);
  EXPECT_EQ(r.string(), "BenWasHere");
  EXPECT_TRUE(r.ok() && r.at_end());
  EXPECT_EQ(encode_snap_head(snap) + *snap.data + encode_snap_tail(), wire);
}

// testdata/snap_stream_read_by_zk38.bin was written by this encoder and read back by Apache
// ZooKeeper 3.8.0's own classes (testdata/ReadSnap.java: QuorumPacket, then
// SerializeUtils.deserializeSnapshot, then the signature): 11 nodes, the session, the ACLs,
// null data, the TTL and ephemeral owners, and a tree digest equal to Paddock's. The bytes must
// not drift.
TEST(QuorumCodec, SnapStreamMatchesTheBytesZooKeeperRead) {
  state::DataTree tree;
  state::testing::TreeDriver d(tree);
  d.apply(proto::CreateSessionTxn{30000}, 0x0100000000010000);
  d.create("/a", std::string("hello"));
  d.create("/a/b", std::string());
  d.create("/nulldata", std::nullopt);
  d.create("/eph", std::string("e"), true, 0x0100000000010000);
  proto::AclList digest_acl{{proto::perm::kAll, {"digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="}}};
  d.apply(proto::CreateTxn{"/secret", std::string("s"), digest_acl, false, d.next_cversion("/x")});
  d.apply(proto::CreateTtlTxn{"/ttl", std::string("t"), state::testing::open_acl(),
                              d.next_cversion("/x"), 60000});
  EXPECT_EQ(tree.digest(), 10558180533);  // what ZooKeeper computed for the tree it read
  const QuorumPacket snap{PacketType::kSnap, tree.last_zxid(), encode_zk_snapshot_body(tree),
                          std::nullopt};
  auto path =
      std::filesystem::path(__FILE__).parent_path() / "testdata" / "snap_stream_read_by_zk38.bin";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(encode_quorum_packet(snap), golden.str());
  QuorumStreamDecoder decoder;
  decoder.feed(golden.str());
  auto back = decoder.next();
  ASSERT_TRUE(back && *back);
  EXPECT_EQ(**back, snap);
}

TEST(QuorumCodec, SnapBodyComesBackAsDataWhateverTheSplit) {
  std::string wire;
  append_quorum_packet(zk_packets()[1], wire);
  append_quorum_packet(snap_packet(), wire);
  append_quorum_packet(zk_packets()[2], wire);
  const std::vector<QuorumPacket> expected{zk_packets()[1], snap_packet(), zk_packets()[2]};
  for (size_t step : {1u, 2u, 5u, 13u, 4096u}) {
    QuorumStreamDecoder d;
    std::vector<QuorumPacket> got;
    for (size_t at = 0; at < wire.size(); at += step) {
      d.feed(std::string_view(wire).substr(at, step));
      for (QuorumPacket& p : drain(d)) got.push_back(std::move(p));
    }
    EXPECT_EQ(got, expected) << "step " << step;
  }
}

TEST(QuorumCodec, SnapWithoutSignatureIsAnError) {
  const QuorumPacket snap = snap_packet();
  std::string wire = encode_snap_head(snap) + *snap.data;
  proto::JuteWriter(wire).string("BenWasThere");
  QuorumStreamDecoder d;
  d.feed(wire);
  EXPECT_FALSE(d.next());
  EXPECT_FALSE(d.next());  // sticky
}

TEST(QuorumCodec, BadLengthsAndTypesAreErrors) {
  auto packet = [](int32_t type, int32_t data_len, int32_t auth_count) {
    std::string out;
    proto::JuteWriter w(out);
    w.i32(type);
    w.i64(0);
    w.i32(data_len);
    w.i32(auth_count);
    return out;
  };
  const std::string cases[] = {
      packet(0, -1, -1),               // unknown type
      packet(20, -1, -1),              // unknown type
      packet(3, -2, -1),               // negative data length
      packet(3, 2 * 0xfffff + 1, -1),  // past jute.maxbuffer + extrasize
      packet(3, -1, -2),               // negative count
      packet(3, -1, 1025),             // too many auth ids
  };
  for (const std::string& bytes : cases) {
    QuorumStreamDecoder d;
    d.feed(bytes);
    EXPECT_FALSE(d.next());
  }
  QuorumStreamDecoder big;
  big.feed(packet(3, 2 * 0xfffff, -1));  // the largest buffer allowed: waits for its bytes
  auto p = big.next();
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST(QuorumCodec, IncompleteSnapBodyPastTheLimitIsAnError) {
  QuorumDecoderLimits limits;
  limits.max_snapshot_bytes = 100;
  QuorumStreamDecoder d(limits);
  QuorumPacket snap = snap_packet();
  snap.data = encode_zk_snapshot_body(state::DataTree(), SessionTimeouts(20, {1, 2}));
  d.feed(encode_quorum_packet(snap));
  EXPECT_FALSE(d.next());
}

TEST(QuorumCodecFuzz, MangledStreamsNeverCrash) {
  std::mt19937_64 rng(99);
  std::string good = from_hex(kZkPacketsHex);
  append_quorum_packet(snap_packet(), good);
  append_quorum_packet(zk_packets()[0], good);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = i % 5 == 0 ? testing::random_bytes(rng, 300) : testing::mangle(good, rng);
    QuorumStreamDecoder d;
    const size_t step = 1 + rng() % 64;
    for (size_t at = 0; at < bytes.size(); at += step) {
      d.feed(std::string_view(bytes).substr(at, step));
      for (int k = 0; k < 8; ++k) {
        auto p = d.next();
        if (!p || !*p) break;
      }
    }
  }
}

}  // namespace
}  // namespace paddock::peer
