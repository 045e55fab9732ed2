#include "bench/engine.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "proto/records.h"
#include "proto/types.h"

namespace paddock::bench {
namespace {

// Frames longer than this are taken as a broken stream (ZooKeeper's default limit is 1 MiB).
constexpr uint32_t kMaxFrame = 64u << 20;
// Slots in the in-flight ring beyond the window: a ping and a closeSession may be queued.
constexpr uint32_t kRingSlack = 4;
constexpr int kMaxEvents = 512;
constexpr uint64_t kPingCheckInterval = 1'000'000'000;

class IgnoreReplies : public Driver {
 public:
  void on_reply(Session&, OpKind, const ReplyView&, uint64_t, uint64_t) override {}
};

uint64_t round_up_pow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

Result<std::vector<char>> resolve(const Endpoint& e) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(e.port);
  int rc = getaddrinfo(e.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status::error("cannot resolve " + e.host + ": " + gai_strerror(rc));
  }
  const char* bytes = reinterpret_cast<const char*>(found->ai_addr);
  std::vector<char> addr(bytes, bytes + found->ai_addrlen);
  freeaddrinfo(found);
  return addr;
}

// Whether a non-blocking connect() has already reached ESTABLISHED.
bool handshake_done(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 && info.tcpi_state == TCP_ESTABLISHED;
}

Status raise_fd_limit(size_t needed) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return Status::error("getrlimit failed");
  if (lim.rlim_cur >= needed) return Status::ok();
  if (lim.rlim_max < needed) {
    return Status::error("RLIMIT_NOFILE hard limit " + std::to_string(lim.rlim_max) +
                         " is below the " + std::to_string(needed) + " descriptors needed");
  }
  lim.rlim_cur = lim.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return Status::error("setrlimit failed");
  return Status::ok();
}

}  // namespace

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// --- Session --------------------------------------------------------------------------------

uint32_t Session::room() const {
  uint32_t used = in_flight();
  return used >= window_ ? 0 : window_ - used;
}

int32_t Session::push(OpKind kind) {
  int32_t xid = next_xid_++;
  if (next_xid_ <= 0) next_xid_ = 1;  // xids stay positive; negatives are special
  ring_[ring_tail_ & ring_mask_] = InFlight{stamp_ns_, xid, kind};
  ++ring_tail_;
  return xid;
}

void Session::get_data(OpKind kind, std::string_view path, bool watch) {
  requests_.get_data(out_, push(kind), path, watch);
}
void Session::exists(OpKind kind, std::string_view path, bool watch) {
  requests_.exists(out_, push(kind), path, watch);
}
void Session::get_children(OpKind kind, std::string_view path, bool watch) {
  requests_.get_children(out_, push(kind), path, watch);
}
void Session::set_data(OpKind kind, std::string_view path, std::string_view data) {
  requests_.set_data(out_, push(kind), path, data, -1);
}
void Session::create(OpKind kind, std::string_view path, std::string_view data, int32_t flags) {
  requests_.create(out_, push(kind), path, data, flags);
}
void Session::delete_node(OpKind kind, std::string_view path) {
  requests_.delete_node(out_, push(kind), path, -1);
}
void Session::multi_set_two(OpKind kind, std::string_view a, std::string_view b,
                            std::string_view data) {
  requests_.multi_set_two(out_, push(kind), a, b, data);
}

// --- Engine: set-up and tear-down -----------------------------------------------------------

Engine::Engine(std::vector<Endpoint> servers, SessionOptions options)
    : servers_(std::move(servers)), options_(options) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
}

Engine::~Engine() {
  for (auto& s : sessions_) {
    if (s->fd_ >= 0) close(s->fd_);
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status Engine::open(size_t count) {
  if (epoll_fd_ < 0) return Status::error(std::string("epoll_create1: ") + strerror(errno));
  if (addresses_.empty()) {
    for (const Endpoint& e : servers_) {
      auto addr = resolve(e);
      if (!addr) return addr.status();
      addresses_.push_back(std::move(*addr));
    }
  }
  if (Status st = raise_fd_limit(sessions_.size() + count + 64); !st) return st;
  uint64_t ring_size = round_up_pow2(options_.window + kRingSlack);
  for (size_t i = 0; i < count; ++i) {
    auto s = std::make_unique<Session>();
    s->index_ = static_cast<uint32_t>(sessions_.size());
    s->window_ = options_.window;
    s->out_.reserve(options_.write_reserve);
    s->in_cap_ = std::max<size_t>(options_.read_buffer, 64);
    s->in_ = std::make_unique_for_overwrite<char[]>(s->in_cap_);
    s->ring_.resize(ring_size);
    s->ring_mask_ = ring_size - 1;
    const std::vector<char>& addr = addresses_[s->index_ % addresses_.size()];
    auto* sa = reinterpret_cast<const sockaddr*>(addr.data());
    s->fd_ = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd_ < 0) return Status::error(std::string("socket: ") + strerror(errno));
    int one = 1;
    setsockopt(s->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s->connect_started_ns_ = now_ns();
    if (connect(s->fd_, sa, static_cast<socklen_t>(addr.size())) != 0 && errno != EINPROGRESS) {
      return Status::error(std::string("connect: ") + strerror(errno));
    }
    // A loopback handshake usually completes inside connect(): send the ConnectRequest at
    // once, so the server works on the first sessions while later ones still connect
    // (otherwise every ConnectRequest waits for the last connect() and its EPOLLOUT).
    const bool connected = handshake_done(s->fd_);
    if (connected) start_session(*s);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.ptr = s.get();
    s->want_write_ = true;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s->fd_, &ev) != 0) {
      return Status::error(std::string("epoll_ctl: ") + strerror(errno));
    }
    if (connected) flush(*s);
    sessions_.push_back(std::move(s));
  }
  return Status::ok();
}

void Engine::close_all(uint64_t deadline) {
  for (auto& s : sessions_) {
    if (s->state_ == Session::State::kReady) {
      s->stamp_ns_ = now_ns();
      s->requests_.close_session(s->out_, s->push(OpKind::kClose));
      s->state_ = Session::State::kClosing;
      flush(*s);
    } else if (s->state_ == Session::State::kConnecting ||
               s->state_ == Session::State::kHandshake) {
      close(s->fd_);
      s->fd_ = -1;
      s->state_ = Session::State::kClosed;
    }
  }
  IgnoreReplies ignore;
  run(
      ignore,
      [this] {
        return std::all_of(sessions_.begin(), sessions_.end(),
                           [](const auto& s) { return s->state_ != Session::State::kClosing; });
      },
      deadline);
  for (auto& s : sessions_) {
    if (s->fd_ >= 0) close(s->fd_);
    s->fd_ = -1;
    if (s->state_ != Session::State::kFailed) s->state_ = Session::State::kClosed;
  }
}

// --- Engine: the loop -----------------------------------------------------------------------

bool Engine::run(Driver& driver, const std::function<bool()>& stop, uint64_t deadline) {
  epoll_event events[kMaxEvents];
  std::vector<Session*> woken;
  for (;;) {
    if (stop()) return true;
    uint64_t now = now_ns();
    if (now >= deadline) return false;
    woken.swap(woken_);
    for (Session* s : woken) {
      s->woken_ = false;
      fill_and_flush(driver, *s, now);
    }
    woken.clear();
    int timeout_ms =
        woken_.empty() ? static_cast<int>(std::min<uint64_t>(1, (deadline - now) / 1'000'000)) : 0;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    for (int i = 0; i < n; ++i) {
      on_events(driver, *static_cast<Session*>(events[i].data.ptr), events[i].events);
    }
    if (now >= next_ping_check_) {
      ping_idle(now);
      next_ping_check_ = now + kPingCheckInterval;
    }
  }
}

void Engine::wake(Session& s) {
  if (s.woken_) return;
  s.woken_ = true;
  woken_.push_back(&s);
}

void Engine::on_events(Driver& driver, Session& s, uint32_t events) {
  if (s.fd_ < 0) return;  // closed earlier in this batch
  if (s.state_ == Session::State::kConnecting) {
    finish_connect(driver, s);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_available(driver, s);
  if (s.fd_ >= 0 && (events & EPOLLOUT)) flush(s);
}

void Engine::finish_connect(Driver& driver, Session& s) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(s.fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == EINPROGRESS) return;
  if (err != 0) {
    fail(driver, s, std::string("connect: ") + strerror(err));
    return;
  }
  start_session(s);
  flush(s);
}

// TCP is up: queue the ConnectRequest (over TLS it goes once the TLS handshake is done).
void Engine::start_session(Session& s) {
  s.state_ = Session::State::kHandshake;
  if (options_.tls) {
    s.tls_ = std::make_unique<tls::TlsStream>(options_.tls, tls::TlsStream::Role::kClient);
  }
  s.requests_.connect(s.out_, options_.timeout_ms);
}

void Engine::fill_and_flush(Driver& driver, Session& s, uint64_t now) {
  if (s.state_ == Session::State::kReady) {
    s.stamp_ns_ = now;
    if (s.room() > 0) driver.fill(s, now);
  }
  if (s.fd_ >= 0) flush(s);
}

// The server ended the connection: expected after our closeSession, a failure otherwise.
void Engine::on_server_closed(Driver& driver, Session& s) {
  if (s.state_ == Session::State::kClosing) {
    close(s.fd_);
    s.fd_ = -1;
    s.state_ = Session::State::kClosed;
  } else {
    fail(driver, s, "the server closed the connection");
  }
}

void Engine::read_available(Driver& driver, Session& s) {
  if (s.tls_) {
    read_available_tls(driver, s);
    return;
  }
  for (;;) {
    size_t space = s.in_cap_ - s.in_len_;
    ssize_t n = read(s.fd_, s.in_.get() + s.in_len_, space);
    if (n == 0) {
      on_server_closed(driver, s);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) fail(driver, s, strerror(errno));
      break;
    }
    s.in_len_ += static_cast<size_t>(n);
    if (!parse_input(driver, s, now_ns())) return;
    // A short read drained the socket: save the read() that would say EAGAIN.
    if (static_cast<size_t>(n) < space) break;
  }
  fill_and_flush(driver, s, now_ns());
}

bool Engine::parse_input(Driver& driver, Session& s, uint64_t now) {
  size_t pos = 0;
  while (auto next = client::frame_length(std::string_view(s.in_.get() + pos, s.in_len_ - pos))) {
    const uint32_t len = *next;
    if (len > kMaxFrame) {
      fail(driver, s, "reply frame length " + std::to_string(len) + " is out of range");
      return false;
    }
    if (s.in_len_ - pos - 4 < len) break;
    if (!handle_frame(driver, s, std::string_view(s.in_.get() + pos + 4, len), now)) return false;
    pos += 4 + len;
  }
  std::memmove(s.in_.get(), s.in_.get() + pos, s.in_len_ - pos);
  s.in_len_ -= pos;
  // A frame that does not fit: grow (rare, never on the hot path).
  if (auto next = client::frame_length(std::string_view(s.in_.get(), s.in_len_))) {
    size_t need = 4 + static_cast<size_t>(*next);
    if (need > s.in_cap_) {
      auto bigger = std::make_unique_for_overwrite<char[]>(need);
      std::memcpy(bigger.get(), s.in_.get(), s.in_len_);
      s.in_ = std::move(bigger);
      s.in_cap_ = need;
    }
  }
  return true;
}

// TLS: ciphertext into the stream, the handshake driven, plaintext decrypted into s.in_.
void Engine::read_available_tls(Driver& driver, Session& s) {
  if (cipher_in_.empty()) cipher_in_.resize(64 * 1024);
  for (;;) {
    ssize_t n = read(s.fd_, cipher_in_.data(), cipher_in_.size());
    if (n == 0) {
      on_server_closed(driver, s);
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) fail(driver, s, strerror(errno));
      break;
    }
    s.tls_->feed(cipher_in_.data(), static_cast<size_t>(n));
    if (!s.tls_->handshake_done()) {
      flush_tls(s);  // the next handshake flight; the ConnectRequest once it is done
      if (s.fd_ < 0) return;
    }
    for (;;) {
      if (s.in_len_ == s.in_cap_) break;  // parse_input grows for a frame that does not fit
      long m = s.tls_->read(s.in_.get() + s.in_len_, s.in_cap_ - s.in_len_);
      if (m < 0) {
        fail(driver, s, s.state_ == Session::State::kClosing ? "closed" : s.tls_->error());
        return;
      }
      if (m == 0) break;
      s.in_len_ += static_cast<size_t>(m);
      if (!parse_input(driver, s, now_ns())) return;
    }
    if (static_cast<size_t>(n) < cipher_in_.size()) break;
  }
  fill_and_flush(driver, s, now_ns());
}

bool Engine::handle_frame(Driver& driver, Session& s, std::string_view frame, uint64_t now) {
  if (s.state_ == Session::State::kHandshake) {
    proto::ConnectResponse resp;
    if (!proto::decode(frame, resp) || resp.timeout_ms <= 0) {
      fail(driver, s, "the server refused the session");
      return false;
    }
    s.session_id_ = resp.session_id;
    s.state_ = Session::State::kReady;
    ++ready_;
    driver.on_ready(s, now);
    return true;
  }
  ReplyView reply;
  if (!client::parse_reply(frame, reply)) {
    fail(driver, s, "malformed reply header");
    return false;
  }
  const int32_t xid = reply.header.xid;
  if (xid == proto::xid::kNotification) {
    driver.on_event(s, reply, now);
    return true;
  }
  if (s.in_flight() == 0 || s.front().xid != xid) {
    fail(driver, s, "reply xid " + std::to_string(xid) + " answers no outstanding request");
    return false;
  }
  Session::InFlight req = s.front();
  s.pop();
  switch (req.kind) {
    case OpKind::kPing:
      return true;
    case OpKind::kClose:
      // The server closes the socket after this reply; closing first would make it log
      // a read error per session (ZooKeeper does), so wait for its EOF.
      return true;
    default:
      driver.on_reply(s, req.kind, reply, req.sent_ns, now);
      return s.fd_ >= 0;
  }
}

void Engine::flush(Session& s) {
  if (s.tls_) {
    flush_tls(s);
    return;
  }
  while (s.out_sent_ < s.out_.size()) {
    ssize_t n = send(s.fd_, s.out_.data() + s.out_sent_, s.out_.size() - s.out_sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      IgnoreReplies ignore;
      fail(ignore, s, std::string("send: ") + strerror(errno));
      return;
    }
    s.out_sent_ += static_cast<size_t>(n);
    s.last_send_ns_ = s.stamp_ns_;
  }
  bool pending = s.out_sent_ < s.out_.size();
  if (!pending) {
    s.out_.clear();
    s.out_sent_ = 0;
  }
  if (s.state_ != Session::State::kConnecting) set_write_interest(s, pending);
}

void Engine::flush_tls(Session& s) {
  IgnoreReplies ignore;
  if (!s.tls_->handshake_done() && !s.tls_->handshake()) {
    fail(ignore, s, s.tls_->error());
    return;
  }
  if (s.tls_->handshake_done() && !s.out_.empty()) {
    if (!s.tls_->write(s.out_.data(), s.out_.size())) {
      fail(ignore, s, s.tls_->error());
      return;
    }
    s.out_.clear();
    s.out_sent_ = 0;
    s.last_send_ns_ = s.stamp_ns_;
  }
  std::string_view produced = s.tls_->output();
  if (!produced.empty()) {
    s.cipher_out_.append(produced);
    s.tls_->clear_output();
  }
  while (s.cipher_sent_ < s.cipher_out_.size()) {
    ssize_t n = send(s.fd_, s.cipher_out_.data() + s.cipher_sent_,
                     s.cipher_out_.size() - s.cipher_sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      fail(ignore, s, std::string("send: ") + strerror(errno));
      return;
    }
    s.cipher_sent_ += static_cast<size_t>(n);
  }
  const bool pending = s.cipher_sent_ < s.cipher_out_.size();
  if (!pending) {
    s.cipher_out_.clear();
    s.cipher_sent_ = 0;
  }
  if (s.state_ != Session::State::kConnecting) set_write_interest(s, pending);
}

void Engine::set_write_interest(Session& s, bool on) {
  if (s.want_write_ == on || s.fd_ < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.ptr = &s;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.fd_, &ev);
  s.want_write_ = on;
}

void Engine::fail(Driver& driver, Session& s, std::string why) {
  if (s.fd_ >= 0) close(s.fd_);
  s.fd_ = -1;
  if (s.state_ == Session::State::kClosing) {  // a reset while closing is still a close
    s.state_ = Session::State::kClosed;
    return;
  }
  s.state_ = Session::State::kFailed;
  ++failed_;
  if (first_error_.empty()) first_error_ = why;
  driver.on_failed(s, why);
}

void Engine::ping_idle(uint64_t now) {
  uint64_t idle_limit = static_cast<uint64_t>(options_.timeout_ms) * 1'000'000 / 3;
  for (auto& s : sessions_) {
    if (s->state_ != Session::State::kReady || s->in_flight() > 0) continue;
    if (now - s->last_send_ns_ < idle_limit) continue;
    s->stamp_ns_ = now;
    s->ring_[s->ring_tail_ & s->ring_mask_] =
        Session::InFlight{now, proto::xid::kPing, OpKind::kPing};
    ++s->ring_tail_;
    s->requests_.ping(s->out_);
    flush(*s);
  }
}

}  // namespace paddock::bench
