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
#include <string>
#include <thread>

namespace paddock::peer {

class IoThread {
 public:
  explicit IoThread(std::string name);
  ~IoThread();  // stop()
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& context() { return io_; }
  bool on_this_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Ends the loop (pending handlers are dropped) and joins the thread. Idempotent; must not
  // be called from the loop itself.
  void stop();

 private:
  std::string name_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace paddock::peer
