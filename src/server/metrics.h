#pragma once
// The server's metrics as one list, built from a ServerSnapshot and HostFacts: what /metrics
// (Prometheus text), mntr and the admin "monitor" command all print, so the three can never
// disagree. Names and types are Apache ZooKeeper 3.8's for everything Paddock shares with
// it (the keys its PrometheusMetricsProvider exports and mntr prints without "zk_"), so its
// dashboards and monitors read Paddock unchanged; Paddock's own carry a "paddock_" prefix.
// Pure: no I/O, no clock.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pipeline/server_snapshot.h"
#include "server/host_facts.h"
#include "util/value_histogram.h"

namespace paddock::server {

enum class MetricType {
  kGauge,
  kCounter,
  kSummary,
  kInfo,  // a text value (version, server_state): mntr and monitor print it, Prometheus not
};

// ZooKeeper's summary detail levels: BASIC exports the median only, ADVANCED the 0.5, 0.9
// and 0.99 quantiles to Prometheus; in mntr BASIC prints avg/min/max/cnt/sum and ADVANCED
// adds p50/p95/p99/p999.
enum class SummaryDetail { kBasic, kAdvanced };

struct SummaryValue {
  ValueHistogram histogram;
  SummaryDetail detail = SummaryDetail::kBasic;
};

struct Metric {
  std::string name;
  MetricType type = MetricType::kGauge;
  std::string help;
  std::variant<int64_t, double, std::string, SummaryValue> value;
};

// Every metric the server has a value for, in mntr's order (version and server_state
// first, as ZooKeeper prints them).
std::vector<Metric> collect_metrics(const pipeline::ServerSnapshot& s, const HostFacts& facts);

// The quantiles ZooKeeper's Prometheus provider exports for a summary of `detail`.
std::vector<double> prometheus_quantiles(SummaryDetail detail);

// mntr's key/value lines without the "zk_" prefix: a summary becomes avg_<name>,
// min_<name>, max_<name>, cnt_<name>, sum_<name> (+ p50_, p95_, p99_, p999_ when advanced),
// as ZooKeeper's default provider prints them.
using MetricValue = std::variant<int64_t, double, std::string>;
std::vector<std::pair<std::string, MetricValue>> flatten_for_mntr(const std::vector<Metric>& m);

}  // namespace paddock::server
