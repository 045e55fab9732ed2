#include "server/http_endpoint.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace paddock::server {

namespace {

// TLS records open with a handshake record (content type 22); an HTTP request line opens
// with a method name in ASCII.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

// Waits until `fd` can be read (or written) for at most `timeout_ms`.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n >= 0) return n > 0;
    if (errno != EINTR) return false;
  }
}

std::string address_text(const sockaddr_storage& a, int& port) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    port = ntohs(in.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    port = ntohs(in6.sin6_port);
  }
  return text;
}

// One accepted connection as httplib's Stream, plain or through an OpenSSL session that
// has finished its handshake. Reads and writes wait at most the endpoint's timeout.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, int timeout_ms)
      : fd_(fd), ssl_(ssl), timeout_ms_(timeout_ms) {}

  bool is_readable() const override {
    return (ssl_ != nullptr && SSL_pending(ssl_) > 0) || wait_for(fd_, POLLIN, timeout_ms_);
  }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, timeout_ms_); }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    if (ssl_ == nullptr) return ::recv(fd_, ptr, size, 0);
    const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)));
    return n > 0 ? n : (SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    if (ssl_ == nullptr) return ::send(fd_, ptr, size, MSG_NOSIGNAL);
    const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT_MAX)));
    return n > 0 ? n : -1;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof(a);
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip = address_text(a, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof(a);
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip = address_text(a, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  SSL* ssl_;
  int timeout_ms_;
};

// HTTPS and plain HTTP on one port, as ZooKeeper's admin server offers with
// admin.portUnification (Jetty's unified connector). Debian's cpp-httplib is a compiled
// library whose per-connection TLS step is private to SSLServer, so this server does that
// step itself -- peek at the first byte; for TLS, an OpenSSL session on the context
// SSLServer set up -- and hands the connection to the library's request handling
// (process_request, for subclasses), one request per connection as every HttpEndpoint.
class UnifiedServer final : public httplib::SSLServer {
 public:
  UnifiedServer(const std::function<bool(SSL_CTX&)>& tls_setup, int timeout_ms)
      : httplib::SSLServer(tls_setup), timeout_ms_(timeout_ms) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    bool ok = serve(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
  }

  bool serve(int sock) {
    unsigned char first = 0;
    if (!wait_for(sock, POLLIN, timeout_ms_)) return false;
    if (::recv(sock, &first, 1, MSG_PEEK) != 1) return false;
    // The socket blocks: a read or write that poll() let through (the rest of a TLS record,
    // a large response) still waits at most the endpoint's timeout.
    timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    bool closed = false;
    if (first != kTlsHandshakeRecord) {
      ConnectionStream plain(sock, nullptr, timeout_ms_);
      return process_request(plain, /*close_connection=*/true, closed, nullptr);
    }
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ssl_context()), &SSL_free);
    if (!ssl || SSL_set_fd(ssl.get(), sock) != 1) return false;
    if (SSL_accept(ssl.get()) != 1) return false;
    ConnectionStream secure(sock, ssl.get(), timeout_ms_);
    const bool ok = process_request(secure, /*close_connection=*/true, closed,
                                    [&](httplib::Request& req) { req.ssl = ssl.get(); });
    SSL_shutdown(ssl.get());
    return ok;
  }

  const int timeout_ms_;
};

std::unique_ptr<httplib::Server> make_server(const HttpEndpointOptions& o) {
  if (o.tls_setup && o.port_unification) {
    return std::make_unique<UnifiedServer>(o.tls_setup, static_cast<int>(o.idle_timeout.count()));
  }
  if (o.tls_setup) return std::make_unique<httplib::SSLServer>(o.tls_setup);
  return std::make_unique<httplib::Server>();
}

}  // namespace

HttpEndpoint::HttpEndpoint(HttpEndpointOptions options)
    : options_(std::move(options)), http_(make_server(options_)) {
  const size_t workers = std::max<size_t>(1, options_.worker_threads);
  // The library's API takes ownership of a raw pointer here.
  http_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  http_->set_read_timeout(options_.idle_timeout);
  http_->set_write_timeout(options_.idle_timeout);
  // Waiting for the first request uses the keep-alive timeout, in whole seconds.
  const auto idle_s = std::chrono::ceil<std::chrono::seconds>(options_.idle_timeout);
  http_->set_keep_alive_timeout(std::max<time_t>(1, idle_s.count()));
  http_->set_keep_alive_max_count(1);  // one request per connection, then close
  http_->set_payload_max_length(options_.max_body_bytes);
  // httplib sets SO_REUSEPORT by default: a second server on the same port would then
  // share it and answer every other request. SO_REUSEADDR alone lets a restart rebind.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpEndpoint::~HttpEndpoint() { stop(); }

Status HttpEndpoint::start() {
  if (!http_->is_valid()) {
    return Status::error(fmt::format("{}: the TLS settings could not be applied", options_.what));
  }
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Status::error(fmt::format("cannot listen on {} address {}:{}", options_.what,
                                     options_.host, options_.port));
  }
  bound_port_ = static_cast<uint16_t>(port);
  started_ = true;
  thread_ = std::thread([http = http_.get()] { http->listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop runs, and would leave the
  // thread listening for ever: start() returns only once it runs (or 5 s passed).
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::ok();
}

void HttpEndpoint::stop() {
  if (!started_) return;
  started_ = false;
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace paddock::server
