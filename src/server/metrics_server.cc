#include "server/metrics_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <future>
#include <optional>

#include "server/host_facts.h"
#include "server/metrics.h"
#include "server/prometheus_text.h"

namespace paddock::server {

MetricsServer::MetricsServer(MetricsServerOptions options, pipeline::RequestSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      http_(HttpEndpointOptions{options_.host, options_.port, options_.worker_threads,
                                options_.read_timeout, "metrics"}) {}

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
  if (options_.started_ms == 0) options_.started_ms = wall_clock_ms();
  http_.routes().Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (std::optional<std::string> body = scrape()) {
      res.set_content(std::move(*body), std::string(kPrometheusContentType));
    } else {
      res.status = 503;
      res.set_content("the pipeline did not answer in time\n", "text/plain");
    }
  });
  if (Status s = http_.start(); !s) return s;
  spdlog::info("event=metrics_listening address={} port={} path=/metrics", options_.host,
               http_.bound_port());
  return Status::ok();
}

void MetricsServer::stop() { http_.stop(); }

}  // namespace paddock::server
