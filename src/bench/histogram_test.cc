#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

namespace paddock::bench {
namespace {

// The histogram promises every value back within 1/128 of itself.
constexpr double kPrecision = 1.0 / 128;

void expect_near_relative(uint64_t expected, uint64_t actual) {
  double tolerance = std::max(1.0, static_cast<double>(expected) * kPrecision);
  EXPECT_NEAR(static_cast<double>(expected), static_cast<double>(actual), tolerance)
      << "expected " << expected << " got " << actual;
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 0; v < 256; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.5), 127u);
  EXPECT_EQ(h.percentile(1.0), 255u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 255u);
}

TEST(HistogramTest, EveryValueFallsInsideItsBucketWhoseWidthIsWithinPrecision) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    uint64_t v = rng() >> (rng() % 64);
    if (v > Histogram::kMaxValue) v = Histogram::kMaxValue;
    size_t index = Histogram::index_of(v);
    ASSERT_LT(index, Histogram::kBucketCount);
    uint64_t lo = Histogram::lowest_in(index);
    uint64_t hi = Histogram::highest_in(index);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LE(static_cast<double>(hi - lo), std::max(0.0, static_cast<double>(lo) * kPrecision));
  }
}

TEST(HistogramTest, BucketsAreContiguousAcrossTheWholeRange) {
  for (size_t i = 1; i < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::lowest_in(i), Histogram::highest_in(i - 1) + 1) << "bucket " << i;
  }
  EXPECT_EQ(Histogram::highest_in(Histogram::kBucketCount - 1), Histogram::kMaxValue);
}

TEST(HistogramTest, UniformDistributionGivesLinearPercentiles) {
  Histogram h;
  for (uint64_t v = 1; v <= 1000000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1000000u);
  expect_near_relative(500000, h.percentile(0.5));
  expect_near_relative(990000, h.percentile(0.99));
  expect_near_relative(999000, h.percentile(0.999));
  EXPECT_EQ(h.percentile(1.0), 1000000u);
  EXPECT_EQ(h.max(), 1000000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_NEAR(h.mean(), 500000.5, 0.01);
}

TEST(HistogramTest, ExponentialDistributionMatchesItsQuantileFunction) {
  // Latencies with mean 100 us in ns: quantile(q) = -mean * ln(1 - q).
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> dist(1.0 / 100000.0);
  Histogram h;
  constexpr int kSamples = 2000000;
  for (int i = 0; i < kSamples; ++i) h.record(static_cast<uint64_t>(dist(rng)));
  for (double q : {0.5, 0.9, 0.99}) {
    double expected = -100000.0 * std::log(1.0 - q);
    // Sampling noise (a fraction of a percent at these counts) plus bucket width.
    EXPECT_NEAR(static_cast<double>(h.percentile(q)), expected, expected * 0.02) << "q=" << q;
  }
}

TEST(HistogramTest, BimodalDistributionSeparatesTheTail) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.record(50000);   // 50 us
  for (int i = 0; i < 10; ++i) h.record(5000000);  // 5 ms
  expect_near_relative(50000, h.percentile(0.5));
  expect_near_relative(50000, h.percentile(0.99));
  expect_near_relative(5000000, h.percentile(0.999));
  EXPECT_EQ(h.max(), 5000000u);
}

TEST(HistogramTest, MergeAddsCountsAndKeepsExtremes) {
  Histogram a;
  Histogram b;
  for (uint64_t v = 1; v <= 100; ++v) a.record(v);
  for (uint64_t v = 101; v <= 200; ++v) b.record(v);
  a.merge(b);
  EXPECT_EQ(a.count(), 200u);
  EXPECT_EQ(a.min(), 1u);
  EXPECT_EQ(a.max(), 200u);
  EXPECT_EQ(a.percentile(0.5), 100u);
}

TEST(HistogramTest, ResetForgetsEverything) {
  Histogram h;
  h.record(12345);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
  h.record(7);
  EXPECT_EQ(h.min(), 7u);
  EXPECT_EQ(h.max(), 7u);
}

TEST(HistogramTest, HugeValuesAreClampedNotLost) {
  Histogram h;
  h.record(UINT64_MAX);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  EXPECT_EQ(h.percentile(0.5), Histogram::kMaxValue);
}

}  // namespace
}  // namespace paddock::bench
