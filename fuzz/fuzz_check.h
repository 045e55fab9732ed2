#pragma once
// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts with a message (so
// libFuzzer keeps the input as a crash), and chunking a stream the same way on every run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond, ...)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, "" __VA_ARGS__);                                    \
      std::fprintf(stderr, "\n");                                              \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

namespace paddock::fuzz {

// Splits `bytes` into pieces whose sizes come from `seed` (1..64 bytes each), as a socket
// might deliver them: stream decoders must give the same answer however the bytes arrive.
inline std::vector<std::string_view> chunks(std::string_view bytes, uint32_t seed) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  uint32_t s = seed | 1;
  while (pos < bytes.size()) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    size_t n = 1 + s % 64;
    if (n > bytes.size() - pos) n = bytes.size() - pos;
    out.push_back(bytes.substr(pos, n));
    pos += n;
  }
  return out;
}

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace paddock::fuzz
