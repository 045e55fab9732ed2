#pragma once
// Helpers shared by the config tests.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "config/server_config.h"

namespace paddock::config::testing {

using Props = std::map<std::string, std::string>;

inline LoadedConfig parse_ok(std::string_view text, const Props& props = {}) {
  Result<LoadedConfig> r = parse_server_config(text, "zoo.cfg", props, "/base");
  EXPECT_TRUE(r.is_ok()) << (r ? "" : r.error());
  return r ? *r : LoadedConfig{};
}

inline std::string parse_error(std::string_view text, const Props& props = {}) {
  Result<LoadedConfig> r = parse_server_config(text, "zoo.cfg", props, "/base");
  EXPECT_FALSE(r.is_ok()) << text;
  return r ? std::string() : r.error();
}

// The number of warnings that contain `part`.
inline int count_warnings(const LoadedConfig& loaded, std::string_view part) {
  int n = 0;
  for (const std::string& w : loaded.warnings) n += w.find(part) != std::string::npos ? 1 : 0;
  return n;
}

inline std::string all_warnings(const LoadedConfig& loaded) {
  std::string s;
  for (const std::string& w : loaded.warnings) s += w + "\n";
  return s;
}

}  // namespace paddock::config::testing
