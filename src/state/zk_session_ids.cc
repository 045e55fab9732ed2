#include "state/zk_session_ids.h"

#include <algorithm>

namespace paddock::state {
namespace {

constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
constexpr uint64_t kAddend = 0xBULL;
constexpr uint64_t kMask = (uint64_t{1} << 48) - 1;
constexpr uint64_t kContainerMarker = uint64_t{1} << 63;  // EphemeralType.CONTAINER owner

}  // namespace

int64_t zk_first_session_id(int64_t time_ms, int64_t sid) {
  // Java's << then >>> on a long: keep the low 40 bits of the time, in bits 16..55.
  uint64_t id = (static_cast<uint64_t>(time_ms) << 24) >> 8;
  id |= static_cast<uint64_t>(sid) << 56;
  if (id == kContainerMarker) ++id;  // never hand out the container marker as a session
  return static_cast<int64_t>(id);
}

ZkSessionPassword zk_session_password(int64_t session_id) {
  JavaRandom random(session_id ^ kZkPasswordSecret);
  ZkSessionPassword out{};
  random.next_bytes(out.data(), out.size());
  return out;
}

JavaRandom::JavaRandom(int64_t seed) : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}

int32_t JavaRandom::next(int bits) {
  seed_ = (seed_ * kMultiplier + kAddend) & kMask;
  // Java: (int)(seed >>> (48 - bits)), the low 32 bits of the shifted seed.
  return static_cast<int32_t>(static_cast<uint32_t>(seed_ >> (48 - bits)));
}

int32_t JavaRandom::next_int() { return next(32); }

void JavaRandom::next_bytes(uint8_t* out, size_t n) {
  size_t i = 0;
  while (i < n) {
    auto word = static_cast<uint32_t>(next_int());
    const size_t take = std::min<size_t>(n - i, 4);
    for (size_t k = 0; k < take; ++k, word >>= 8) out[i++] = static_cast<uint8_t>(word);
  }
}

}  // namespace paddock::state
