#pragma once
// MetricsServer: GET /metrics in the Prometheus text format (prometheus_text.h) on
// metricsProvider.httpHost:httpPort, as ZooKeeper's PrometheusMetricsProvider serves it.
// HTTP is cpp-httplib's (Debian's libcpp-httplib) through HttpEndpoint: a listening
// thread and a small worker pool of its own, apart from the client port's loops, so a
// slow scraper never delays a client.
//
// A scrape asks the pipeline for a counters-only snapshot -- an O(1) copy on the pipeline
// thread, queued behind the requests already waiting, never a table walk -- and formats
// it on the HTTP worker.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/client_port.h"
#include "server/http_endpoint.h"
#include "util/result.h"

namespace paddock::server {

struct MetricsServerOptions {
  std::string host = "0.0.0.0";  // metricsProvider.httpHost
  uint16_t port = 7000;          // metricsProvider.httpPort; 0 picks a free port
  size_t worker_threads = 2;     // concurrent scrapes; more wait in the library's queue
  std::chrono::milliseconds snapshot_timeout{5000};  // then 503: the pipeline is stuck
  std::chrono::seconds read_timeout{5};
  int64_t started_ms = 0;  // for "uptime"; 0 means when start() is called
};

class MetricsServer {
 public:
  // `sink` must outlive this object.
  MetricsServer(MetricsServerOptions options, pipeline::RequestSink& sink);
  ~MetricsServer();  // stop()
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; a bind failure names the address and port.
  Status start();
  // Stops listening and joins the threads; a scrape in progress finishes first. Idempotent.
  void stop();
  uint16_t bound_port() const { return http_.bound_port(); }

  // The body of one scrape, or nothing if the pipeline did not answer in time.
  std::optional<std::string> scrape() const;

 private:
  MetricsServerOptions options_;
  pipeline::RequestSink& sink_;
  HttpEndpoint http_;
};

}  // namespace paddock::server
