#pragma once
// A latency histogram in the manner of HdrHistogram: log-linear buckets, so that recording is
// a shift and an increment (no allocation, no search) and every recorded value is kept to
// within 1/kSubBucketHalf (< 0.8 %) of its true value over the whole range 0 .. 2^kMaxBits.
//
// Layout: values below kSubBucketCount (256) have one bucket each. Above, a value v with its
// highest set bit at position b (b >= 8) falls in "exponent" e = b - 7, whose 128 buckets
// each span 2^e units; its index is e * 128 + (v >> e), which keeps the indexes contiguous.
#include <array>
#include <cstddef>
#include <cstdint>

namespace paddock::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 8;
  static constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;  // 256
  static constexpr uint64_t kSubBucketHalf = kSubBucketCount / 2;             // 128
  // Values at or above 2^kMaxBits (about 18 minutes in nanoseconds) are clamped.
  static constexpr int kMaxBits = 40;
  static constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxBits) - 1;
  static constexpr size_t kBucketCount =
      (kMaxBits - kSubBucketBits + 1) * kSubBucketHalf + kSubBucketHalf;

  void record(uint64_t value) {
    if (value > kMaxValue) value = kMaxValue;
    ++counts_[index_of(value)];
    ++total_;
    sum_ += value;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }

  // The value at quantile q (0..1]: the highest value that is equivalent (same bucket) to
  // the smallest recorded value v such that at least q of the recorded values are <= v. The
  // maximum is exact. 0 when empty.
  uint64_t percentile(double q) const;

  uint64_t count() const { return total_; }
  uint64_t max() const { return total_ == 0 ? 0 : max_; }
  uint64_t min() const { return total_ == 0 ? 0 : min_; }
  double mean() const { return total_ == 0 ? 0.0 : static_cast<double>(sum_) / total_; }

  void merge(const Histogram& other);
  void reset();

  static size_t index_of(uint64_t value) {
    if (value < kSubBucketCount) return static_cast<size_t>(value);
    int top_bit = 63 - __builtin_clzll(value);
    int exponent = top_bit - (kSubBucketBits - 1);
    return static_cast<size_t>(exponent) * kSubBucketHalf + static_cast<size_t>(value >> exponent);
  }
  // The smallest and largest value that land in bucket `index`.
  static uint64_t lowest_in(size_t index);
  static uint64_t highest_in(size_t index);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace paddock::bench
