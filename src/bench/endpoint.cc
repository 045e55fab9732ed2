#include "bench/endpoint.h"

#include <charconv>

namespace paddock::bench {

Result<std::vector<Endpoint>> parse_servers(std::string_view text) {
  std::vector<Endpoint> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    Endpoint e;
    size_t colon = item.rfind(':');
    e.host = std::string(item.substr(0, colon));
    e.port = 2181;
    if (colon != std::string_view::npos) {
      std::string_view port = item.substr(colon + 1);
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
      if (ec != std::errc() || end != port.data() + port.size() || e.port == 0) {
        return Status::error("bad port in server '" + std::string(item) + "'");
      }
    }
    if (e.host.empty()) e.host = "127.0.0.1";
    out.push_back(std::move(e));
  }
  if (out.empty()) return Status::error("no servers given");
  return out;
}

}  // namespace paddock::bench
