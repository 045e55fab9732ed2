#include "proto/records.h"

#include <gtest/gtest.h>

#include <string>

#include "proto/test_records.h"
#include "util/test_hex.h"

namespace paddock::proto {
namespace {

using testing::sample;

using test_hex::from_hex;

// Round trip, then every strict prefix (except those ending inside an optional tail) must
// fail to decode.
template <typename T>
void check_record(const T& record, size_t optional_tail_bytes, const char* name) {
  SCOPED_TRACE(name);
  std::string bytes = encode(record);
  T back{};
  ASSERT_TRUE(decode(bytes, back));
  EXPECT_TRUE(back == record);
  EXPECT_EQ(encode(back), bytes);
  for (size_t n = 0; n + optional_tail_bytes < bytes.size(); ++n) {
    T partial{};
    EXPECT_FALSE(decode(std::string_view(bytes).substr(0, n), partial)) << "prefix " << n;
  }
}

size_t optional_tail(const ConnectRequest&) { return 1; }
size_t optional_tail(const ConnectResponse&) { return 1; }
template <typename T>
size_t optional_tail(const T&) {
  return 0;
}

TEST(Records, EveryRecordRoundTripsAndEveryTruncationFails) {
#define CHECK_RECORD(T) check_record(sample<T>(), optional_tail(sample<T>()), #T);
  PADDOCK_FOR_EACH_RECORD(CHECK_RECORD)
#undef CHECK_RECORD
}

TEST(Records, EmptyValuesRoundTrip) {
#define CHECK_EMPTY(T) check_record(T{}, optional_tail(T{}), #T " (empty)");
  PADDOCK_FOR_EACH_RECORD(CHECK_EMPTY)
#undef CHECK_EMPTY
}

// Hex is grouped by field, so these tests are laid out by hand.
// clang-format off
TEST(Records, StatIs68BytesInZooKeeperFieldOrder) {
  Stat s{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  std::string expected = from_hex(
      "0000000000000001" "0000000000000002" "0000000000000003" "0000000000000004"
      "00000005" "00000006" "00000007" "0000000000000008" "00000009" "0000000a"
      "000000000000000b");
  EXPECT_EQ(expected.size(), 68u);
  EXPECT_EQ(encode(s), expected);
}

TEST(Records, StatPersistedIs60BytesWithoutDerivedFields) {
  StatPersisted s{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::string expected = from_hex(
      "0000000000000001" "0000000000000002" "0000000000000003" "0000000000000004"
      "00000005" "00000006" "00000007" "0000000000000008" "0000000000000009");
  EXPECT_EQ(expected.size(), 60u);
  EXPECT_EQ(encode(s), expected);
}

TEST(Records, ConnectResponseCarriesReadOnlyOnlyWhenSet) {
  ConnectResponse r{0, 30000, 0x100000abc, std::string(16, '\x11'), std::nullopt};
  std::string without = from_hex("00000000" "00007530" "0000000100000abc" "00000010"
                              "11111111111111111111111111111111");
  EXPECT_EQ(encode(r), without);
  EXPECT_EQ(without.size(), 36u);
  r.read_only = false;
  EXPECT_EQ(encode(r), without + std::string(1, '\0'));
  r.read_only = true;
  EXPECT_EQ(encode(r), without + std::string(1, '\1'));

  ConnectResponse back;
  ASSERT_TRUE(decode(without, back));
  EXPECT_FALSE(back.read_only.has_value());
  ASSERT_TRUE(decode(without + std::string(1, '\1'), back));
  EXPECT_EQ(back.read_only, std::optional<bool>(true));
}

TEST(Records, ZooKeeperConnectResponsesRoundTrip) {
  // Answers of an Apache ZooKeeper 3.8.0 server to a ConnectRequest with and without the
  // readOnly byte (timeout 30000 negotiated down to 20000).
  for (const char* hex :
       {"0000000000004e200100000b819d000400000010053f2e11d2161171946ee9573a11469700",
        "0000000000004e200100000b819d000500000010186028117262f0b589b150830d9a5a64"}) {
    std::string bytes = from_hex(hex);
    ConnectResponse r;
    ASSERT_TRUE(decode(bytes, r));
    EXPECT_EQ(r.timeout_ms, 20000);
    EXPECT_EQ(r.passwd.size(), 16u);
    EXPECT_EQ(r.read_only.has_value(), bytes.size() == 37);
    EXPECT_EQ(encode(r), bytes);
  }
}

TEST(Records, ConnectRequestWithoutReadOnlyByteDecodes) {
  // protocolVersion 0, lastZxidSeen 0, timeOut 30000, sessionId 0, passwd of 16 zero bytes.
  std::string old_client = from_hex("00000000" "0000000000000000" "00007530" "0000000000000000"
                                 "00000010" "00000000000000000000000000000000");
  ConnectRequest req;
  ASSERT_TRUE(decode(old_client, req));
  EXPECT_EQ(req.timeout_ms, 30000);
  EXPECT_EQ(req.passwd, std::string(16, '\0'));
  EXPECT_FALSE(req.read_only.has_value());
  ASSERT_TRUE(decode(old_client + std::string(1, '\0'), req));
  EXPECT_EQ(req.read_only, std::optional<bool>(false));
}

TEST(Records, MultiEndMarkerIsNineBytesWithOneByteDone) {
  EXPECT_EQ(encode(multi_end_marker()), from_hex("ffffffff" "01" "ffffffff"));
  MultiHeader h;
  ASSERT_TRUE(decode(from_hex("00000001" "00" "ffffffff"), h));
  EXPECT_EQ(h, (MultiHeader{1, false, -1}));
}

TEST(Records, ReplyAndRequestHeadersAreBigEndian) {
  EXPECT_EQ(encode(ReplyHeader{-2, 0x100000002, -101}),
            from_hex("fffffffe" "0000000100000002" "ffffff9b"));
  EXPECT_EQ(encode(RequestHeader{1, 4}), from_hex("00000001" "00000004"));
}

TEST(Records, CreateRequestMatchesZooKeeperLayout) {
  CreateRequest r{"/a", "hi", {Acl{31, Id{"world", "anyone"}}}, 1};
  std::string expected = from_hex("00000002" "2f61" "00000002" "6869" "00000001" "0000001f"
                               "00000005" "776f726c64" "00000006" "616e796f6e65" "00000001");
  EXPECT_EQ(encode(r), expected);
}

TEST(Records, NullDataStaysNullAndNullVectorsReadAsEmpty) {
  // path "/a", data null (-1), acl null (-1), flags 0: what `zkCli.sh create /a` sends.
  CreateRequest r;
  ASSERT_TRUE(decode(from_hex("00000002" "2f61" "ffffffff" "ffffffff" "00000000"), r));
  EXPECT_EQ(r.path, "/a");
  EXPECT_EQ(r.data, std::nullopt);
  EXPECT_TRUE(r.acl.empty());
}

TEST(Records, NullAndEmptyDataEncodeDifferently) {
  EXPECT_EQ(encode(SetDataRequest{"/a", std::nullopt, -1}),
            from_hex("00000002" "2f61" "ffffffff" "ffffffff"));
  EXPECT_EQ(encode(SetDataRequest{"/a", "", -1}), from_hex("00000002" "2f61" "00000000" "ffffffff"));
  EXPECT_EQ(encode(GetDataResponse{std::nullopt, Stat{}}).substr(0, 4), from_hex("ffffffff"));
  EXPECT_EQ(encode(GetDataResponse{"", Stat{}}).substr(0, 4), from_hex("00000000"));
}

// Every record with a data field keeps null apart from empty through a round trip.
template <typename T>
void expect_null_and_empty_data_round_trip(T record) {
  for (const NodeData& data : {NodeData(), NodeData(""), NodeData("x")}) {
    record.data = data;
    T back;
    back.data = "junk";
    ASSERT_TRUE(decode(encode(record), back));
    EXPECT_EQ(back.data, data);
    EXPECT_EQ(back, record);
  }
}

TEST(Records, NullAndEmptyDataRoundTripInEveryDataRecord) {
  expect_null_and_empty_data_round_trip(sample<CreateRequest>());
  expect_null_and_empty_data_round_trip(sample<CreateTtlRequest>());
  expect_null_and_empty_data_round_trip(sample<SetDataRequest>());
  expect_null_and_empty_data_round_trip(sample<GetDataResponse>());
  expect_null_and_empty_data_round_trip(sample<CreateTxn>());
  expect_null_and_empty_data_round_trip(sample<CreateContainerTxn>());
  expect_null_and_empty_data_round_trip(sample<CreateTtlTxn>());
  expect_null_and_empty_data_round_trip(sample<SetDataTxn>());
}

TEST(Records, DataRecordsDefaultToEmptyNotNull) {
  EXPECT_EQ(CreateRequest{}.data, std::optional<std::string>(""));
  EXPECT_EQ(SetDataTxn{}.data, std::optional<std::string>(""));
  EXPECT_EQ(data_size(std::nullopt), 0u);
  EXPECT_EQ(data_size(std::string("abc")), 3u);
}

TEST(Records, HostileAclCountFailsWithoutReadingItems) {
  // path "/a", data "", then an ACL count of 0x7fffffff with almost nothing after it.
  CreateRequest r;
  EXPECT_FALSE(decode(from_hex("00000002" "2f61" "00000000" "7fffffff" "0000001f"), r));
  // A count that would fit single bytes but not 12-byte ACLs also fails.
  EXPECT_FALSE(decode(from_hex("00000002" "2f61" "00000000" "00000002" "000000000000000000000000"
                            "00000000"),
                      r));
}

TEST(Records, SetWatches2RejectsNegativeCounts) {
  SetWatches2 w;
  EXPECT_FALSE(decode(from_hex("0000000000000001" "fffffffe"), w));
}

// clang-format on

TEST(Records, DecodeAllowsTrailingBytes) {
  std::string bytes = encode(sample<DeleteRequest>()) + "junk";
  DeleteRequest r;
  ASSERT_TRUE(decode(bytes, r));
  EXPECT_EQ(r, sample<DeleteRequest>());
}

}  // namespace
}  // namespace paddock::proto
