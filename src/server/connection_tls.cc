// The TLS half of Connection: ciphertext read from the socket is fed to a TlsStream (memory
// BIOs), decrypted into the thread's `plain` buffer and cut into frames like plain bytes;
// replies are gathered into records of up to 16 KiB, encrypted, and the ciphertext written
// at once or queued. Everything runs on the owning network thread: a handshake costs no
// thread and no blocking call.
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <asio/post.hpp>

#include "server/connection.h"
#include "server/ocsp_checker.h"

namespace paddock::server {
namespace {
// Plaintext gathered per TLS record: the protocol's maximum record payload.
constexpr size_t kRecordBytes = 16 * 1024;
constexpr uint8_t kTlsHandshakeRecord = 0x16;
}  // namespace

void Connection::start_handshake_timer() {
  handshake_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor());
  handshake_timer_->expires_after(env_.limits.handshake_timeout);
  handshake_timer_->async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || self->announced_ || self->closed_) return;
    spdlog::info("event=tls_handshake_timeout conn={} peer={}:{}", self->id_, self->peer_ip_,
                 self->peer_port_);
    self->close("TLS handshake timed out");
  });
}

void Connection::ready(std::string x509_subject) {
  if (handshake_timer_) handshake_timer_->cancel();
  env_.host.connection_ready(*this, std::move(x509_subject));
}

bool Connection::on_cipher(const char* data, size_t n) {
  if (!tls_) {
    // Unified port: the first byte says which protocol the client speaks.
    if (transport_ == Transport::kDetect && static_cast<uint8_t>(data[0]) != kTlsHandshakeRecord) {
      transport_ = Transport::kPlain;
      tls_context_.reset();
      ready("");
      return !closed_ && consume(data, n);
    }
    transport_ = Transport::kTls;
    tls_ = std::make_unique<tls::TlsStream>(tls_context_, tls::TlsStream::Role::kServer);
    tls_context_.reset();
  }
  tls_->feed(data, n);
  return drain_tls();
}

// Advances the handshake, then decrypts and cuts frames while the pipeline wants them.
bool Connection::drain_tls() {
  if (!tls_->handshake_done()) {
    const bool ok = tls_->handshake();
    send_tls_output();  // our handshake messages, or the alert that says why it failed
    if (closed_) return false;
    if (!ok) {
      spdlog::info("event=tls_handshake_failed conn={} peer={}:{} error=\"{}\"", id_, peer_ip_,
                   peer_port_, tls_->error());
      closing_ = true;  // the alert goes out first
      flush();
      return false;
    }
    if (!tls_->handshake_done()) return true;
    if (!announce_after_revocation_check()) return false;
  }
  if (revocation_pending_) return true;  // records wait in the stream until the answer
  std::vector<char>& plain = env_.plain;
  while (wants_to_read()) {
    const long n = tls_->read(plain.data(), plain.size());
    if (n == 0) break;
    if (n < 0) {
      closed_by_peer_ = tls_->peer_closed();  // close_notify: the client ended it
      send_tls_output();
      close(tls_->error());
      return false;
    }
    if (!consume(plain.data(), static_cast<size_t>(n))) return false;
  }
  send_tls_output();  // session tickets, key update answers
  return !closed_;
}

bool Connection::announce_after_revocation_check() {
  if (env_.ocsp == nullptr) {
    ready(tls_->peer_subject());
    return !closed_;
  }
  revocation_pending_ = true;
  // The answer comes on the checker's thread: back to this connection's thread, if it is
  // still there (the handshake timer bounds the wait).
  std::weak_ptr<Connection> weak = shared_from_this();
  env_.ocsp->check(tls_->ssl(), [weak, ex = socket_.get_executor()](std::string error) {
    asio::post(ex, [weak, error = std::move(error)] {
      if (auto self = weak.lock()) self->revocation_checked(error);
    });
  });
  return !closed_;
}

void Connection::revocation_checked(const std::string& error) {
  revocation_pending_ = false;
  if (closed_) return;
  if (!error.empty()) {
    env_.bad_input_log.warn(util::steady_now_ms(), peer_ip_,
                            "event=tls_revocation_failed conn={} peer={}:{} error=\"{}\"", id_,
                            peer_ip_, peer_port_, error);
    close("client certificate refused: " + error);
    return;
  }
  ready(tls_->peer_subject());
  if (closed_) return;
  if (tls_->has_buffered_input() && !drain_tls()) return;
  arm_read();
}

void Connection::stage_tls(std::string_view frame) {
  if (!tls_ || over_outbound_limit(staged_bytes_ + frame.size())) return;
  staged_.push_back(iovec{const_cast<char*>(frame.data()), frame.size()});
  staged_bytes_ += frame.size();
}

// Small replies are gathered into one record; a large one is encrypted straight from the
// batch.
void Connection::write_staged_tls() {
  std::vector<char>& plain = env_.plain;
  const size_t record = std::min(kRecordBytes, plain.size());
  size_t gathered = 0;
  bool ok = true;
  auto put_gathered = [&] {
    if (gathered > 0) ok = ok && tls_->write(plain.data(), gathered);
    gathered = 0;
  };
  for (const iovec& v : staged_) {
    if (!ok) break;
    if (v.iov_len >= record) {
      put_gathered();
      ok = ok && tls_->write(static_cast<const char*>(v.iov_base), v.iov_len);
      continue;
    }
    if (gathered + v.iov_len > record) put_gathered();
    std::memcpy(plain.data() + gathered, v.iov_base, v.iov_len);
    gathered += v.iov_len;
  }
  put_gathered();
  staged_.clear();
  staged_bytes_ = 0;
  if (!ok) {
    close(tls_->error());
    return;
  }
  send_tls_output();
}

// Sends the stream's ciphertext: at once when nothing is queued ahead of it, the rest (or
// all of it) through the outbound queue.
void Connection::send_tls_output() {
  std::string_view bytes = tls_->output();
  if (bytes.empty() || closed_) return;
  if (!out_.writing() && !out_.has_queued()) {
    while (!bytes.empty()) {
      const ssize_t n =
          ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        tls_->clear_output();
        close(std::strerror(errno));
        return;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  if (!bytes.empty() && !over_outbound_limit(bytes.size())) out_.push_copy(bytes, env_.chunks);
  tls_->clear_output();
  flush();
}

}  // namespace paddock::server
