#include "proto/txn.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "proto/jute.h"
#include "proto/records.h"
#include "util/test_hex.h"

namespace paddock::proto {
namespace {

using ::testing::HasSubstr;

using test_hex::from_hex;

const AclList kOpen = {Acl{perm::kAll, Id{"world", "anyone"}}};

TxnHeader header(int32_t type) {
  return TxnHeader{0x100000abc, 3, 0x200000009, 1700000000123, type};
}

// --- golden txns from an Apache ZooKeeper 3.8.0 log (kazoo and zkCli.sh driving it) --------
struct Golden {
  const char* what;
  int32_t type;
  const char* hex;
};
const Golden kGolden[] = {
    {"createSession", -10,
     "0100000b819d0001000000000000000000000006000001a208e7bc9cfffffff6000027100000000200000001"
     "ddef6639"},
    {"create /b hi", 1,
     "0100000b819d0001000000010000000000000007000001a208e7bc9e00000001000000022f62000000026869"
     "000000010000001f00000005776f726c6400000006616e796f6e65000000000200000002000000023a4d596c"},
    {"create sequential", 1,
     "0100000b819d0001000000020000000000000008000001a208e7bca0000000010000000f2f622f732d303030"
     "3030303030303000000000000000010000001f00000005776f726c6400000006616e796f6e65000000000100"
     "0000020000000336fcd1ea"},
    {"setData", 5,
     "0100000b819d0001000000030000000000000009000001a208e7bca200000005000000022f62000000057468"
     "657265000000010000000200000003a63291ad"},
    {"setACL", 7,
     "0100000b819d000100000004000000000000000a000001a208e7bca400000007000000022f62000000010000"
     "001f00000005776f726c6400000006616e796f6e65000000010000000200000003b759a570"},
    {"create ephemeral", 1,
     "0100000b819d000100000005000000000000000b000001a208e7bcaa00000001000000022f65000000000000"
     "00010000001f00000005776f726c6400000006616e796f6e6501000000030000000200000004142087b8"},
    {"failed multi", 14,
     "0100000b819d000100000006000000000000000c000001a208e7bcb50000000e00000004000000010000002c"
     "000000032f6d310000000178000000010000001f00000005776f726c6400000006616e796f6e650000000004"
     "000000050000000f000000022f62000000017900000002ffffffff00000004ffffff99ffffffff00000004ff"
     "fffffe0000000200000004142087b8"},
    {"failed delete", -1,
     "0100000b819d000100000008000000000000000e000001a208e7bcbeffffffffffffff9b"},
    {"delete", 2,
     "0100000b819d00010000000a000000000000000f000001a208e7bcc4000000020000000f2f622f732d303030"
     "3030303030303000000002000000031080dc17"},
    {"closeSession with ephemeral", -11,
     "0100000b819d00010000000b0000000000000010000001a208e7bcc6fffffff500000001000000022f650000"
     "0002000000033f225dae"},
    {"createContainer", 19,
     "0100000b819d0002000000010000000000000012000001a208e7bdc600000013000000042f626f7800000001"
     "63000000010000001f00000005776f726c6400000006616e796f6e650000000400000002000000036dccef0e"},
    {"createTTL", 21,
     "0100000b819d0002000000020000000000000013000001a208e7bdce00000015000000042f74746c00000001"
     "74000000010000001f00000005776f726c6400000006616e796f6e6500000005000000000000ea6000000002"
     "00000003db817556"},
    {"multi", 14,
     "0100000b819d0003000000020000000000000015000001a208e7ccba0000000e00000004000000010000002c"
     "000000032f6d330000000178000000010000001f00000005776f726c6400000006616e796f6e650000000006"
     "000000050000000f000000022f620000000179000000020000000d0000000a000000022f6200000003000000"
     "0200000007000000032f6d330000000200000003d85c04d5"},
    {"closeSession", -11,
     "0100000b819d0003000000030000000000000016000001a208e7ccbcfffffff5000000000000000200000003"
     "d85c04d5"},
    // Null data (buffer length -1) in each record that carries data: zkCli-style creates
    // without data, setData(path, null), and a multi with both.
    {"create /n null data", 1,
     "0100002f8c9b0000000000010000000000000002000001a2090bacea00000001000000022f6effffffff0000"
     "00010000001f00000005776f726c6400000006616e796f6e6500000000010000000200000000cd622b36"},
    {"setData /e null data", 5,
     "0100002f8c9b0000000000030000000000000004000001a2090bacf800000005000000022f65ffffffff0000"
     "00010000000200000001d988cad2"},
    {"createContainer /cn null data", 19,
     "0100002f8c9b0000000000040000000000000005000001a2090bacfa00000013000000032f636effffffff00"
     "0000010000001f00000005776f726c6400000006616e796f6e650000000300000002000000023e9dfcbb"},
    {"createTTL /tn null data", 21,
     "0100002f8c9b0000000000050000000000000006000001a2090bacfc00000015000000032f746effffffff00"
     "0000010000001f00000005776f726c6400000006616e796f6e650000000400000000000186a0000000020000"
     "000262b620af"},
    {"multi: create null, setData null, create empty", 14,
     "01000031490c0000000000020000000000000003000001a2090d683f0000000e00000003000000010000002a"
     "000000022f6dffffffff000000010000001f00000005776f726c6400000006616e796f6e6500000000020000"
     "00050000000e000000022f71ffffffff00000001000000010000002b000000032f6d32000000000000000100"
     "00001f00000005776f726c6400000006616e796f6e65000000000300000002000000028b6d0bc3"},
};
// Indexes of the null-data txns above.
constexpr size_t kNullCreate = 14, kNullSetData = 15, kNullContainer = 16, kNullTtl = 17,
                 kNullMulti = 18;

TEST(Txn, ZooKeeperLogTxnsDecodeAndReencodeByteForByte) {
  for (const Golden& g : kGolden) {
    SCOPED_TRACE(g.what);
    std::string bytes = from_hex(g.hex);
    Result<Txn> txn = decode_txn(bytes);
    ASSERT_TRUE(txn.is_ok()) << txn.error();
    EXPECT_EQ(txn->header.type, g.type);
    EXPECT_TRUE(txn_body_matches_type(g.type, txn->body));
    EXPECT_EQ(txn->digest.has_value(), g.type != -1);
    EXPECT_EQ(encode_txn(*txn), bytes);
  }
}

TEST(Txn, ZooKeeperCreateTxnFieldsDecode) {
  Result<Txn> txn = decode_txn(from_hex(kGolden[1].hex));
  ASSERT_TRUE(txn.is_ok());
  EXPECT_EQ(txn->header, (TxnHeader{0x0100000b819d0001, 1, 7, 0x1a208e7bc9e, 1}));
  EXPECT_EQ(std::get<CreateTxn>(txn->body), (CreateTxn{"/b", "hi", kOpen, false, 2}));
  EXPECT_EQ(txn->digest, std::optional<int64_t>(0x23a4d596c));
}

TEST(Txn, ZooKeeperMultiDecodesOpsInOrder) {
  Result<Txn> txn = decode_txn(from_hex(kGolden[12].hex));
  ASSERT_TRUE(txn.is_ok());
  const MultiTxn& m = std::get<MultiTxn>(txn->body);
  ASSERT_EQ(m.ops.size(), 4u);
  EXPECT_EQ(m.ops[0], (MultiTxnOp{1, CreateTxn{"/m3", "x", kOpen, false, 6}}));
  EXPECT_EQ(m.ops[1], (MultiTxnOp{5, SetDataTxn{"/b", "y", 2}}));
  EXPECT_EQ(m.ops[2], (MultiTxnOp{13, CheckVersionTxn{"/b", 3}}));
  EXPECT_EQ(m.ops[3], (MultiTxnOp{2, DeleteTxn{"/m3"}}));
}

TEST(Txn, ZooKeeperFailedMultiKeepsEarlierBodiesAndErrorEntries) {
  Result<Txn> txn = decode_txn(from_hex(kGolden[6].hex));
  ASSERT_TRUE(txn.is_ok());
  const MultiTxn& m = std::get<MultiTxn>(txn->body);
  ASSERT_EQ(m.ops.size(), 4u);
  EXPECT_EQ(m.ops[2], (MultiTxnOp{-1, ErrorTxn{-103}}));
  EXPECT_EQ(m.ops[3], (MultiTxnOp{-1, ErrorTxn{-2}}));
}

TEST(Txn, ZooKeeperTtlAndCloseSessionFieldsDecode) {
  Result<Txn> ttl = decode_txn(from_hex(kGolden[11].hex));
  ASSERT_TRUE(ttl.is_ok());
  EXPECT_EQ(std::get<CreateTtlTxn>(ttl->body), (CreateTtlTxn{"/ttl", "t", kOpen, 5, 60000}));
  Result<Txn> close = decode_txn(from_hex(kGolden[9].hex));
  ASSERT_TRUE(close.is_ok());
  EXPECT_EQ(std::get<CloseSessionTxn>(close->body).paths_to_delete, std::vector<std::string>{"/e"});
}

TEST(Txn, ZooKeeperNullDataDecodesAsNullNotEmpty) {
  auto body = [](size_t i) {
    Result<Txn> txn = decode_txn(from_hex(kGolden[i].hex));
    EXPECT_TRUE(txn.is_ok());
    return txn.is_ok() ? txn->body : TxnBody{};
  };
  EXPECT_EQ(std::get<CreateTxn>(body(kNullCreate)),
            (CreateTxn{"/n", std::nullopt, kOpen, false, 1}));
  EXPECT_EQ(std::get<SetDataTxn>(body(kNullSetData)), (SetDataTxn{"/e", std::nullopt, 1}));
  EXPECT_EQ(std::get<CreateContainerTxn>(body(kNullContainer)),
            (CreateContainerTxn{"/cn", std::nullopt, kOpen, 3}));
  EXPECT_EQ(std::get<CreateTtlTxn>(body(kNullTtl)),
            (CreateTtlTxn{"/tn", std::nullopt, kOpen, 4, 100000}));
  const MultiTxn m = std::get<MultiTxn>(body(kNullMulti));
  ASSERT_EQ(m.ops.size(), 3u);
  EXPECT_EQ(m.ops[0], (MultiTxnOp{1, CreateTxn{"/m", std::nullopt, kOpen, false, 2}}));
  EXPECT_EQ(m.ops[1], (MultiTxnOp{5, SetDataTxn{"/q", std::nullopt, 1}}));
  EXPECT_EQ(m.ops[2], (MultiTxnOp{1, CreateTxn{"/m2", "", kOpen, false, 3}}));
}

// --- synthetic round trips of every kind ------------------------------------------------------
std::vector<Txn> every_kind() {
  std::vector<Txn> all;
  auto add = [&all](int32_t type, TxnBody body, std::optional<int64_t> digest) {
    all.push_back(Txn{header(type), std::move(body), digest});
  };
  add(1, CreateTxn{"/a", "d", kOpen, false, 1}, 0x1234);
  add(15, CreateTxn{"/e", "", kOpen, true, 7}, std::nullopt);
  add(19, CreateContainerTxn{"/c", "x", kOpen, 3}, -1);
  add(21, CreateTtlTxn{"/t", "y", kOpen, 4, kMaxTtlMs}, 5);
  add(2, DeleteTxn{"/a"}, 6);
  add(20, DeleteTxn{"/c"}, 7);
  add(5, SetDataTxn{"/a", std::string(1000, 'z'), 2}, 8);
  add(16, SetDataTxn{"/zookeeper/config", "server.1=x", -1}, 9);
  add(7, SetAclTxn{"/a", {}, 3}, 10);
  add(-10, CreateSessionTxn{30000}, 11);
  add(-11, CloseSessionTxn{{"/e1", "/e2"}}, 12);
  add(-1, ErrorTxn{-101}, std::nullopt);
  add(1, CreateTxn{"/null", std::nullopt, kOpen, false, 1}, 15);
  add(5, SetDataTxn{"/null", std::nullopt, 2}, 16);
  add(14, MultiTxn{}, 13);
  add(14,
      MultiTxn{{MultiTxnOp{1, CreateTxn{"/m", "", kOpen, false, 2}},
                MultiTxnOp{19, CreateContainerTxn{"/mc", "", kOpen, 3}},
                MultiTxnOp{21, CreateTtlTxn{"/mt", "", kOpen, 4, 1}},
                MultiTxnOp{5, SetDataTxn{"/m", "v", 1}}, MultiTxnOp{13, CheckVersionTxn{"/m", 1}},
                MultiTxnOp{7, SetAclTxn{"/m", kOpen, 1}}, MultiTxnOp{2, DeleteTxn{"/m"}},
                MultiTxnOp{-1, ErrorTxn{0}}}},
      14);
  add(14,
      MultiTxn{{MultiTxnOp{1, CreateTxn{"/n", std::nullopt, kOpen, false, 2}},
                MultiTxnOp{19, CreateContainerTxn{"/nc", std::nullopt, kOpen, 3}},
                MultiTxnOp{21, CreateTtlTxn{"/nt", std::nullopt, kOpen, 4, 1}},
                MultiTxnOp{5, SetDataTxn{"/n", std::nullopt, 1}}}},
      17);
  return all;
}

TEST(Txn, EveryKindRoundTrips) {
  for (const Txn& txn : every_kind()) {
    SCOPED_TRACE(txn.header.type);
    std::string bytes = encode_txn(txn);
    Result<Txn> back = decode_txn(bytes);
    ASSERT_TRUE(back.is_ok()) << back.error();
    EXPECT_EQ(*back, txn);
    EXPECT_TRUE(txn_body_matches_type(txn.header.type, back->body));
  }
}

TEST(Txn, HeaderIs32BytesAndDigestIs12) {
  Txn txn{header(-10), CreateSessionTxn{1}, std::nullopt};
  EXPECT_EQ(encode_txn(txn).size(), kTxnHeaderBytes + 4);
  txn.digest = 1;
  EXPECT_EQ(encode_txn(txn).size(), kTxnHeaderBytes + 4 + 12);
}

TEST(Txn, BodyMatchesTypeFollowsZooKeeperMapping) {
  EXPECT_TRUE(txn_body_matches_type(15, CreateTxn{}));
  EXPECT_TRUE(txn_body_matches_type(16, SetDataTxn{}));
  EXPECT_TRUE(txn_body_matches_type(20, DeleteTxn{}));
  EXPECT_FALSE(txn_body_matches_type(19, CreateTxn{}));
  EXPECT_FALSE(txn_body_matches_type(77, ErrorTxn{}));
}

// --- legacy forms ZooKeeper's readers accept --------------------------------------------------
TEST(Txn, CreateTxnV0WithoutParentCVersionReadsAsMinusOne) {
  std::string bytes = encode(header(1)) + encode(CreateTxn{"/old", "d", kOpen, true, 0});
  bytes.resize(bytes.size() - 4);  // drop parentCVersion
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_TRUE(txn.is_ok()) << txn.error();
  EXPECT_EQ(std::get<CreateTxn>(txn->body), (CreateTxn{"/old", "d", kOpen, true, -1}));
  EXPECT_FALSE(txn->digest.has_value());
}

TEST(Txn, Create2WithoutParentCVersionIsTruncated) {
  std::string bytes = encode(header(15)) + encode(CreateTxn{"/x", "", kOpen, false, 0});
  bytes.resize(bytes.size() - 4);
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_THAT(txn.error(), HasSubstr("truncated CreateTxn"));
}

TEST(Txn, EmptyCloseSessionBodyReadsAsNoPaths) {
  Result<Txn> txn = decode_txn(encode(header(-11)));
  ASSERT_TRUE(txn.is_ok()) << txn.error();
  EXPECT_TRUE(std::get<CloseSessionTxn>(txn->body).paths_to_delete.empty());
}

TEST(Txn, DigestOfAnotherVersionIsDropped) {
  std::string bytes = encode(header(2)) + encode(DeleteTxn{"/a"});
  JuteWriter w(bytes);
  w.i32(1);
  w.i64(99);
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_TRUE(txn.is_ok()) << txn.error();
  EXPECT_FALSE(txn->digest.has_value());
}

// --- malformed input is named ---------------------------------------------------------------
TEST(Txn, UnknownTypeIsNamed) {
  Result<Txn> txn = decode_txn(encode(header(77)) + "xxxx");
  ASSERT_FALSE(txn.is_ok());
  EXPECT_EQ(txn.error(), "txn type 77 unknown");
}

TEST(Txn, ShortHeaderIsNamed) {
  Result<Txn> txn = decode_txn("short");
  ASSERT_FALSE(txn.is_ok());
  EXPECT_THAT(txn.error(), HasSubstr("truncated TxnHeader"));
}

TEST(Txn, TrailingBytesThatAreNotADigestFail) {
  std::string bytes = encode_txn(Txn{header(2), DeleteTxn{"/a"}, 5}) + "x";
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_THAT(txn.error(), HasSubstr("13 unexpected bytes after DeleteTxn"));
}

TEST(Txn, NegativeLengthIsNamedWithOffset) {
  std::string bytes = encode(header(2));
  JuteWriter w(bytes);
  w.i32(-7);
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_EQ(txn.error(), "negative length DeleteTxn at offset 32");
}

TEST(Txn, MultiOpsMayNotNestOrCarrySessions) {
  for (int32_t inner : {14, -10, -11}) {
    std::string bytes = encode(header(14));
    JuteWriter w(bytes);
    w.i32(1);
    w.i32(inner);
    w.buffer(std::string(4, '\0'));
    Result<Txn> txn = decode_txn(bytes);
    ASSERT_FALSE(txn.is_ok());
    EXPECT_THAT(txn.error(), HasSubstr("not allowed in multi"));
  }
}

TEST(Txn, MultiOpWithTrailingBytesFails) {
  std::string bytes = encode(header(14));
  JuteWriter w(bytes);
  w.i32(1);
  w.i32(2);
  w.buffer(encode(DeleteTxn{"/a"}) + "zz");
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_EQ(txn.error(), "multi op 0: 2 trailing bytes after DeleteTxn");
}

TEST(Txn, MultiOpWithUnknownTypeFails) {
  std::string bytes = encode(header(14));
  JuteWriter w(bytes);
  w.i32(1);
  w.i32(55);
  w.buffer("");
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_EQ(txn.error(), "multi op 0: txn type 55 unknown");
}

TEST(Txn, HostileMultiCountFailsFast) {
  std::string bytes = encode(header(14));
  JuteWriter w(bytes);
  w.i32(0x7fffffff);
  w.i32(2);
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_THAT(txn.error(), HasSubstr("vector count exceeds remaining bytes MultiTxn"));
}

TEST(Txn, HostileAclCountFailsFast) {
  std::string bytes = encode(header(7));
  JuteWriter w(bytes);
  w.string("/a");
  w.i32(0x40000000);
  Result<Txn> txn = decode_txn(bytes);
  ASSERT_FALSE(txn.is_ok());
  EXPECT_THAT(txn.error(), HasSubstr("SetACLTxn"));
}

TEST(Txn, BufferLimitIsConfigurable) {
  Txn big{header(5), SetDataTxn{"/a", std::string(kTxnMaxBuffer + 1, 'x'), 1}, std::nullopt};
  std::string bytes = encode_txn(big);
  Result<Txn> strict = decode_txn(bytes);
  ASSERT_FALSE(strict.is_ok());
  EXPECT_THAT(strict.error(), HasSubstr("length above jute.maxbuffer SetDataTxn"));
  EXPECT_TRUE(decode_txn(bytes, 4 * kTxnMaxBuffer).is_ok());
}

// Every prefix fails, except the ones ZooKeeper's reader also accepts: without the digest,
// CreateTxnV0 (type 1 without parentCVersion) and an empty closeSession body.
TEST(Txn, EveryTruncationOfEveryKindFailsUnlessALegacyForm) {
  std::vector<std::string> inputs;
  for (const Txn& txn : every_kind()) inputs.push_back(encode_txn(txn));
  for (const Golden& g : kGolden) inputs.push_back(from_hex(g.hex));
  for (const std::string& bytes : inputs) {
    Result<Txn> full = decode_txn(bytes);
    ASSERT_TRUE(full.is_ok());
    const int32_t type = full->header.type;
    std::set<size_t> accepted;
    size_t without_digest = bytes.size() - (full->digest ? 12 : 0);
    if (full->digest) accepted.insert(without_digest);
    if (type == 1) accepted.insert(without_digest - 4);
    if (type == -11) accepted.insert(kTxnHeaderBytes);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<Txn> partial = decode_txn(std::string_view(bytes).substr(0, n));
      EXPECT_EQ(partial.is_ok(), accepted.count(n) == 1) << "type " << type << " prefix " << n;
    }
  }
}

}  // namespace
}  // namespace paddock::proto
