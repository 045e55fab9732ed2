#pragma once
// The Prometheus text exposition format (version 0.0.4), which Prometheus scrapes from
// /metrics: "# HELP", "# TYPE", then one "name{label=\"value\"} number" line per sample.
// Written here rather than taken from a client library because Debian packages none for
// C++ (prometheus-cpp is not in bookworm) and the format is small and fixed; the writer
// escapes what the format says must be escaped and keeps names within its alphabet.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/metrics.h"

namespace paddock::server {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusTextWriter {
 public:
  // Starts a metric family; its samples follow. `type`: gauge, counter, summary, untyped.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const PrometheusLabels& labels, double value);
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Escaping and formatting rules of the format, exposed for tests.
std::string prometheus_name(std::string_view name);  // other characters become '_'
std::string escape_help(std::string_view help);         // \ and newline
std::string escape_label_value(std::string_view value);  // \, " and newline
std::string prometheus_number(double value);             // 42, 0.5, NaN, +Inf, -Inf

// Every metric but the text ones (kInfo), ZooKeeper's names as they are: gauges and
// counters as one sample; a summary as its quantiles ({quantile="0.5"} ...), _sum, _count.
std::string to_prometheus_text(const std::vector<Metric>& metrics);

}  // namespace paddock::server
