#pragma once
// Helpers shared by peer/ tests: hex literals and a seeded byte mangler for fuzz-like tests.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "util/test_hex.h"

namespace paddock::peer::testing {

using test_hex::from_hex;

// One of: flip a bit, truncate, overwrite a byte, insert random bytes; seeded.
inline std::string mangle(std::string bytes, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  switch (rng() % 4) {
    case 0:
      if (!bytes.empty()) bytes[pick(bytes.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:
      bytes.resize(pick(bytes.size() + 1));
      break;
    case 2:
      if (!bytes.empty()) bytes[pick(bytes.size())] = static_cast<char>(rng());
      break;
    default: {
      std::string noise(1 + pick(16), '\0');
      for (char& c : noise) c = static_cast<char>(rng());
      bytes.insert(pick(bytes.size() + 1), noise);
    }
  }
  return bytes;
}

inline std::string random_bytes(std::mt19937_64& rng, size_t max_len) {
  std::string out(static_cast<size_t>(rng() % (max_len + 1)), '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

}  // namespace paddock::peer::testing
