#pragma once
// The console's settings, from zoo.cfg:
//   admin.console.enabled=true|false        (default true: on wherever the admin server is)
//   admin.console.enableWrites=true|false   (default false: read-only)
// (-Dzookeeper.admin.console.* flags too, as every zoo.cfg property.)
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "console/ensemble_view.h"

namespace paddock::console {

struct ConsoleOptions {
  bool enabled = true;
  bool writes_enabled = false;
  size_t max_data_bytes = 1 << 20;  // jute.maxbuffer: the largest znode data a write sends
  int64_t server_id = 0;
  std::vector<MemberAddress> members;  // empty when standalone
  std::chrono::milliseconds request_timeout{5000};  // a tree call, a search, a snapshot
  std::chrono::milliseconds member_timeout{1000};   // each member's srvr
};

ConsoleOptions console_options(const config::ServerConfig& cfg);

// Where a member's client port answers. Its server line's ";[host:]port" part when it has
// one; else this server's own clientPort for itself, and for a member on another host (the
// usual deployment: every member on 2181); else unknown (port 0), never a guess that could
// name another member's port.
MemberAddress member_address(const config::ServerEntry& entry, const config::ServerConfig& cfg);

}  // namespace paddock::console
