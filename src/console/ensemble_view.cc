#include "console/ensemble_view.h"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <future>

#include "console/node_json.h"

namespace paddock::console {
namespace {

using Clock = std::chrono::steady_clock;

// The value after "<key>: " on its own line of `text`.
std::optional<std::string_view> field(std::string_view text, std::string_view key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (line.starts_with(key) && line.substr(key.size()).starts_with(": ")) {
      return line.substr(key.size() + 2);
    }
    at = end + 1;
  }
  return std::nullopt;
}

template <typename T>
std::optional<T> number(std::optional<std::string_view> v, int base = 10) {
  if (!v) return std::nullopt;
  std::string_view s = *v;
  if (base == 16 && s.starts_with("0x")) s.remove_prefix(2);
  T out{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return out;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// One connection, "srvr" written, everything read until the server closes (as it does after
// a four-letter word) or the deadline.
std::string ask_srvr(const MemberAddress& m, std::chrono::milliseconds timeout,
                     std::string& error) {
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(m.client_port);
  if (int rc = ::getaddrinfo(m.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = fmt::format("cannot resolve {}: {}", m.host, ::gai_strerror(rc));
    return {};
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  std::string out;
  if (fd >= 0) {
    ::connect(fd, found->ai_addr, found->ai_addrlen);  // EINPROGRESS: poll says when
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) == 1 && (p.revents & POLLOUT) &&
        ::send(fd, "srvr", 4, MSG_NOSIGNAL) == 4) {
      char buf[4096];
      while (out.size() < 65536) {
        p = {fd, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) break;
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (out.empty()) error = fmt::format("no answer from {}:{}", m.host, m.client_port);
  return out;
}

MemberStatus ask_member(const MemberAddress& m, std::chrono::milliseconds timeout) {
  MemberStatus status{m, std::nullopt, ""};
  if (m.client_port == 0) {
    status.error = "client port unknown (add ;clientPort to its server line)";
    return status;
  }
  std::string answer = ask_srvr(m, timeout, status.error);
  if (answer.empty()) return status;
  status.figures = parse_srvr(answer);
  if (!status.figures) {
    std::string_view first = answer;
    status.error = std::string(first.substr(0, first.find('\n')));
  }
  return status;
}

}  // namespace

std::optional<SrvrFigures> parse_srvr(std::string_view text) {
  std::optional<std::string_view> mode = field(text, "Mode");
  std::optional<int64_t> zxid = number<int64_t>(field(text, "Zxid"), 16);
  if (!mode || !zxid) return std::nullopt;
  SrvrFigures f;
  f.mode = std::string(*mode);
  f.zxid = *zxid;
  f.node_count = number<uint64_t>(field(text, "Node count")).value_or(0);
  f.connections = number<uint64_t>(field(text, "Connections")).value_or(0);
  f.outstanding = number<uint64_t>(field(text, "Outstanding")).value_or(0);
  return f;
}

std::optional<int64_t> lag_behind(int64_t leader_zxid, int64_t member_zxid) {
  if ((leader_zxid >> 32) != (member_zxid >> 32)) return std::nullopt;
  return std::max<int64_t>(0, leader_zxid - member_zxid);
}

nlohmann::ordered_json members_json(const std::vector<MemberStatus>& members) {
  std::optional<int64_t> leader_zxid;
  for (const MemberStatus& m : members) {
    if (m.figures && m.figures->mode == "leader") leader_zxid = m.figures->zxid;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const MemberStatus& m : members) {
    nlohmann::ordered_json j{{"sid", m.address.sid},
                             {"role", m.address.role},
                             {"address", fmt::format("{}:{}", m.address.host, m.address.client_port)}};
    if (m.figures) {
      j["mode"] = m.figures->mode;
      j["zxid"] = hex_id(m.figures->zxid);
      j["node_count"] = m.figures->node_count;
      j["connections"] = m.figures->connections;
      j["outstanding"] = m.figures->outstanding;
      std::optional<int64_t> lag =
          leader_zxid ? lag_behind(*leader_zxid, m.figures->zxid) : std::nullopt;
      j["lag"] = lag ? nlohmann::ordered_json(*lag) : nlohmann::ordered_json(nullptr);
    } else {
      j["mode"] = nullptr;
      j["zxid"] = nullptr;
      j["lag"] = nullptr;
      j["error"] = m.error;
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<MemberStatus> ask_members(const std::vector<MemberAddress>& members,
                                      std::chrono::milliseconds timeout) {
  // A handful of members (3, 5, 7): a thread each, so one silent member costs one timeout.
  std::vector<std::future<MemberStatus>> asked;
  for (const MemberAddress& m : members) {
    asked.push_back(std::async(std::launch::async, [m, timeout] { return ask_member(m, timeout); }));
  }
  std::vector<MemberStatus> out;
  for (auto& f : asked) out.push_back(f.get());
  return out;
}

}  // namespace paddock::console
