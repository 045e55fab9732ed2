#include "app/cli_four_letter.h"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paddock::app {
namespace {

using Clock = std::chrono::steady_clock;

int millis_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, millis_left(deadline));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Connects without blocking past the deadline; "" on success, else why not.
std::string connect_before(int fd, const addrinfo& ai, Clock::time_point deadline) {
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return "";
  if (errno != EINPROGRESS) return std::strerror(errno);
  if (!wait_for(fd, POLLOUT, deadline)) return "timed out";
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? "" : std::strerror(err);
}

Result<std::string> exchange(int fd, std::string_view word, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < word.size()) {
    if (!wait_for(fd, POLLOUT, deadline)) return Status::error("timed out sending");
    ssize_t n = ::send(fd, word.data() + sent, word.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Status::error(std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[4096];
  while (true) {
    if (!wait_for(fd, POLLIN, deadline)) return Status::error("timed out reading the reply");
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Status::error(std::strerror(errno));
    if (n == 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  if (reply.empty()) return Status::error("the server closed the connection without a reply");
  return reply;
}

}  // namespace

Result<std::string> send_four_letter_word(const std::string& host, int port, std::string_view word,
                                          std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status::error(fmt::format("{}: {}", host, ::gai_strerror(rc)));
  }
  std::string why = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (s.fd() < 0) {
      why = std::strerror(errno);
      continue;
    }
    why = connect_before(s.fd(), *ai, deadline);
    if (!why.empty()) continue;
    ::freeaddrinfo(found);
    return exchange(s.fd(), word, deadline);
  }
  ::freeaddrinfo(found);
  return Status::error(why);
}

}  // namespace paddock::app
