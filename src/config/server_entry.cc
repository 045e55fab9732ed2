#include "config/server_entry.h"

#include <fmt/format.h>

#include <cctype>

#include "config/java_values.h"

namespace paddock::config {
namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.emplace_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  // Java's String.split drops trailing empty strings: "h:1:2;" has no client part.
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

Result<int> parse_port(std::string_view text, std::string_view what) {
  std::string_view t = java_trim(text);
  std::optional<int64_t> v = parse_java_integer(t, INT32_MIN, INT32_MAX);
  if (!v) return Status::error(fmt::format("{} '{}' is not a number", what, t));
  if (*v < 1 || *v > 65535) {
    return Status::error(fmt::format("{} {} is out of range (1-65535)", what, *v));
  }
  return static_cast<int>(*v);
}

std::string bracketed(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

Status parse_client_part(std::string_view text, ServerEntry& entry) {
  Result<std::vector<std::string>> parts = split_host_and_ports(java_trim(text));
  if (!parts) return parts.status();
  if (parts->empty() || parts->size() > 2) {
    return Status::error(fmt::format("client part '{}' must be clientPort or clientHost:clientPort",
                                     java_trim(text)));
  }
  Result<int> port = parse_port(parts->back(), "client port");
  if (!port) return port.status();
  entry.client_port = *port;
  entry.client_address = parts->size() == 2 ? std::string(java_trim((*parts)[0])) : "0.0.0.0";
  if (entry.client_address.empty()) return Status::error("client host is empty");
  return Status::ok();
}

Status parse_server_part(std::string_view text, ServerEntry& entry) {
  Result<std::vector<std::string>> parts = split_host_and_ports(java_trim(text));
  if (!parts) return parts.status();
  if (parts->size() < 3 || parts->size() > 4) {
    return Status::error(fmt::format(
        "'{}' must be host:quorumPort:electionPort[:participant|observer]", java_trim(text)));
  }
  const std::vector<std::string>& p = *parts;
  entry.host = std::string(java_trim(p[0]));
  if (entry.host.empty()) return Status::error("host is empty");
  Result<int> quorum = parse_port(p[1], "quorum port");
  if (!quorum) return quorum.status();
  Result<int> election = parse_port(p[2], "election port");
  if (!election) return election.status();
  if (*quorum == *election) {
    return Status::error(
        fmt::format("quorum port and election port must differ (both {})", *quorum));
  }
  entry.quorum_port = *quorum;
  entry.election_port = *election;
  if (p.size() == 4) {
    std::string role(java_trim(p[3]));
    for (char& c : role) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (role != "participant" && role != "observer") {
      return Status::error(
          fmt::format("unknown role '{}' (expected participant or observer)", java_trim(p[3])));
    }
    entry.role = role;
  }
  return Status::ok();
}

}  // namespace

std::string ServerEntry::to_config_string() const {
  std::string s = fmt::format("{}:{}:{}:{}", bracketed(host), quorum_port, election_port, role);
  if (has_client_address()) s += fmt::format(";{}:{}", bracketed(client_address), client_port);
  return s;
}

Result<std::vector<std::string>> split_host_and_ports(std::string_view text) {
  if (!text.starts_with("[")) return split(text, ':');
  size_t close = text.find(']');
  if (close == std::string_view::npos) {
    return Status::error(fmt::format("'{}' starts with '[' but has no matching ']'", text));
  }
  std::vector<std::string> parts{std::string(text.substr(1, close - 1))};
  std::string_view rest = text.substr(close + 1);
  if (rest.empty()) return parts;
  if (rest[0] != ':' || rest.size() == 1) {
    return Status::error(fmt::format("'{}' needs ':port' after ']'", text));
  }
  for (std::string& p : split(rest.substr(1), ':')) parts.push_back(std::move(p));
  return parts;
}

Result<ServerEntry> parse_server_entry(int64_t id, std::string_view value) {
  ServerEntry entry;
  entry.id = id;
  std::string_view v = java_trim(value);
  std::vector<std::string> halves = split(v, ';');
  if (halves.empty() || halves.size() > 2) {
    return Status::error(fmt::format(
        "'{}' must be host:quorumPort:electionPort[:role][;[clientHost:]clientPort]", v));
  }
  if (halves[0].find('|') != std::string::npos) {
    return Status::error(
        "several addresses joined by '|' need multiAddress.enabled, which Paddock does not "
        "support");
  }
  if (Status s = parse_server_part(halves[0], entry); !s) return s;
  if (halves.size() == 2) {
    if (Status s = parse_client_part(halves[1], entry); !s) return s;
  }
  return entry;
}

Result<ServerEntry> parse_server_line(std::string_view key, std::string_view value) {
  std::string_view id_text = key.substr(key.find('.') + 1);
  std::optional<int64_t> id = parse_java_integer(id_text, 0, INT64_MAX);
  if (!id) return Status::error(fmt::format("'{}' is not a server id (a number >= 0)", id_text));
  return parse_server_entry(*id, value);
}

}  // namespace paddock::config
