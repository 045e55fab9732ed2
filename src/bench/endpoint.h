#pragma once
// The servers a run loads: `--servers host:port,host:port`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::bench {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// Parses "host:port,host:port" (a missing port means 2181, a missing host 127.0.0.1).
Result<std::vector<Endpoint>> parse_servers(std::string_view text);

}  // namespace paddock::bench
