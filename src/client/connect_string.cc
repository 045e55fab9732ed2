#include "client/connect_string.h"

#include <charconv>
#include <optional>

#include "proto/path.h"

namespace paddock::client {
namespace {

paddock::Result<HostPort> parse_host_port(std::string_view item) {
  // Built by appends: GCC 12 at -O3 warns falsely (-Wrestrict) on "\"" + std::string + "\"".
  std::string quoted;
  quoted.reserve(item.size() + 2);
  quoted.append(1, '"').append(item).append(1, '"');
  HostPort hp;
  std::optional<std::string_view> port_text;  // present when a ':' announces a port
  if (item.front() == '[') {
    size_t close = item.find(']');
    if (close == std::string_view::npos) return Status::error("unclosed '[' in " + quoted);
    hp.host = std::string(item.substr(1, close - 1));
    std::string_view rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::error("junk after ']' in " + quoted);
      port_text = rest.substr(1);
    }
  } else if (size_t colon = item.rfind(':'); colon != std::string_view::npos) {
    hp.host = std::string(item.substr(0, colon));
    port_text = item.substr(colon + 1);
  } else {
    hp.host = std::string(item);
  }
  if (hp.host.empty()) return Status::error("empty host in " + quoted);
  if (port_text) {
    unsigned port = 0;
    const char* first = port_text->data();
    const char* last = first + port_text->size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (port_text->empty() || ec != std::errc() || end != last || port == 0 || port > 65535) {
      return Status::error("bad port in " + quoted);
    }
    hp.port = static_cast<uint16_t>(port);
  }
  return hp;
}

}  // namespace

paddock::Result<ConnectString> parse_connect_string(std::string_view text) {
  ConnectString out;
  std::string_view hosts = text;
  // The chroot starts at the first '/' (host names and ports never hold one).
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    hosts = text.substr(0, slash);
    std::string_view chroot = text.substr(slash);
    if (chroot != "/") {
      std::string reason;
      if (proto::validate_path(chroot, false, &reason) != proto::Err::kOk) {
        return Status::error("invalid chroot: " + reason);
      }
      out.chroot = std::string(chroot);
    }
  }
  while (!hosts.empty()) {
    size_t comma = hosts.find(',');
    std::string_view item = hosts.substr(0, comma);
    hosts = comma == std::string_view::npos ? std::string_view() : hosts.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto hp = parse_host_port(item);
    if (!hp) return hp.status();
    out.hosts.push_back(std::move(*hp));
  }
  if (out.hosts.empty()) {
    return Status::error("no host in connection string \"" + std::string(text) + "\"");
  }
  return out;
}

std::string prepend_chroot(std::string_view chroot, std::string_view client_path) {
  if (chroot.empty()) return std::string(client_path);
  if (client_path == "/") return std::string(chroot);
  std::string out;
  out.reserve(chroot.size() + client_path.size());
  out.append(chroot).append(client_path);
  return out;
}

std::string strip_chroot(std::string_view chroot, std::string_view server_path) {
  if (chroot.empty()) return std::string(server_path);
  if (server_path == chroot) return "/";
  if (server_path.size() > chroot.size() && server_path.substr(0, chroot.size()) == chroot &&
      server_path[chroot.size()] == '/') {
    return std::string(server_path.substr(chroot.size()));
  }
  return std::string(server_path);
}

}  // namespace paddock::client
