#include "config/java_values.h"

#include <gtest/gtest.h>

namespace paddock::config {
namespace {

TEST(JavaValuesTest, ParseIntegerAcceptsWhatIntegerParseIntAccepts) {
  EXPECT_EQ(parse_java_integer("2181", INT32_MIN, INT32_MAX), 2181);
  EXPECT_EQ(parse_java_integer("+2181", INT32_MIN, INT32_MAX), 2181);
  EXPECT_EQ(parse_java_integer("-1", INT32_MIN, INT32_MAX), -1);
  EXPECT_EQ(parse_java_integer("007", INT32_MIN, INT32_MAX), 7);  // decimal, not octal
  EXPECT_EQ(parse_java_integer("2147483647", INT32_MIN, INT32_MAX), INT32_MAX);
  EXPECT_EQ(parse_java_integer("-9223372036854775808", INT64_MIN, INT64_MAX), INT64_MIN);
}

TEST(JavaValuesTest, ParseIntegerRejectsWhatIntegerParseIntRejects) {
  for (const char* bad : {"", "+", "-", "0x10", "1.5", " 1", "1 ", "1e3", "abc", "++1", "+-1"}) {
    EXPECT_FALSE(parse_java_integer(bad, INT32_MIN, INT32_MAX).has_value()) << bad;
  }
  EXPECT_FALSE(parse_java_integer("2147483648", INT32_MIN, INT32_MAX).has_value());
  EXPECT_FALSE(parse_java_integer("9223372036854775808", INT64_MIN, INT64_MAX).has_value());
}

TEST(JavaValuesTest, DecodeAcceptsHexOctalAndDecimalLikeIntegerDecode) {
  EXPECT_EQ(parse_java_decode("0xfffff", INT32_MIN, INT32_MAX), 0xfffff);
  EXPECT_EQ(parse_java_decode("0X10", INT32_MIN, INT32_MAX), 16);
  EXPECT_EQ(parse_java_decode("#10", INT32_MIN, INT32_MAX), 16);
  EXPECT_EQ(parse_java_decode("010", INT32_MIN, INT32_MAX), 8);
  EXPECT_EQ(parse_java_decode("0", INT32_MIN, INT32_MAX), 0);
  EXPECT_EQ(parse_java_decode("-0x10", INT32_MIN, INT32_MAX), -16);
  EXPECT_FALSE(parse_java_decode("0x-10", INT32_MIN, INT32_MAX).has_value());
  EXPECT_FALSE(parse_java_decode("08", INT32_MIN, INT32_MAX).has_value());
  EXPECT_FALSE(parse_java_decode("0x", INT32_MIN, INT32_MAX).has_value());
}

TEST(JavaValuesTest, RangeLimitsApply) {
  EXPECT_FALSE(parse_java_integer("0", 1, 10).has_value());
  EXPECT_FALSE(parse_java_decode("11", 1, 10).has_value());
  EXPECT_EQ(parse_java_decode("10", 1, 10), 10);
}

TEST(JavaValuesTest, TrimDropsControlCharactersAndSpacesLikeStringTrim) {
  EXPECT_EQ(java_trim(" \t\r\n\f x y \x01"), "x y");
  EXPECT_EQ(java_trim("   "), "");
}

TEST(JavaValuesTest, BooleansAndSwitches) {
  EXPECT_EQ(parse_true_false("TRUE"), true);
  EXPECT_EQ(parse_true_false("False"), false);
  EXPECT_FALSE(parse_true_false("yes").has_value());
  EXPECT_EQ(parse_switch("yes"), true);
  EXPECT_EQ(parse_switch("NO"), false);
  EXPECT_EQ(parse_switch("true"), true);
  EXPECT_FALSE(parse_switch("1").has_value());
  EXPECT_FALSE(parse_switch("").has_value());
}

TEST(JavaValuesTest, Doubles) {
  EXPECT_EQ(parse_java_double("0.33"), 0.33);
  EXPECT_EQ(parse_java_double("1e2"), 100.0);
  EXPECT_EQ(parse_java_double("-0.5d"), -0.5);
  EXPECT_FALSE(parse_java_double("inf").has_value());
  EXPECT_FALSE(parse_java_double("abc").has_value());
  EXPECT_FALSE(parse_java_double("").has_value());
}

}  // namespace
}  // namespace paddock::config
