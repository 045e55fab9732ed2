#include "console/metrics_sampler.h"

#include "server/host_facts.h"
#include "server/snapshot_pieces.h"
#include "util/thread_name.h"

namespace paddock::console {

void MetricsSampler::start(pipeline::RequestSink& sink) {
  std::lock_guard lock(mu_);
  stopping_ = false;
  thread_ = std::thread([this, &sink] { run(sink); });
}

void MetricsSampler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<MetricSample> MetricsSampler::since(uint64_t after) {
  std::lock_guard lock(mu_);
  const bool was_watched = watched_locked(std::chrono::steady_clock::now());
  last_viewed_ = std::chrono::steady_clock::now();
  ever_viewed_ = true;
  if (!was_watched) wake_.notify_all();
  return series_.since(after);
}

bool MetricsSampler::watched_locked(std::chrono::steady_clock::time_point now) const {
  return ever_viewed_ && now - last_viewed_ < options_.idle_after;
}

void MetricsSampler::run(pipeline::RequestSink& sink) {
  set_thread_name("console-sampler");
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!watched_locked(std::chrono::steady_clock::now())) {
      series_.forget_previous();
      wake_.wait_for(lock, options_.interval);
      continue;
    }
    lock.unlock();
    // Counters only: SnapshotRequest{} lists no table.
    auto snap = server::wait_for_whole_snapshot(sink, pipeline::SnapshotRequest{},
                                                options_.snapshot_timeout);
    const int64_t now_ms = server::wall_clock_ms();
    lock.lock();
    if (snap && *snap) {
      series_.add(**snap, now_ms);
    } else {
      series_.forget_previous();  // not serving, or stuck: the next interval starts afresh
    }
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

}  // namespace paddock::console
