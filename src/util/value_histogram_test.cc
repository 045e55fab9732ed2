#include "util/value_histogram.h"

#include <gtest/gtest.h>

namespace paddock {
namespace {

TEST(ValueHistogramTest, EmptyHistogramReportsZeros) {
  ValueHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.quantile(0.5), 0);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(ValueHistogramTest, SmallValuesAreExact) {
  ValueHistogram h;
  for (int v = 1; v <= 10; ++v) h.record(v);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.sum(), 55);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 10);
  EXPECT_EQ(h.quantile(0.5), 5);
  EXPECT_EQ(h.quantile(0.9), 9);
  EXPECT_EQ(h.quantile(0.99), 10);
  EXPECT_EQ(h.quantile(0.0), 1);
}

TEST(ValueHistogramTest, BucketsCoverEveryValueOnceInOrder) {
  for (int b = 0; b + 1 < ValueHistogram::kBuckets; ++b) {
    EXPECT_EQ(ValueHistogram::bucket_high(b) + 1, ValueHistogram::bucket_low(b + 1)) << b;
    EXPECT_EQ(ValueHistogram::bucket_of(ValueHistogram::bucket_low(b)), b);
    EXPECT_EQ(ValueHistogram::bucket_of(ValueHistogram::bucket_high(b)), b);
  }
  EXPECT_EQ(ValueHistogram::bucket_of(INT64_MAX), ValueHistogram::kBuckets - 1);
  EXPECT_EQ(ValueHistogram::bucket_of(-5), 0);
}

TEST(ValueHistogramTest, LargeQuantilesAreWithinAnEighth) {
  ValueHistogram h;
  for (int64_t v = 1000; v < 2000; ++v) h.record(v);
  const int64_t p50 = h.quantile(0.5);
  EXPECT_GE(p50, 1499 - 1499 / 8);
  EXPECT_LE(p50, 1499 + 1499 / 8);
  EXPECT_LE(h.quantile(1.0), 1999);
}

TEST(ValueHistogramTest, NegativeSamplesCountAsZero) {
  ValueHistogram h;
  h.record(-3);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.sum(), 0);
  EXPECT_EQ(h.count(), 1u);
}

TEST(ValueHistogramTest, MergeAddsBothDistributions) {
  ValueHistogram a;
  ValueHistogram b;
  a.record(2);
  b.record(7);
  b.record(9);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 2);
  EXPECT_EQ(a.max(), 9);
  EXPECT_EQ(a.quantile(0.5), 7);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
}

TEST(ValueHistogramTest, SubtractLeavesTheSamplesOfTheInterval) {
  ValueHistogram h;
  for (int i = 0; i < 100; ++i) h.record(1);
  const ValueHistogram earlier = h;
  h.record(9);
  h.record(10);
  h.record(12);
  ASSERT_TRUE(h.subtract(earlier));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.sum(), 31);
  EXPECT_EQ(h.min(), 9);
  EXPECT_EQ(h.max(), 12);
  EXPECT_EQ(h.quantile(0.5), 10);
}

TEST(ValueHistogramTest, SubtractRefusesAHistogramResetInBetween) {
  ValueHistogram earlier;
  earlier.record(5);
  earlier.record(5);
  ValueHistogram h;
  h.record(7);
  EXPECT_FALSE(h.subtract(earlier));
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.quantile(0.5), 7);
  ValueHistogram same = h;
  ASSERT_TRUE(h.subtract(same));
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.99), 0);
}

}  // namespace
}  // namespace paddock
