#include "server/http_endpoint.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>

namespace paddock::server {

namespace {
std::unique_ptr<httplib::Server> make_server(const HttpEndpointOptions& o) {
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
