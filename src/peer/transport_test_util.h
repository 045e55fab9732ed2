#pragma once
// For the transport tests: collect what handlers deliver on the io thread and wait for a
// condition with a deadline (never a bare sleep).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace paddock::peer::testing {

template <typename T>
class Inbox {
 public:
  // Notifies while holding the lock: a waiter may destroy the inbox as soon as it sees the
  // item, and a notify after the unlock would touch a destroyed condition variable (TSan).
  void push(T item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    cv_.notify_all();
  }
  // Waits until pred(items) holds; false on the deadline.
  bool wait_for(const std::function<bool(const std::vector<T>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(items_); });
  }
  bool wait_count(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_for([n](const std::vector<T>& v) { return v.size() >= n; }, timeout);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  std::vector<T> items() {
    std::lock_guard lock(mu_);
    return items_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

// Polls `pred` until it holds or the deadline passes (for state only reachable by asking).
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a poll interval, not a wait
  }
  return true;
}

}  // namespace paddock::peer::testing
