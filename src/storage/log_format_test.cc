#include "storage/log_format.h"

#include <gtest/gtest.h>

#include "util/crc32c.h"

namespace paddock::storage {
namespace {

TEST(LogFormat, SegmentNamesAreSixteenHexDigitsAndParseBack) {
  EXPECT_EQ(segment_file_name(0x1000000a3), "log.00000001000000a3");
  EXPECT_EQ(parse_segment_file_name("log.00000001000000a3"), 0x1000000a3);
  EXPECT_EQ(parse_segment_file_name("log.1000000a3"), std::nullopt);
  EXPECT_EQ(parse_segment_file_name("log.00000001000000A3"), std::nullopt);
  EXPECT_EQ(parse_segment_file_name("snapshot.0000000000000001"), std::nullopt);
  EXPECT_EQ(parse_segment_file_name("log.8000000000000000"), std::nullopt);
  EXPECT_EQ(txn_log_dir("/var/zk"), "/var/zk/paddock-log");
}

TEST(LogFormat, SegmentHeaderRoundTripsAndRejectsDamage) {
  const std::string h = encode_segment_header({.dbid = 7, .first_zxid = 0x500000001});
  ASSERT_EQ(h.size(), kSegmentHeaderSize);
  EXPECT_EQ(h.substr(0, 4), "PDKL");
  auto back = decode_segment_header(h);
  ASSERT_TRUE(back.is_ok()) << back.error();
  EXPECT_EQ(back->dbid, 7u);
  EXPECT_EQ(back->first_zxid, 0x500000001);
  for (size_t i = 0; i < h.size(); ++i) {
    std::string bad = h;
    bad[i] ^= 0x01;
    EXPECT_FALSE(decode_segment_header(bad).is_ok()) << "flipped byte " << i;
  }
  EXPECT_FALSE(decode_segment_header(h.substr(0, 31)).is_ok());
}

TEST(LogFormat, RecordLayoutIsLengthCrcZxidPayloadLittleEndian) {
  std::string out;
  append_record(out, 0x0102030405060708, "xyz");
  ASSERT_EQ(out.size(), record_size(3));
  EXPECT_EQ(out.substr(0, 4), std::string("\x03\x00\x00\x00", 4));
  EXPECT_EQ(out.substr(8, 8), std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(out.substr(16), "xyz");
  const uint32_t crc = crc32c::value(out.substr(8));  // zxid bytes then payload
  EXPECT_EQ(get_u32(out.data() + 4), crc);
  const RecordHeader h = decode_record_header(out);
  EXPECT_EQ(h.length, 3u);
  EXPECT_EQ(h.crc, crc);
  EXPECT_EQ(h.zxid, 0x0102030405060708);
}

}  // namespace
}  // namespace paddock::storage
