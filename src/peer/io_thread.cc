#include "peer/io_thread.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <exception>

#include "util/assert.h"
#include "util/thread_name.h"

namespace paddock::peer {

IoThread::IoThread(std::string name)
    : name_(std::move(name)), work_(asio::make_work_guard(io_)), thread_([this] {
        set_thread_name(name_);
        try {
          io_.run();
        } catch (const std::exception& e) {
          // Handlers report errors as values; an exception here is a bug, not a peer's fault.
          spdlog::critical("peer io thread {} ended by an exception: {}", name_, e.what());
          PADDOCK_ASSERT(false);
        }
      }) {}

IoThread::~IoThread() { stop(); }

bool IoThread::run_blocking(std::function<void()> work, std::function<void()> then) {
  std::lock_guard lock(helper_mu_);
  if (helper_stopping_ || blocking_calls_.size() >= kMaxQueuedBlockingCalls) return false;
  if (!helper_.joinable()) helper_ = std::thread([this] { helper_main(); });
  blocking_calls_.emplace_back(std::move(work), std::move(then));
  helper_cv_.notify_one();
  return true;
}

void IoThread::helper_main() {
  set_thread_name(name_ + "-b");
  for (;;) {
    std::pair<std::function<void()>, std::function<void()>> call;
    {
      std::unique_lock lock(helper_mu_);
      helper_cv_.wait(lock, [this] { return helper_stopping_ || !blocking_calls_.empty(); });
      if (helper_stopping_) return;
      call = std::move(blocking_calls_.front());
      blocking_calls_.pop_front();
    }
    call.first();
    // The loop may have stopped meanwhile: the context still exists until this thread is
    // joined (stop() joins it after the loop), and a handler posted to a stopped context is
    // dropped with it.
    asio::post(io_, std::move(call.second));
  }
}

void IoThread::stop() {
  PADDOCK_ASSERT(!on_this_thread());
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  std::deque<std::pair<std::function<void()>, std::function<void()>>> dropped;
  {
    std::lock_guard lock(helper_mu_);
    helper_stopping_ = true;
    dropped.swap(blocking_calls_);
    helper_cv_.notify_all();
  }
  if (helper_.joinable()) helper_.join();
  // `dropped` (and what its calls hold) goes here, with neither thread running.
}

}  // namespace paddock::peer
