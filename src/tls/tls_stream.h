#pragma once
// One TLS connection over memory BIOs: the caller moves ciphertext between the socket and
// the stream, so TLS runs inside an existing readiness loop (no thread, no blocking call)
// and the socket code keeps its own buffering. The handshake advances as bytes are fed.
#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "tls/tls_context.h"

namespace paddock::tls {

class TlsStream {
 public:
  enum class Role { kServer, kClient };
  TlsStream(const SslCtxPtr& ctx, Role role);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Ciphertext received from the peer.
  void feed(const char* data, size_t n);
  // Advances the handshake with what was fed; false on failure (error() says why). Output
  // (handshake messages, alerts) waits in output().
  bool handshake();
  bool handshake_done() const { return done_; }
  // Decrypts up to `cap` bytes. >0: bytes; 0: needs more ciphertext; -1: the peer closed or
  // the stream failed (error()).
  long read(char* buf, size_t cap);
  // Whether fed ciphertext or decrypted bytes are still waiting to be read.
  bool has_buffered_input() const;
  // Encrypts `n` bytes into output(); false on failure.
  bool write(const char* data, size_t n);
  // Queues a close_notify alert.
  void shutdown();
  // Ciphertext to send, and how to drop it once it was copied out.
  std::string_view output() const;
  void clear_output();

  const std::string& error() const { return error_; }
  // The peer ended the stream with close_notify (read() returned -1 for that).
  bool peer_closed() const { return peer_closed_; }
  // The peer certificate's subject as Java prints it (x509_name.h); "" without one.
  std::string peer_subject() const;
  SSL* ssl() { return ssl_; }

 private:
  bool fail(int ret, const char* what);

  std::string output_;  // ciphertext to send (out_ appends); cleared, never shrunk
  SSL* ssl_;
  BIO* in_;   // owned by ssl_
  BIO* out_;  // owned by ssl_
  bool done_ = false;
  bool peer_closed_ = false;
  std::string error_;
};

}  // namespace paddock::tls
