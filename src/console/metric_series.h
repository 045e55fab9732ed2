#pragma once
// MetricSeries: the console's live charts as a bounded ring of samples, each the change
// between two counters-only snapshots of the pipeline (throughput and latency percentiles of
// that interval, not since start) plus the gauges at its end. Pure: fed snapshots and times.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "pipeline/server_snapshot.h"
#include "util/value_histogram.h"

namespace paddock::console {

struct MetricSample {
  uint64_t seq = 0;       // increases by one per sample; the page asks for those after one
  int64_t time_ms = 0;    // wall clock at the end of the interval
  double reads_per_s = 0;   // reads (and other non-writes, pings aside) answered
  double writes_per_s = 0;  // writes answered
  // Latency of every request answered in the interval (ms; ZooKeeper's figures are whole
  // ms too); 0 when none was.
  int64_t latency_p50_ms = 0;
  int64_t latency_p95_ms = 0;
  int64_t latency_p99_ms = 0;
  int64_t latency_max_ms = 0;
  uint64_t outstanding_requests = 0;
  uint64_t connections = 0;
  uint64_t znodes = 0;
  uint64_t watches = 0;
  uint64_t sessions = 0;
  int64_t last_zxid = 0;
};

class MetricSeries {
 public:
  explicit MetricSeries(size_t capacity = 600) : capacity_(capacity) {}

  // A snapshot taken at `now_ms`. The first one (and the first after forget_previous) only
  // sets the base: an interval needs two ends.
  void add(const pipeline::ServerSnapshot& s, int64_t now_ms);
  // The next add() starts a new base (sampling paused: no interval spans the gap).
  void forget_previous() { previous_.reset(); }
  // Samples with seq > after, oldest first.
  std::vector<MetricSample> since(uint64_t after) const;
  size_t size() const { return samples_.size(); }

 private:
  struct Base {
    int64_t time_ms = 0;
    ValueHistogram read_latency;
    ValueHistogram update_latency;
  };
  size_t capacity_;
  std::optional<Base> previous_;
  std::deque<MetricSample> samples_;
  uint64_t next_seq_ = 1;
};

}  // namespace paddock::console
