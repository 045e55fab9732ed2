#include "console/metric_series.h"

namespace paddock::console {
namespace {

// What `now` holds beyond `before`; all of `now` when it was reset (srst) in between.
ValueHistogram interval(const ValueHistogram& now, const ValueHistogram& before) {
  ValueHistogram h = now;
  h.subtract(before);
  return h;
}

double per_second(uint64_t n, int64_t ms) { return ms <= 0 ? 0.0 : n * 1000.0 / ms; }

}  // namespace

void MetricSeries::add(const pipeline::ServerSnapshot& s, int64_t now_ms) {
  Base base{now_ms, s.read_latency_ms, s.update_latency_ms};
  if (!previous_) {
    previous_ = std::move(base);
    return;
  }
  const int64_t elapsed = now_ms - previous_->time_ms;
  const ValueHistogram reads = interval(s.read_latency_ms, previous_->read_latency);
  const ValueHistogram writes = interval(s.update_latency_ms, previous_->update_latency);
  ValueHistogram all = reads;
  all.merge(writes);
  MetricSample m;
  m.seq = next_seq_++;
  m.time_ms = now_ms;
  m.reads_per_s = per_second(reads.count(), elapsed);
  m.writes_per_s = per_second(writes.count(), elapsed);
  m.latency_p50_ms = all.quantile(0.50);
  m.latency_p95_ms = all.quantile(0.95);
  m.latency_p99_ms = all.quantile(0.99);
  m.latency_max_ms = all.max();
  m.outstanding_requests = s.outstanding_requests;
  m.connections = s.connection_count;
  m.znodes = s.node_count;
  m.watches = s.watch_count;
  m.sessions = s.session_count;
  m.last_zxid = s.last_zxid;
  samples_.push_back(m);
  while (samples_.size() > capacity_) samples_.pop_front();
  previous_ = std::move(base);
}

std::vector<MetricSample> MetricSeries::since(uint64_t after) const {
  std::vector<MetricSample> out;
  for (const MetricSample& m : samples_) {
    if (m.seq > after) out.push_back(m);
  }
  return out;
}

}  // namespace paddock::console
