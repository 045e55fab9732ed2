#include "server/connection.h"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <asio/write.hpp>
#include <cerrno>
#include <climits>
#include <cstring>

namespace paddock::server {
namespace {

// Bytes read from one connection per readiness event before the thread serves the others.
constexpr size_t kMaxReadPerTurn = 1 << 20;
// A partial-frame buffer larger than this is released once it empties (after a big frame).
constexpr size_t kKeepPartialCapacity = 64 * 1024;

int32_t read_be32(const char* p) {
  uint32_t v = (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
               (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
               (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) |
               static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
  return static_cast<int32_t>(v);
}

int64_t read_be64(const char* p) {
  uint64_t hi = static_cast<uint32_t>(read_be32(p));
  uint64_t lo = static_cast<uint32_t>(read_be32(p + 4));
  return static_cast<int64_t>((hi << 32) | lo);
}

}  // namespace

Connection::Connection(ConnectionEnv env, pipeline::ConnectionId id, asio::ip::tcp::socket socket,
                       std::string peer_ip, uint16_t peer_port, Transport transport,
                       tls::SslCtxPtr tls_context)
    : env_(env),
      id_(id),
      socket_(std::move(socket)),
      peer_ip_(std::move(peer_ip)),
      peer_port_(peer_port),
      transport_(transport),
      tls_context_(std::move(tls_context)) {}

Connection::~Connection() { out_.clear(env_.chunks); }

void Connection::start() {
  std::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) {
    close(ec.message());
    return;
  }
  if (transport_ != Transport::kPlain) start_handshake_timer();
  arm_read();
}

void Connection::arm_read() {
  if (wait_armed_ || !wants_to_read()) return;
  wait_armed_ = true;
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](std::error_code ec) {
                       self->wait_armed_ = false;
                       if (ec) {
                         if (ec != asio::error::operation_aborted) self->close(ec.message());
                         return;
                       }
                       self->on_readable();
                     });
}

void Connection::on_readable() {
  size_t budget = kMaxReadPerTurn;
  while (wants_to_read()) {
    std::error_code ec;
    size_t n = socket_.read_some(asio::buffer(env_.scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) {
      closed_by_peer_ = ec == asio::error::eof || ec == asio::error::connection_reset;
      close(ec == asio::error::eof ? "peer closed" : ec.message());
      return;
    }
    if (transport_ == Transport::kPlain) {
      if (!consume(env_.scratch.data(), n)) return;
    } else if (n == 0 || !on_cipher(env_.scratch.data(), n)) {
      return;
    }
    // A short read means the socket is drained; skip the read that would say so.
    if (n < env_.scratch.size() || n >= budget) break;
    budget -= n;
  }
  arm_read();
}

bool Connection::consume(const char* data, size_t n) {
  if (partial_.empty()) {
    size_t used = cut_frames(data, n);
    if (closed_ || four_letter_) return false;
    partial_.assign(data + used, n - used);
  } else {
    partial_.append(data, n);
    size_t used = cut_frames(partial_.data(), partial_.size());
    if (closed_ || four_letter_) return false;
    partial_.erase(0, used);
  }
  if (partial_.empty() && partial_.capacity() > kKeepPartialCapacity) {
    std::string().swap(partial_);
  } else if (partial_.size() >= 4 && frames_in_ > 0) {
    // Make room for the whole frame once, not by repeated doubling. (Not before the first
    // frame: those 4 bytes may be a four-letter word waiting for its argument.)
    int32_t len = read_be32(partial_.data());
    if (len >= 0 && len <= env_.limits.max_frame_bytes) {
      partial_.reserve(4 + static_cast<size_t>(len));
    }
  }
  return true;
}

size_t Connection::cut_frames(const char* data, size_t n) {
  size_t pos = 0;
  if (frames_in_ == 0 && !check_four_letter_word(data, n, pos)) return pos;
  while (n - pos >= 4) {
    int32_t len = read_be32(data + pos);
    if (len < 0 || len > env_.limits.max_frame_bytes) {
      env_.bad_input_log.warn(
          util::steady_now_ms(), peer_ip_,
          "closing connection: frame length out of range conn={} peer={}:{} len={} max={}", id_,
          peer_ip_, peer_port_, len, env_.limits.max_frame_bytes);
      close("frame length out of range");
      return pos;
    }
    if (n - pos - 4 < static_cast<size_t>(len)) break;
    ++frames_in_;
    env_.host.frame_received(*this, std::string_view(data + pos + 4, static_cast<size_t>(len)));
    pos += 4 + static_cast<size_t>(len);
    if (closed_) return pos;
  }
  return pos;
}

// The first 4 bytes of a connection may be a four-letter word instead of a length. Returns
// false when cutting must stop (a word was recognised, or more bytes are needed to decide).
bool Connection::check_four_letter_word(const char* data, size_t n, size_t& used) {
  if (n < 4) return false;
  auto word = parse_four_letter_word(std::string_view(data, 4));
  if (!word) return true;
  int64_t argument = 0;
  if (*word == FourLetterWord::kStmk) {
    if (n < 12) return false;  // stmk carries an 8-byte trace mask
    argument = read_be64(data + 4);
  }
  used = n;
  four_letter_ = true;
  env_.host.four_letter_word(shared_from_this(), *word, argument);
  return false;
}

void Connection::stage(std::string_view frame) {
  if (closed_ || closing_ || frame.empty()) return;
  if (transport_ != Transport::kPlain) {
    stage_tls(frame);
    return;
  }
  if (out_.writing() || out_.has_queued()) {  // behind earlier bytes: they go first
    queue_copy(frame);
    return;
  }
  if (over_outbound_limit(staged_bytes_ + frame.size())) return;
  staged_.push_back(iovec{const_cast<char*>(frame.data()), frame.size()});
  staged_bytes_ += frame.size();
}

void Connection::queue_copy(std::string_view bytes) {
  if (over_outbound_limit(bytes.size())) return;
  out_.push_copy(bytes, env_.chunks);
}

// Closes the connection when `more` bytes on top of what is queued and in flight would pass
// the outbound limit (a client that does not read its replies).
bool Connection::over_outbound_limit(size_t more) {
  const size_t total = out_.bytes() + more;
  if (total <= env_.limits.max_outbound_bytes) return false;
  env_.bad_input_log.warn(
      util::steady_now_ms(), peer_ip_,
      "closing connection: outbound limit exceeded conn={} peer={}:{} bytes={} max={}", id_,
      peer_ip_, peer_port_, total, env_.limits.max_outbound_bytes);
  close("outbound limit exceeded");
  return true;
}

void Connection::write_staged() {
  if (transport_ != Transport::kPlain) {
    write_staged_tls();
    return;
  }
  size_t first = 0;  // the first iovec not written completely
  while (first < staged_.size() && !closed_) {
    const size_t count = std::min<size_t>(staged_.size() - first, IOV_MAX);
    msghdr msg{};
    msg.msg_iov = &staged_[first];
    msg.msg_iovlen = count;
    size_t asked = 0;
    for (size_t i = first; i < first + count; ++i) asked += staged_[i].iov_len;
    const ssize_t n = ::sendmsg(socket_.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close(std::strerror(errno));
      break;
    }
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      iovec& v = staged_[first];
      const size_t step = std::min(left, v.iov_len);
      v.iov_base = static_cast<char*>(v.iov_base) + step;
      v.iov_len -= step;
      left -= step;
      if (v.iov_len == 0) ++first;
    }
    if (static_cast<size_t>(n) < asked) break;  // the socket is full
  }
  if (!closed_) {
    for (size_t i = first; i < staged_.size(); ++i) {
      if (staged_[i].iov_len == 0) continue;
      out_.push_copy(
          std::string_view(static_cast<const char*>(staged_[i].iov_base), staged_[i].iov_len),
          env_.chunks);
    }
  }
  staged_.clear();
  staged_bytes_ = 0;
  flush();
}

void Connection::flush() {
  if (closed_ || out_.writing()) return;
  if (!out_.has_queued()) {
    if (closing_) close("closed after flush");
    return;
  }
  asio::async_write(socket_, out_.start_write(),
                    [self = shared_from_this()](std::error_code ec, size_t) {
                      self->on_written(ec);
                    });
}

void Connection::on_written(std::error_code ec) {
  out_.finish_write(env_.chunks);
  if (closed_) return;
  if (ec) {
    close(ec.message());
    return;
  }
  flush();
}

void Connection::close_after_flush() {
  if (closed_) return;
  if (tls_ && !closing_) {
    tls_->shutdown();  // close_notify
    send_tls_output();
  }
  closing_ = true;
  flush();
}

void Connection::set_reading(bool enabled) {
  reading_ = enabled;
  if (!enabled) return;
  // Records already received may hold frames that will not make the socket readable again.
  if (tls_ && tls_->has_buffered_input() && !drain_tls()) return;
  arm_read();
}

void Connection::reply_and_close(std::string text) {
  if (closed_) return;
  four_letter_ = true;
  if (tls_) {
    if (!text.empty() && !tls_->write(text.data(), text.size())) {
      close(tls_->error());
      return;
    }
    send_tls_output();
  } else if (!text.empty()) {
    out_.push(std::move(text), env_.chunks);
  }
  close_after_flush();
}

void Connection::close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  spdlog::debug("connection closed conn={} peer={}:{} reason={}", id_, peer_ip_, peer_port_,
                reason);
  std::error_code ignored;
  socket_.close(ignored);
  if (handshake_timer_) handshake_timer_->cancel();
  if (!out_.writing()) out_.clear(env_.chunks);
  // Last: the host drops its reference to this connection.
  env_.host.connection_closed(*this);
}

}  // namespace paddock::server
