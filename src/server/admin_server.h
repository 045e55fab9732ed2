#pragma once
// ZooKeeper's AdminServer equivalent: HTTP GET <command_url> (an HTML list of commands) and
// GET <command_url>/<name> (JSON, see admin_commands.h), on cpp-httplib through
// HttpEndpoint: a listening thread and a small worker pool of its own, apart from the
// client port's loops. Bounded: request head size, idle time, requests served at once;
// one request per connection (answered with Connection: close).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "pipeline/client_port.h"
#include "server/admin_auth.h"
#include "server/admin_extension.h"
#include "server/host_facts.h"
#include "server/http_endpoint.h"
#include "tls/tls_context.h"
#include "util/rate_limited_log.h"
#include "util/result.h"

namespace paddock::server {

struct AdminServerOptions {
  std::string address = "0.0.0.0";        // admin.serverAddress
  uint16_t port = 8080;                    // admin.serverPort; 0 picks a free port
  std::string command_url = "/commands";   // admin.commandURL
  size_t max_request_bytes = 8192;         // request line and headers
  std::chrono::milliseconds idle_timeout{30000};  // admin.idleTimeout
  size_t worker_threads = 2;               // requests served at once
  std::chrono::milliseconds snapshot_timeout{10000};  // then 503: the pipeline is stuck
  int64_t started_ms = 0;  // for "uptime"; 0 means when start() is called
  // This server's client port, for an extension (AdminContext).
  std::string client_host = "127.0.0.1";
  uint16_t client_port = 0;
  // initial_configuration and system_properties (admin_commands.h, AdminCommandInput).
  std::optional<std::string> initial_configuration;
  std::map<std::string, std::string> system_properties;
  // The trace mask set_trace_mask changes and get_trace_mask reads, shared with the client
  // port's stmk/gtmk (ZooKeeper keeps one per process); must outlive the server. Null: the
  // admin server keeps its own.
  std::atomic<int64_t>* trace_mask = nullptr;
  // Who may run the commands that change state or show sessions (admin_auth.h).
  AdminAuthPolicy auth;
  // admin.forceHttps: HTTPS only, with the ssl.quorum.* stores as ZooKeeper's admin server
  // uses them; a client certificate is asked for (x509 ids) and, with
  // admin.needClientAuth, required.
  std::optional<tls::TlsSettings> https;
  // admin.portUnification: with `https`, plain HTTP is served on the same port too (a
  // plain request carries no certificate).
  bool port_unification = false;
};

class AdminServer {
 public:
  // `sink` and `extension` (when given: the console) must outlive this object.
  AdminServer(AdminServerOptions options, pipeline::RequestSink& sink,
              AdminExtension* extension = nullptr);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving. A bind failure names the address and port.
  Status start();
  // Stops listening and joins the threads; a request being served finishes first.
  // Idempotent.
  void stop();
  uint16_t bound_port() const { return http_.bound_port(); }

 private:
  struct Answer;
  using Arguments = std::map<std::string, std::string>;
  Answer answer(const std::string& method, const std::string& path, const Arguments& arguments,
                size_t head_bytes, const AdminIdentity& who) const;
  Answer run_command(std::string_view name, const Arguments& arguments,
                     const AdminIdentity& who) const;
  // nullopt: go on; else the refusal (401/403, or 503 when the pipeline did not answer).
  std::optional<Answer> refuse_unless_admin(std::string_view name, const AdminIdentity& who) const;

  bool is_extension_path(std::string_view path) const;

  AdminServerOptions options_;
  pipeline::RequestSink& sink_;
  AdminExtension* extension_;
  std::atomic<int64_t> own_trace_mask_{kDefaultTraceMask};  // without options_.trace_mask
  std::atomic<int64_t>& trace_mask_;
  bool extension_started_ = false;
  mutable util::RateLimitedLog refused_log_;  // denied requests, 10 lines a minute per address
  std::string tls_error_;  // why the HTTPS settings failed (set while http_ is made)
  HttpEndpoint http_;
};

}  // namespace paddock::server
