#pragma once
// ZooKeeper's AdminServer equivalent: a small HTTP/1.1 server answering
// GET <command_url> (an HTML list of commands) and GET <command_url>/<name> (JSON, see
// admin_commands.h). It runs on an io_context it borrows (the client port's first network
// thread) and owns no thread. Bounded: request size, idle time, concurrent requests; one
// request per connection (answered with Connection: close).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "pipeline/client_port.h"
#include "server/post_gate.h"
#include "util/result.h"

namespace paddock::server {

struct AdminServerOptions {
  std::string address = "0.0.0.0";        // admin.serverAddress
  uint16_t port = 8080;                    // admin.serverPort; 0 picks a free port
  std::string command_url = "/commands";   // admin.commandURL
  size_t max_request_bytes = 8192;         // request line and headers
  std::chrono::milliseconds idle_timeout{30000};  // admin.idleTimeout
  size_t max_connections = 64;
  int64_t started_ms = 0;  // for "uptime"; 0 means when start() is called
};

class AdminServer {
 public:
  AdminServer(AdminServerOptions options, pipeline::RequestSink& sink, asio::io_context& io);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens; requests are served by whoever runs the io_context. A bind failure
  // names the address and port.
  Status start();
  // Closes the listener and open requests. From any thread; waits for the io_context to do
  // it when another thread is running it. Idempotent.
  void stop();
  uint16_t bound_port() const { return bound_port_; }

 private:
  class Session;
  void accept_next();
  void handle_request(const std::shared_ptr<Session>& session, std::string_view request);
  void run_command(const std::shared_ptr<Session>& session, std::string_view name);
  void close_everything();
  void session_done(uint64_t id) { sessions_.erase(id); }

  AdminServerOptions options_;
  pipeline::RequestSink& sink_;
  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<PostGate> gate_;
  std::unordered_map<uint64_t, std::shared_ptr<Session>> sessions_;  // io thread only
  uint64_t next_session_ = 1;
  uint16_t bound_port_ = 0;
  bool started_ = false;
  std::atomic<bool> stopped_{false};  // read by stop() on any thread
};

}  // namespace paddock::server
