#include "proto/jute.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paddock::proto {
namespace {

std::string be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

TEST(JuteWriter, WritesBigEndianScalars) {
  std::string out;
  JuteWriter w(out);
  w.i32(-2);
  w.i64(0x0102030405060708);
  w.boolean(true);
  w.boolean(false);
  EXPECT_EQ(out, std::string("\xff\xff\xff\xfe\x01\x02\x03\x04\x05\x06\x07\x08\x01\x00", 14));
}

TEST(JuteWriter, WritesBuffersNullsAndVectors) {
  std::string out;
  JuteWriter w(out);
  w.buffer("ab");
  w.null_buffer();
  w.string("");
  w.vector(std::vector<int32_t>{7, 8}, [](JuteWriter& ww, int32_t v) { ww.i32(v); });
  w.raw("zz");
  EXPECT_EQ(out, be32(2) + "ab" + be32(0xffffffff) + be32(0) + be32(2) + be32(7) + be32(8) + "zz");
}

TEST(JuteWriter, VectorAcceptsItemOnlyCallback) {
  std::string out;
  JuteWriter w(out);
  w.vector(std::vector<std::string>{"x"}, [&w](const std::string& s) { w.string(s); });
  EXPECT_EQ(out, be32(1) + be32(1) + "x");
}

TEST(JuteReader, ReadsWhatTheWriterWrote) {
  std::string out;
  JuteWriter w(out);
  w.i32(INT32_MIN);
  w.i64(INT64_MIN);
  w.boolean(true);
  w.buffer(std::string("a\0b", 3));
  w.null_buffer();
  JuteReader r(out);
  EXPECT_EQ(r.i32(), INT32_MIN);
  EXPECT_EQ(r.i64(), INT64_MIN);
  EXPECT_TRUE(r.boolean());
  EXPECT_EQ(r.buffer(), std::string("a\0b", 3));
  EXPECT_EQ(r.nullable_buffer(), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(JuteReader, AnyNonzeroByteIsTrue) {
  const std::string in("\x02", 1);
  JuteReader r(in);
  EXPECT_TRUE(r.boolean());
  EXPECT_TRUE(r.ok());
}

TEST(JuteReader, NullBufferReadsAsEmpty) {
  std::string in = be32(0xffffffff);
  JuteReader r(in);
  EXPECT_EQ(r.buffer(), "");
  EXPECT_TRUE(r.ok());
}

TEST(JuteReader, TruncatedScalarFailsAndStaysFailed) {
  const std::string in("\x00\x00\x01", 3);
  JuteReader r(in);
  EXPECT_EQ(r.i32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_STREQ(r.failure(), "truncated");
  EXPECT_EQ(r.remaining(), 0u);
  // Sticky: later reads return zero values and keep the first reason.
  EXPECT_EQ(r.i64(), 0);
  EXPECT_EQ(r.buffer(), "");
  EXPECT_STREQ(r.failure(), "truncated");
}

TEST(JuteReader, NegativeLengthOtherThanMinusOneFails) {
  std::string in = be32(static_cast<uint32_t>(-2)) + "xxxx";
  JuteReader r(in);
  r.buffer();
  EXPECT_FALSE(r.ok());
  EXPECT_STREQ(r.failure(), "negative length");
  EXPECT_EQ(r.failure_offset(), 0u);
}

TEST(JuteReader, LengthBeyondRemainingBytesFails) {
  std::string in = be32(5) + "abcd";
  JuteReader r(in);
  r.buffer();
  EXPECT_FALSE(r.ok());
  EXPECT_STREQ(r.failure(), "truncated");
}

TEST(JuteReader, LengthAboveMaxBufferFailsEvenWhenBytesArePresent) {
  std::string in = be32(kDefaultMaxBuffer + 1) + std::string(kDefaultMaxBuffer + 1, 'x');
  JuteReader strict(in);
  strict.buffer();
  EXPECT_FALSE(strict.ok());
  EXPECT_STREQ(strict.failure(), "length above jute.maxbuffer");
  JuteReader larger(in, 2 * kDefaultMaxBuffer);
  EXPECT_EQ(larger.buffer().size(), kDefaultMaxBuffer + 1);
  EXPECT_TRUE(larger.ok());
}

TEST(JuteReader, MaxBufferSizedBufferIsAccepted) {
  std::string in = be32(kDefaultMaxBuffer) + std::string(kDefaultMaxBuffer, 'x');
  JuteReader r(in);
  EXPECT_EQ(r.buffer().size(), kDefaultMaxBuffer);
  EXPECT_TRUE(r.ok());
}

TEST(JuteReader, VectorCountsAreCheckedAgainstRemainingBytes) {
  std::string null_count = be32(0xffffffff);
  JuteReader a(null_count);
  EXPECT_EQ(a.vector_size(), 0);
  EXPECT_TRUE(a.ok());

  std::string huge = be32(0x7fffffff) + "abc";
  JuteReader b(huge);
  EXPECT_EQ(b.vector_size(), 0);
  EXPECT_FALSE(b.ok());
  EXPECT_STREQ(b.failure(), "vector count exceeds remaining bytes");

  std::string negative = be32(static_cast<uint32_t>(-5));
  JuteReader c(negative);
  EXPECT_EQ(c.vector_size(), 0);
  EXPECT_FALSE(c.ok());

  // Two 4-byte items need 8 bytes; 7 remain.
  std::string short_items = be32(2) + std::string(7, '\0');
  JuteReader d(short_items);
  EXPECT_EQ(d.vector_size(4), 0);
  EXPECT_FALSE(d.ok());
  JuteReader e(short_items);
  EXPECT_EQ(e.vector_size(1), 2);
  EXPECT_TRUE(e.ok());
}

TEST(JuteReader, VectorHelperReadsItemsAndStopsOnFailure) {
  std::string in = be32(3) + be32(1) + be32(2) + "\x00\x00";
  JuteReader r(in);
  std::vector<int32_t> v;
  r.vector(
      v, [](JuteReader& rr, int32_t& x) { x = rr.i32(); }, 1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(v.size(), 3u);  // the third item was attempted and read as 0
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[1], 2);
}

TEST(JuteReader, RawAndRestExposeUnreadBytes) {
  JuteReader r("abcdef");
  EXPECT_EQ(r.raw(2), "ab");
  EXPECT_EQ(r.rest(), "cdef");
  EXPECT_EQ(r.position(), 2u);
  EXPECT_EQ(r.raw(5), "");
  EXPECT_FALSE(r.ok());
}

TEST(JuteReader, ExplicitFailIsSticky) {
  JuteReader r("abcd");
  r.fail("bad magic");
  EXPECT_FALSE(r.ok());
  EXPECT_STREQ(r.failure(), "bad magic");
  EXPECT_EQ(r.i32(), 0);
}

}  // namespace
}  // namespace paddock::proto
