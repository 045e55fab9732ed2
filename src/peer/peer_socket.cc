#include "peer/peer_socket.h"

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include <asio/steady_timer.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace paddock::peer {
namespace {

constexpr uint8_t kTlsHandshakeRecord = 0x16;

// One securing in progress: the socket, its deadline and the caller's continuation. `done` is
// called once, always from the handler of the last step (the deadline only closes the socket
// under it).
struct Securing : std::enable_shared_from_this<Securing> {
  Securing(PeerSocket& s, const PeerSecurity& t, PeerSide side, std::string host,
           std::shared_ptr<void> keep, std::function<void(std::string)> d)
      : socket(s),
        tls(t),
        side(side),
        peer_host(std::move(host)),
        keep_alive(std::move(keep)),
        done(std::move(d)),
        deadline(s.tcp().get_executor()) {}

  PeerSocket& socket;
  PeerSecurity tls;
  PeerSide side;
  std::string peer_host;
  std::shared_ptr<void> keep_alive;
  std::function<void(std::string)> done;
  asio::steady_timer deadline;
  bool finished = false;
  bool timed_out = false;  // the deadline closed the socket under the pending step
  std::unique_ptr<asio::ip::tcp::resolver> resolver;  // accepted side: the reverse lookup

  void start() {
    deadline.expires_after(tls.handshake_timeout);
    deadline.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec || self->finished) return;
      // Only close: the pending step (a wait or the handshake) then ends with an error and
      // finishes from its own handler. Finishing here would hand the socket back (and let
      // its owner free it) while asio still holds that step, which then runs on a freed
      // stream.
      self->timed_out = true;
      std::error_code ignored;
      self->socket.tcp().close(ignored);
      if (self->resolver) self->resolver->cancel();  // the reverse lookup, if under way
    });
    if (side == PeerSide::kDialed) {
      if (tls.ssl_quorum) {
        handshake();
      } else {
        finish("");
      }
      return;
    }
    if (tls.port_unification) {
      detect();
    } else if (tls.ssl_quorum) {
      handshake();
    } else {
      finish("");
    }
  }

  // portUnification: waits for the first byte and peeks at it, leaving it in the socket.
  void detect() {
    socket.tcp().async_wait(
        asio::ip::tcp::socket::wait_read, [self = shared_from_this()](std::error_code ec) {
          if (self->finished) return;
          if (ec) {
            self->finish("closed before its first byte: " + ec.message());
            return;
          }
          uint8_t first = 0;
          const ssize_t n =
              ::recv(self->socket.tcp().native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n == 0) {
            self->finish("closed by the peer before its first byte");
          } else if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
              self->detect();
            } else {
              self->finish(std::string("reading the first byte failed: ") + std::strerror(errno));
            }
          } else if (first == kTlsHandshakeRecord) {
            self->handshake();
          } else {
            self->finish("");  // a plain peer (rolling switch to TLS still under way)
          }
        });
  }

  void handshake() {
    if (!tls.contexts) {
      finish("TLS asked for without ssl.quorum settings");
      return;
    }
    const bool dialing = side == PeerSide::kDialed;
    const auto now = std::chrono::steady_clock::now();
    tls::SslCtxPtr ctx = dialing ? tls.contexts->dialing(now) : tls.contexts->accepting(now);
    SSL* ssl = SSL_new(ctx.get());
    if (ssl == nullptr) {
      finish("cannot start TLS: " + tls::openssl_errors());
      return;
    }
    if (dialing && tls.contexts->hostname_verification()) {
      // OpenSSL checks the name during the handshake: an IP SAN for an address, a DNS SAN
      // (or the CN) for a name.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      asio::error_code ec;
      asio::ip::make_address(peer_host, ec);
      if (!ec) {
        X509_VERIFY_PARAM_set1_ip_asc(param, peer_host.c_str());
      } else {
        SSL_set1_host(ssl, peer_host.c_str());
      }
    }
    socket.wrap(ssl);
    auto* stream_ssl = socket.ssl();
    auto on_done = [self = shared_from_this(), stream_ssl](std::error_code ec) {
      if (self->finished) return;
      if (ec) {
        std::string why = ec.message();
        const long verify = SSL_get_verify_result(stream_ssl);
        if (verify != X509_V_OK) {
          why += fmt::format(" (certificate: {})", X509_verify_cert_error_string(verify));
        }
        self->finish("TLS handshake failed: " + why);
        return;
      }
      if (self->side == PeerSide::kAccepted && self->tls.contexts->hostname_verification()) {
        self->verify_peer_address(stream_ssl);
        return;
      }
      self->finish("");
    };
    socket.async_handshake(dialing ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                           std::move(on_done));
  }

  // The accepting side's hostname verification: the certificate must name the address the
  // peer connected from or, failing that, the name it resolves back to. The reverse lookup
  // runs on asio's resolver thread, never on the peer port's loop (a slow resolver would
  // stall every link of that port).
  void verify_peer_address(SSL* ssl) {
    std::error_code ec;
    asio::ip::tcp::endpoint remote = socket.tcp().remote_endpoint(ec);
    if (ec) {
      finish("hostname verification failed: the peer's address is unknown: " + ec.message());
      return;
    }
    asio::ip::address address = remote.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      remote.address(address);
    }
    const std::string ip = address.to_string();
    if (tls::peer_certificate_names_ip(ssl, ip)) {
      finish("");
      return;
    }
    resolver = std::make_unique<asio::ip::tcp::resolver>(socket.tcp().get_executor());
    resolver->async_resolve(
        remote, [self = shared_from_this(), ssl, ip](std::error_code ec,
                                                     asio::ip::tcp::resolver::results_type r) {
          if (self->finished) return;
          if (!ec) {
            for (const auto& entry : r) {
              if (tls::peer_certificate_names_host(ssl, entry.host_name())) {
                self->finish("");
                return;
              }
            }
          }
          self->finish(fmt::format(
              "hostname verification failed: the certificate names neither {} nor the host it "
              "resolves to",
              ip));
        });
  }

  void finish(std::string error) {
    if (finished) return;
    finished = true;
    if (timed_out && !error.empty()) {
      error = fmt::format("no TLS handshake within {} ms", tls.handshake_timeout.count());
    }
    deadline.cancel();
    auto d = std::move(done);
    auto keep = std::move(keep_alive);  // released after `d` ran
    d(std::move(error));
  }
};

}  // namespace

void PeerSocket::close() {
  std::error_code ignored;
  tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp().close(ignored);
}

void PeerSocket::wrap(SSL* ssl) {
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(*plain_), ssl);
  plain_.reset();
}

void async_secure(PeerSocket& socket, const PeerSecurity& tls, PeerSide side, std::string peer_host,
                  std::shared_ptr<void> keep_alive, std::function<void(std::string error)> done) {
  auto s = std::make_shared<Securing>(socket, tls, side, std::move(peer_host),
                                      std::move(keep_alive), std::move(done));
  s->start();
}

}  // namespace paddock::peer
