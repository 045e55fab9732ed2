#pragma once
// Test-only: bytes from a hex literal ("0a1b..."), for tests that compare against byte
// strings captured from ZooKeeper. Header-only, for test binaries.
#include <string>
#include <string_view>

namespace paddock::test_hex {

inline std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace paddock::test_hex
