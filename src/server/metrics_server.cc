#include "server/metrics_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <future>
#include <optional>

#include "server/host_facts.h"
#include "server/metrics.h"
#include "server/prometheus_text.h"

namespace paddock::server {

MetricsServer::MetricsServer(MetricsServerOptions options, pipeline::RequestSink& sink)
    : options_(std::move(options)), sink_(sink) {}

MetricsServer::~MetricsServer() { stop(); }

std::optional<std::string> MetricsServer::scrape() const {
  // The callback may run after a timed-out scrape has returned: it owns the promise.
  auto answer = std::make_shared<std::promise<std::shared_ptr<const pipeline::ServerSnapshot>>>();
  auto future = answer->get_future();
  sink_.request_snapshot(pipeline::SnapshotRequest{},
                         [answer](std::shared_ptr<const pipeline::ServerSnapshot> snap) {
                           answer->set_value(std::move(snap));
                         });
  if (future.wait_for(options_.snapshot_timeout) != std::future_status::ready) return std::nullopt;
  std::shared_ptr<const pipeline::ServerSnapshot> snap = future.get();
  if (!snap) return std::nullopt;
  HostFacts facts = collect_host_facts(options_.started_ms, "", "", /*with_dir_sizes=*/false);
  return to_prometheus_text(collect_metrics(*snap, facts));
}

Status MetricsServer::start() {
  if (http_) return Status::ok();
  if (options_.started_ms == 0) options_.started_ms = wall_clock_ms();
  http_ = std::make_unique<httplib::Server>();
  // The library's API takes ownership of a raw pointer here.
  const size_t workers = std::max<size_t>(1, options_.worker_threads);
  http_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  http_->set_read_timeout(options_.read_timeout);
  http_->set_write_timeout(options_.read_timeout);
  http_->set_payload_max_length(8192);  // a scrape has no body
  // httplib sets SO_REUSEPORT by default: a second server on the same port would then
  // share it and answer every other scrape. SO_REUSEADDR alone lets a restart rebind.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (std::optional<std::string> body = scrape()) {
      res.set_content(std::move(*body), std::string(kPrometheusContentType));
    } else {
      res.status = 503;
      res.set_content("the pipeline did not answer in time\n", "text/plain");
    }
  });
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
  } else if (!http_->bind_to_port(options_.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    http_.reset();
    return Status::error(fmt::format("cannot listen on metrics address {}:{}", options_.host,
                                     options_.port));
  }
  bound_port_ = static_cast<uint16_t>(port);
  thread_ = std::thread([http = http_.get()] { http->listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop runs, and would leave the
  // thread listening for ever: start() returns only once it runs (or 5 s passed).
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("event=metrics_listening address={} port={} path=/metrics", options_.host,
               bound_port_);
  return Status::ok();
}

void MetricsServer::stop() {
  if (!http_) return;
  http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
}

}  // namespace paddock::server
