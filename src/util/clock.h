#pragma once
// Time as an injected interface: layers that must be deterministic take time as arguments;
// the pipeline reads it through a Clock so tests can drive a virtual one.
#include <chrono>
#include <cstdint>

namespace paddock {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall clock in ms since the epoch: stamped into txns (ctime/mtime), shown to users.
  virtual int64_t wall_ms() const = 0;
  // Monotonic ms: session expiry and latency measurements.
  virtual int64_t monotonic_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t wall_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  int64_t monotonic_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

// Milliseconds since `start` on the steady clock: for durations that are reported (start-up
// phases, snapshot writes), not for decisions (those take time from a Clock).
inline uint64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}
// The same in microseconds (pauses of the state thread).
inline uint64_t elapsed_us(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace paddock
