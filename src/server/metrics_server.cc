#include "server/metrics_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <optional>

#include "server/host_facts.h"
#include "server/metrics.h"
#include "server/prometheus_text.h"
#include "server/snapshot_pieces.h"

namespace paddock::server {
namespace {
HttpEndpointOptions endpoint_options(const MetricsServerOptions& o) {
  HttpEndpointOptions h;
  h.host = o.host;
  h.port = o.port;
  h.worker_threads = o.worker_threads;
  h.idle_timeout = o.read_timeout;
  h.what = "metrics";
  return h;
}
}  // namespace

MetricsServer::MetricsServer(MetricsServerOptions options, pipeline::RequestSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      http_(endpoint_options(options_)) {}

MetricsServer::~MetricsServer() { stop(); }

std::optional<std::string> MetricsServer::scrape() const {
  // Counters only: one O(1) copy on the pipeline thread.
  std::optional<WholeSnapshot> snap =
      wait_for_whole_snapshot(sink_, pipeline::SnapshotRequest{}, options_.snapshot_timeout);
  if (!snap || !*snap) return std::nullopt;
  HostFacts facts = collect_host_facts(options_.started_ms, "", "", /*with_dir_sizes=*/false);
  return to_prometheus_text(collect_metrics(**snap, facts));
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
