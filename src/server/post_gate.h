#pragma once
// Snapshot callbacks run on the pipeline thread and may arrive after the server that asked
// for them has stopped. They post through a PostGate, which the owner closes before its
// io_context goes away: a closed gate drops the work instead of touching a dead context.
#include <mutex>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

namespace paddock::server {

class PostGate {
 public:
  explicit PostGate(asio::io_context& io) : io_(&io) {}

  template <typename F>
  void post(F&& work) {
    std::lock_guard<std::mutex> lock(mu_);
    if (io_ != nullptr) asio::post(*io_, std::forward<F>(work));
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    io_ = nullptr;
  }

 private:
  std::mutex mu_;
  asio::io_context* io_;
};

}  // namespace paddock::server
