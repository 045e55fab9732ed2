#pragma once
// One asio event loop on one thread, for the peer transports. Everything a transport keeps
// (connections, queues, timers) is touched only on this thread, so it needs no locks; other
// threads hand work to it with asio::post.
// A standard header before any asio header: asio decides whether to use aligned_alloc from a
// libstdc++ macro that only a standard header defines, and every translation unit must decide
// alike (an ASan alloc-dealloc mismatch otherwise: one TU's operator new, another's free).
// clang-format off
#include <cstddef>
// clang-format on

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace paddock::peer {

class IoThread {
 public:
  // Calls waiting for the helper thread, at most (run_blocking).
  static constexpr size_t kMaxQueuedBlockingCalls = 64;

  explicit IoThread(std::string name);
  ~IoThread();  // stop()
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& context() { return io_; }
  bool on_this_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs `work` on this loop's helper thread (started on first use), then `then` on the loop.
  // For a call that may wait on the network or a disk (a Kerberos exchange asking its KDC):
  // it must not stall the loop, which carries every other peer's traffic. One helper thread:
  // such calls wait for each other, never for the loop nor the loop for them. False (and
  // neither runs) when kMaxQueuedBlockingCalls are waiting already or the loop is stopping.
  // Any thread.
  bool run_blocking(std::function<void()> work, std::function<void()> then);

  // Ends the loop (pending handlers are dropped) and joins the thread, then the helper (a
  // call under way finishes first; calls still queued are dropped). Idempotent; must not be
  // called from the loop itself.
  void stop();

 private:
  void helper_main();

  std::string name_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;

  std::mutex helper_mu_;  // guards the fields below
  std::condition_variable helper_cv_;
  std::deque<std::pair<std::function<void()>, std::function<void()>>> blocking_calls_;
  bool helper_stopping_ = false;
  std::thread helper_;
};

}  // namespace paddock::peer
