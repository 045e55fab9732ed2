#pragma once
// Test-only pieces shared by the pipeline's tests: a clock the test moves, a channel that
// records what the pipeline sends and closes, and request framing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/client_port.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "util/clock.h"

namespace paddock::pipeline::testing_support {

class ManualClock final : public Clock {
 public:
  int64_t wall_ms() const override { return 1'700'000'000'000 + now_.load(); }
  int64_t monotonic_ms() const override { return now_.load(); }
  void advance(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_{1'000'000};
};

// Records frames per connection; closes are recorded too.
class RecordingChannel final : public ClientChannel {
 public:
  void send(OutboundBatch& batch) override {
    std::lock_guard lock(mu_);
    for (const auto& r : batch.records) frames_[r.conn].emplace_back(batch.frame(r));
    batch.release();
    cv_.notify_all();
  }
  void close_after_flush(ConnectionId conn) override {
    std::lock_guard lock(mu_);
    closed_[conn] = true;
    cv_.notify_all();
  }
  void set_reading(ConnectionId, bool) override {}

  // Waits until `conn` has at least `n` frames; returns them (copied).
  std::vector<std::string> wait_frames(ConnectionId conn, size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return frames_[conn].size() >= n; });
    return frames_[conn];
  }
  bool wait_closed(ConnectionId conn) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return closed_[conn]; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<ConnectionId, std::vector<std::string>> frames_;
  std::map<ConnectionId, bool> closed_;
};

template <typename T>
std::string request(int32_t xid, proto::OpCode op, const T& record) {
  std::string out;
  proto::JuteWriter w(out);
  w.i32(xid);
  w.i32(static_cast<int32_t>(op));
  out += proto::encode(record);
  return out;
}

inline std::string bare_request(int32_t xid, proto::OpCode op) {
  std::string out;
  proto::JuteWriter w(out);
  w.i32(xid);
  w.i32(static_cast<int32_t>(op));
  return out;
}

}  // namespace paddock::pipeline::testing_support
