#pragma once
// One server-to-server connection's byte stream: plain TCP, or TLS over it (ZooKeeper's
// sslQuorum with the ssl.quorum.* keys). The election and quorum transports read and write
// through a PeerSocket and do not care which it is; async_secure() turns a freshly dialed or
// accepted socket into what the configuration asks for: the TLS handshake with the peer's
// certificate checked, or, with portUnification, TLS or plain as the peer's first byte says
// (a rolling switch of a running ensemble from plain to TLS, as ZooKeeper's
// UnifiedServerSocket).
// A standard header before any asio header: asio decides whether to use aligned_alloc from a
// libstdc++ macro that only a standard header defines, and every translation unit must decide
// alike (an ASan alloc-dealloc mismatch otherwise: one TU's operator new, another's free).
// clang-format off
#include <cstddef>
// clang-format on

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "peer/peer_authenticator.h"
#include "tls/tls_context.h"

namespace paddock::peer {

// How a server's peer connections are secured: TLS (async_secure, first), then quorum SASL
// (quorum_sasl.h: on the quorum port right after TLS, on the election port after the
// connection initiation, before the transport reads the peer's stream).
struct PeerSecurity {
  // Null: plain TCP only (neither sslQuorum nor portUnification).
  std::shared_ptr<tls::PeerTlsContexts> contexts;
  bool ssl_quorum = false;         // sslQuorum: dial with TLS; accept only TLS (unless unified)
  bool port_unification = false;   // portUnification: accept TLS and plain on the same port
  std::chrono::milliseconds handshake_timeout{5000};
  QuorumSaslOptions sasl;  // quorum.auth.*
};
// The name from before quorum SASL joined TLS here (ensemble/quorum_links.h still uses it).
using PeerTls = PeerSecurity;

class PeerSocket {
 public:
  explicit PeerSocket(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
  PeerSocket(PeerSocket&&) = default;
  PeerSocket& operator=(PeerSocket&&) = default;

  // The TCP socket underneath (connect, options, addresses, close).
  asio::ip::tcp::socket& tcp() { return tls_ ? tls_->next_layer() : *plain_; }
  const asio::ip::tcp::socket& tcp() const { return tls_ ? tls_->next_layer() : *plain_; }
  bool secure() const { return tls_ != nullptr; }
  SSL* ssl() { return tls_ ? tls_->native_handle() : nullptr; }

  template <typename MutableBuffers, typename Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  // Writes all of `buffers` (asio::async_write over the plain or the TLS stream).
  template <typename ConstBuffers, typename Handler>
  void async_write(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) {
      asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      asio::async_write(*plain_, buffers, std::forward<Handler>(handler));
    }
  }
  // The TLS handshake, once wrap() made this a TLS stream.
  template <typename Handler>
  void async_handshake(asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    tls_->async_handshake(type, std::forward<Handler>(handler));
  }
  // Shuts the TCP connection down both ways and closes it (no close_notify: as ZooKeeper,
  // a peer link just ends).
  void close();

  // Wraps the socket in TLS on `ssl` (owned from here on). Before any I/O.
  void wrap(SSL* ssl);

 private:
  std::optional<asio::ip::tcp::socket> plain_;  // moved into tls_ by wrap()
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
};

enum class PeerSide { kDialed, kAccepted };

// Makes a connected `socket` what `tls` asks for, then calls `done` with "" (go on) or why the
// connection must be dropped. Dialed: TLS with sslQuorum, the certificate checked against
// `peer_host` (the name or address dialed) when hostname verification is on. Accepted: TLS
// with sslQuorum, detected by the first byte with portUnification (0x16, a TLS handshake
// record; a peer's plain stream never starts with it), plain otherwise; with verification
// the certificate must name the address the peer connected from. Everything happens within
// tls.handshake_timeout, on the socket's io thread. `keep_alive` is held until `done` ran, so
// it may own `socket`.
void async_secure(PeerSocket& socket, const PeerSecurity& tls, PeerSide side, std::string peer_host,
                  std::shared_ptr<void> keep_alive, std::function<void(std::string error)> done);

}  // namespace paddock::peer
