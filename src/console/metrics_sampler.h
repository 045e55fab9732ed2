#pragma once
// MetricsSampler: a thread that feeds MetricSeries with a counters-only snapshot of the
// pipeline every `interval` (O(1) on the pipeline thread: no table is copied), but only
// while someone has looked at the charts in the last `idle_after`: an unwatched console
// costs the pipeline nothing.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "console/metric_series.h"
#include "pipeline/client_port.h"

namespace paddock::console {

struct MetricsSamplerOptions {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds idle_after{std::chrono::minutes(10)};
  std::chrono::milliseconds snapshot_timeout{2000};
  size_t capacity = 600;  // samples kept: 10 minutes at 1 s
};

class MetricsSampler {
 public:
  explicit MetricsSampler(MetricsSamplerOptions options)
      : options_(options), series_(options.capacity) {}
  ~MetricsSampler() { stop(); }
  MetricsSampler(const MetricsSampler&) = delete;
  MetricsSampler& operator=(const MetricsSampler&) = delete;

  // `sink` must outlive stop().
  void start(pipeline::RequestSink& sink);
  void stop();  // idempotent
  // The samples after `after`; also marks the charts as watched (sampling starts at once).
  std::vector<MetricSample> since(uint64_t after);

 private:
  void run(pipeline::RequestSink& sink);
  bool watched_locked(std::chrono::steady_clock::time_point now) const;

  MetricsSamplerOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  MetricSeries series_;
  std::chrono::steady_clock::time_point last_viewed_{};
  bool ever_viewed_ = false;
  std::thread thread_;
};

}  // namespace paddock::console
