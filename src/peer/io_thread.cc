#include "peer/io_thread.h"

#include <spdlog/spdlog.h>

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

void IoThread::stop() {
  PADDOCK_ASSERT(!on_this_thread());
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace paddock::peer
