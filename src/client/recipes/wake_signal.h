#pragma once
// What a blocked recipe call waits on: a watcher bumps the generation, the waiter waits until
// it moved past the one it saw before arming the watch. Shared (std::shared_ptr) with the
// watchers it hands out, so a watch that fires after its recipe is gone touches nothing freed.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "client/types.h"

namespace paddock::client::recipes {

class WakeSignal : public std::enable_shared_from_this<WakeSignal> {
 public:
  static std::shared_ptr<WakeSignal> make() { return std::make_shared<WakeSignal>(); }

  uint64_t generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_;
  }
  void notify() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++generation_;
    }
    cv_.notify_all();
  }
  // A watcher that notifies this signal and counts one watch notification.
  Watcher watcher() {
    return [self = shared_from_this()](const WatchEvent&) {
      self->notifications_.fetch_add(1);
      self->notify();
    };
  }
  // True once the generation moved past `seen`; false at the deadline.
  bool wait_past(uint64_t seen, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return generation_ != seen; });
  }
  // Watch notifications received through watcher() (the herd-effect tests count them).
  uint64_t notifications() const { return notifications_.load(); }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  std::atomic<uint64_t> notifications_{0};
};

}  // namespace paddock::client::recipes
