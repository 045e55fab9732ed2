#include "console/console_options.h"

namespace paddock::console {
namespace {

bool is_any_address(const std::string& a) { return a.empty() || a == "0.0.0.0" || a == "::"; }

}  // namespace

MemberAddress member_address(const config::ServerEntry& entry, const config::ServerConfig& cfg) {
  MemberAddress m;
  m.sid = entry.id;
  m.role = entry.role;
  m.host = entry.host;
  if (entry.has_client_address()) {
    if (!is_any_address(entry.client_address)) m.host = entry.client_address;
    m.client_port = static_cast<uint16_t>(entry.client_port);
    return m;
  }
  const config::ServerEntry* self = cfg.self();
  if (entry.id == cfg.my_id) {
    if (!is_any_address(cfg.client_port_address)) m.host = cfg.client_port_address;
    m.client_port = static_cast<uint16_t>(cfg.client_port);
  } else if (self != nullptr && self->host != entry.host) {
    m.client_port = static_cast<uint16_t>(cfg.client_port);
  }
  return m;
}

ConsoleOptions console_options(const config::ServerConfig& cfg) {
  ConsoleOptions o;
  o.enabled = cfg.admin_enable_server && cfg.switch_property("zookeeper.admin.console.enabled");
  o.writes_enabled = cfg.switch_property("zookeeper.admin.console.enableWrites");
  o.max_data_bytes = static_cast<size_t>(cfg.jute_max_buffer());
  o.server_id = cfg.my_id;
  if (cfg.is_distributed()) {
    for (const auto& [id, entry] : cfg.servers) o.members.push_back(member_address(entry, cfg));
  }
  return o;
}

}  // namespace paddock::console
