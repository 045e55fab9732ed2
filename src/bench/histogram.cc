#include "bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace paddock::bench {

uint64_t Histogram::lowest_in(size_t index) {
  if (index < kSubBucketCount) return index;
  size_t exponent = index / kSubBucketHalf - 1;
  uint64_t mantissa = index - exponent * kSubBucketHalf;
  return mantissa << exponent;
}

uint64_t Histogram::highest_in(size_t index) {
  if (index < kSubBucketCount) return index;
  size_t exponent = index / kSubBucketHalf - 1;
  uint64_t mantissa = index - exponent * kSubBucketHalf;
  return ((mantissa + 1) << exponent) - 1;
}

uint64_t Histogram::percentile(double q) const {
  if (total_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value asked for, 1-based: at least one value, at most all of them.
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_in(i), max_);
  }
  return max_;
}

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::reset() {
  counts_.fill(0);
  total_ = 0;
  sum_ = 0;
  max_ = 0;
  min_ = UINT64_MAX;
}

}  // namespace paddock::bench
