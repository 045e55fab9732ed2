#pragma once
// ValueHistogram: the distribution of non-negative integer samples (latencies in ms, batch
// sizes) in a fixed set of log-linear buckets, so a monitoring poll can copy it in O(1) and
// read count, sum, min, max and quantiles from the copy. Samples 0..15 have a bucket each;
// above, every power of two is cut in 8, so a quantile is within 12.5 % of a real sample
// (and never outside [min, max]). Values past 2^41 share the last bucket.
//
// Not thread-safe: one owner records; readers take a copy the owner hands out.
#include <array>
#include <cstdint>

namespace paddock {

class ValueHistogram {
 public:
  static constexpr int kExactBuckets = 16;
  static constexpr int kSubBuckets = 8;  // per power of two above kExactBuckets
  static constexpr int kMaxExponent = 41;
  static constexpr int kBuckets = kExactBuckets + (kMaxExponent - 4 + 1) * kSubBuckets;

  // A negative sample counts as 0 (a clock that stepped back).
  void record(int64_t value);
  void merge(const ValueHistogram& other);
  // The samples recorded since `earlier`, a copy of this histogram taken before (a live
  // chart's interval). min and max become the bounds of the outermost non-empty buckets,
  // clamped to the whole's. False, leaving this unchanged, when `earlier` is not a prefix
  // of it (the histogram was reset in between).
  bool subtract(const ValueHistogram& earlier);
  void reset() { *this = ValueHistogram{}; }

  uint64_t count() const { return count_; }
  int64_t sum() const { return sum_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The sample at rank ceil(q * count) (q in [0, 1]), as its bucket's midpoint clamped to
  // [min, max]; 0 when empty.
  int64_t quantile(double q) const;

  // Bucket arithmetic, exposed for tests.
  static int bucket_of(int64_t value);
  static int64_t bucket_low(int bucket);   // smallest value in the bucket
  static int64_t bucket_high(int bucket);  // largest value in the bucket

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace paddock
