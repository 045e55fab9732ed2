#include "util/value_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace paddock {

int ValueHistogram::bucket_of(int64_t value) {
  if (value < kExactBuckets) return static_cast<int>(std::max<int64_t>(value, 0));
  const int exponent = std::bit_width(static_cast<uint64_t>(value)) - 1;  // >= 4
  if (exponent > kMaxExponent) return kBuckets - 1;
  const int sub = static_cast<int>((value >> (exponent - 3)) & (kSubBuckets - 1));
  return kExactBuckets + (exponent - 4) * kSubBuckets + sub;
}

int64_t ValueHistogram::bucket_low(int bucket) {
  if (bucket < kExactBuckets) return bucket;
  const int exponent = 4 + (bucket - kExactBuckets) / kSubBuckets;
  const int64_t sub = (bucket - kExactBuckets) % kSubBuckets;
  return (int64_t{1} << exponent) + (sub << (exponent - 3));
}

int64_t ValueHistogram::bucket_high(int bucket) {
  if (bucket == kBuckets - 1) return INT64_MAX;
  return bucket_low(bucket + 1) - 1;
}

void ValueHistogram::record(int64_t value) {
  value = std::max<int64_t>(value, 0);
  ++buckets_[bucket_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  sum_ += value;
  ++count_;
}

void ValueHistogram::merge(const ValueHistogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

bool ValueHistogram::subtract(const ValueHistogram& earlier) {
  if (earlier.count_ > count_) return false;
  for (int i = 0; i < kBuckets; ++i) {
    if (earlier.buckets_[i] > buckets_[i]) return false;
  }
  for (int i = 0; i < kBuckets; ++i) buckets_[i] -= earlier.buckets_[i];
  count_ -= earlier.count_;
  sum_ -= earlier.sum_;
  if (count_ == 0) {
    *this = ValueHistogram{};
    return true;
  }
  int first = 0;
  while (buckets_[first] == 0) ++first;
  int last = kBuckets - 1;
  while (buckets_[last] == 0) --last;
  min_ = std::max(min_, bucket_low(first));
  max_ = std::min(max_, bucket_high(last));
  return true;
}

int64_t ValueHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const int64_t low = bucket_low(i);
      const int64_t mid = i == kBuckets - 1 ? low : low + (bucket_high(i) - low) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace paddock
