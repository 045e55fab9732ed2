#pragma once
// zxid = epoch << 32 | counter, as ZooKeeper makes them. One definition for every layer.
#include <cstdint>

namespace paddock::proto {

inline constexpr int64_t kMaxZxidCounter = 0xffffffffLL;

constexpr int64_t zxid_epoch(int64_t zxid) {
  return static_cast<int64_t>(static_cast<uint64_t>(zxid) >> 32);
}
constexpr int64_t zxid_counter(int64_t zxid) { return zxid & kMaxZxidCounter; }
constexpr int64_t make_zxid(int64_t epoch, int64_t counter) {
  return static_cast<int64_t>((static_cast<uint64_t>(epoch) << 32) |
                              (static_cast<uint64_t>(counter) & 0xffffffffULL));
}

}  // namespace paddock::proto
