#pragma once
// Warnings about bad input, rate-limited per peer address. A hostile or broken client can
// make the server log one line per connection or per frame; 600,000 connections of mutated
// frames wrote 510,000 warning lines in 5 minutes. Here each peer (an IP address, not
// ip:port: an attacker has as many ports as it likes) gets at most `lines_per_interval`
// lines per interval; past that its lines are counted, and one line reports the count once
// the interval is over (at the peer's next line, or at the next line from anyone after it).
// The table is bounded: past `max_peers` addresses, new peers share one entry ("*").
//
// PeerLogLimiter decides (pure, time as an argument, thread-safe: network threads share
// one); RateLimitedLog logs through spdlog with it.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paddock::util {

struct PeerLogLimits {
  uint32_t lines_per_interval = 10;
  int64_t interval_ms = 60'000;
  size_t max_peers = 4096;
};

class PeerLogLimiter {
 public:
  // Lines suppressed from one peer in an interval that is over, to report.
  struct Suppressed {
    std::string peer;
    uint64_t count = 0;
    friend bool operator==(const Suppressed&, const Suppressed&) = default;
  };
  struct Verdict {
    bool log = false;                 // write this line
    std::vector<Suppressed> reports;  // write these first (this peer's and others' counts)
  };

  explicit PeerLogLimiter(PeerLogLimits limits = {}) : limits_(limits) {}

  // A line about `peer` at `now_ms` (a monotonic clock).
  Verdict admit(std::string_view peer, int64_t now_ms);

  // Reports every finished interval with suppressed lines and forgets idle peers (admit
  // does this too, at most once per quarter interval).
  std::vector<Suppressed> sweep(int64_t now_ms);

  size_t peers() const;
  const PeerLogLimits& limits() const { return limits_; }

  static constexpr std::string_view kOverflowPeer = "*";

 private:
  struct Window {
    int64_t start_ms = 0;
    uint32_t lines = 0;
    uint64_t suppressed = 0;
  };
  void sweep_locked(int64_t now_ms, std::vector<Suppressed>& out);

  PeerLogLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  int64_t last_sweep_ms_ = 0;
};

// Milliseconds on the steady clock, for callers without a clock of their own (network
// threads); the pipeline passes its own `now`.
inline int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class RateLimitedLog {
 public:
  explicit RateLimitedLog(PeerLogLimits limits = {}) : limiter_(limits) {}

  template <typename... Args>
  void warn(int64_t now_ms, std::string_view peer, spdlog::format_string_t<Args...> format,
            Args&&... args) {
    log(spdlog::level::warn, now_ms, peer, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void info(int64_t now_ms, std::string_view peer, spdlog::format_string_t<Args...> format,
            Args&&... args) {
    log(spdlog::level::info, now_ms, peer, format, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void log(spdlog::level::level_enum level, int64_t now_ms, std::string_view peer,
           spdlog::format_string_t<Args...> format, Args&&... args) {
    if (!spdlog::should_log(level)) return;
    PeerLogLimiter::Verdict v = limiter_.admit(peer, now_ms);
    report(v.reports);
    if (v.log) spdlog::log(level, format, std::forward<Args>(args)...);
  }

  const PeerLogLimiter& limiter() const { return limiter_; }

 private:
  void report(const std::vector<PeerLogLimiter::Suppressed>& reports) const {
    for (const auto& r : reports) {
      spdlog::warn("event=bad_input_warnings_suppressed peer={} count={} interval_ms={} max_lines={}",
                   r.peer, r.count, limiter_.limits().interval_ms,
                   limiter_.limits().lines_per_interval);
    }
  }

  PeerLogLimiter limiter_;
};

}  // namespace paddock::util
