#pragma once
// HttpEndpoint: one HTTP/1.1 listener on cpp-httplib (Debian's libcpp-httplib), with a
// thread that accepts and a small worker pool of its own, for the admin server and
// /metrics. It keeps the library's lifecycle in one place: bind (a failure names the
// address), listen, stop and join; and what Paddock wants of every endpoint: no
// SO_REUSEPORT (httplib's default would let two servers share a port and split the
// requests), bounded request heads, one request per connection.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "util/result.h"

namespace httplib {
class Server;
}
struct ssl_ctx_st;
using SSL_CTX = ssl_ctx_st;

namespace paddock::server {

struct HttpEndpointOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 0;  // 0 picks a free port
  size_t worker_threads = 2;  // requests served at once; more wait in the library's queue
  // Waiting for a request (and for the rest of one): then the connection is closed.
  std::chrono::milliseconds idle_timeout{30000};
  std::string what = "http";  // names the endpoint in messages: "admin", "metrics"
  // The largest request body read; GETs have none, the console's writes carry a znode's data.
  size_t max_body_bytes = 8192;
  // HTTPS: sets up the library's TLS context (false: it could not; start() fails).
  std::function<bool(SSL_CTX&)> tls_setup;
  // With tls_setup: HTTPS and plain HTTP on the one port (ZooKeeper's
  // admin.portUnification), told apart by each connection's first byte.
  bool port_unification = false;
};

class HttpEndpoint {
 public:
  explicit HttpEndpoint(HttpEndpointOptions options);
  ~HttpEndpoint();  // stop()
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // The library's server, to add routes to before start().
  httplib::Server& routes() { return *http_; }
  // Binds and starts serving on its own thread.
  Status start();
  // Stops listening and joins; a request being served finishes first. Idempotent.
  void stop();
  uint16_t bound_port() const { return bound_port_; }

 private:
  HttpEndpointOptions options_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  uint16_t bound_port_ = 0;
  bool started_ = false;
};

}  // namespace paddock::server
