#include "util/rate_limited_log.h"

namespace paddock::util {

PeerLogLimiter::Verdict PeerLogLimiter::admit(std::string_view peer, int64_t now_ms) {
  Verdict v;
  std::lock_guard lock(mu_);
  // A quarter interval between sweeps: a silent peer's count is reported at most 1.25
  // intervals after its window began.
  if (now_ms - last_sweep_ms_ >= limits_.interval_ms / 4) sweep_locked(now_ms, v.reports);
  auto it = windows_.find(std::string(peer));
  if (it == windows_.end()) {
    if (windows_.size() >= limits_.max_peers) {
      peer = kOverflowPeer;
      it = windows_.find(std::string(peer));
    }
    if (it == windows_.end()) it = windows_.emplace(std::string(peer), Window{now_ms, 0, 0}).first;
  }
  Window& w = it->second;
  if (now_ms - w.start_ms >= limits_.interval_ms) {
    if (w.suppressed > 0) v.reports.push_back(Suppressed{it->first, w.suppressed});
    w = Window{now_ms, 0, 0};
  }
  if (w.lines < limits_.lines_per_interval) {
    ++w.lines;
    v.log = true;
  } else {
    ++w.suppressed;
  }
  return v;
}

std::vector<PeerLogLimiter::Suppressed> PeerLogLimiter::sweep(int64_t now_ms) {
  std::vector<Suppressed> out;
  std::lock_guard lock(mu_);
  sweep_locked(now_ms, out);
  return out;
}

void PeerLogLimiter::sweep_locked(int64_t now_ms, std::vector<Suppressed>& out) {
  last_sweep_ms_ = now_ms;
  for (auto it = windows_.begin(); it != windows_.end();) {
    const Window& w = it->second;
    if (now_ms - w.start_ms < limits_.interval_ms) {
      ++it;
      continue;
    }
    if (w.suppressed > 0) out.push_back(Suppressed{it->first, w.suppressed});
    it = windows_.erase(it);  // idle for a whole interval: a new line starts a new window
  }
}

size_t PeerLogLimiter::peers() const {
  std::lock_guard lock(mu_);
  return windows_.size();
}

}  // namespace paddock::util
