#pragma once
// Test-only pieces shared by the pipeline's tests: a clock the test moves, a channel that
// records what the pipeline sends and closes, a driver that steps a PipelineCore on the
// test's own thread, and request framing. Nothing here waits on real time: every input is
// handled to completion before the driver returns.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/client_port.h"
#include "pipeline/pipeline_core.h"
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

// Records frames per connection; closes are recorded too. Thread-safe, so the threaded
// adapter's tests can use it as well.
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
  void set_reading(ConnectionId conn, bool on) override {
    std::lock_guard lock(mu_);
    not_reading_[conn] = !on;
  }

  // The frames sent to `conn` so far (copied).
  std::vector<std::string> frames(ConnectionId conn) {
    std::lock_guard lock(mu_);
    return frames_[conn];
  }
  bool closed(ConnectionId conn) {
    std::lock_guard lock(mu_);
    return closed_[conn];
  }
  // Whether the core has reading from `conn` on (it is, until set_reading turns it off).
  bool reading(ConnectionId conn) {
    std::lock_guard lock(mu_);
    return !not_reading_[conn];
  }
  // For tests of a threaded driver: waits until `conn` has `n` frames, failing the test
  // (not returning silently) when the deadline passes.
  std::vector<std::string> await_frames(ConnectionId conn, size_t n) {
    std::unique_lock lock(mu_);
    const bool arrived =
        cv_.wait_for(lock, std::chrono::seconds(30), [&] { return frames_[conn].size() >= n; });
    EXPECT_TRUE(arrived) << "connection " << conn << " got " << frames_[conn].size()
                         << " frames, not " << n;
    return frames_[conn];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<ConnectionId, std::vector<std::string>> frames_;
  std::map<ConnectionId, bool> closed_;
  std::map<ConnectionId, bool> not_reading_;
};

// Steps a PipelineCore on the calling thread: each input is handled, the commits it made
// ready are applied, a due tick runs and the turn ends, all before the call returns. The
// orderer's wake-up only raises a flag (it may fire inside the core's own propose()).
class CoreDriver {
 public:
  // With `sessions` null the driver uses a LocalSessionAuthority of its own.
  CoreDriver(PipelineOptions options, state::Database& db, Orderer& orderer, ClientChannel& channel,
             ManualClock& clock, SessionAuthority* sessions = nullptr)
      : clock_(clock),
        own_sessions_(options.tick_ms),
        core_(std::move(options), db, orderer, sessions ? *sessions : own_sessions_, channel) {
    orderer.set_wakeup([this] { commits_ready_ = true; });
    core_.start(now());
  }

  void connection_opened(ConnectionId conn, std::string ip, uint16_t port) {
    step(PipelineCore::Opened{conn, std::move(ip), port, {}});
  }
  void frames_received(FrameBatch& batch) {
    step(PipelineCore::Frames{std::move(batch)});
    batch = FrameBatch{};
  }
  void frame_received(ConnectionId conn, std::string_view frame) {
    FrameBatch batch;
    batch.add(conn, frame);
    frames_received(batch);
  }
  void connection_closed(ConnectionId conn) { step(PipelineCore::Closed{conn}); }
  void set_log_failed(bool failed, std::string reason) {
    step(PipelineCore::LogState{failed, std::move(reason)});
  }
  void learner_write(ForwardedWrite write) { step(PipelineCore::LearnerWrite{std::move(write)}); }
  void sasl_step_done(ConnectionId conn, SaslExchange::Step result) {
    step(PipelineCore::SaslStepDone{conn, std::move(result)});
  }
  // Something outside the core changed what the orderer has committed (a test's log).
  void commits_ready() { step(PipelineCore::CommitsReady{}); }
  // Moves the clock on and runs the ticks that became due, as the thread adapter would.
  void advance(int64_t ms) {
    const int64_t end = clock_.monotonic_ms() + ms;
    while (core_.next_tick_ms() <= end) {
      clock_.advance(core_.next_tick_ms() - clock_.monotonic_ms());
      core_.tick(now());
      settle();
    }
    clock_.advance(end - clock_.monotonic_ms());
  }
  PipelineCore& core() { return core_; }

 private:
  Now now() const { return Now{clock_.monotonic_ms(), clock_.wall_ms()}; }
  void step(PipelineCore::Event event) {
    core_.handle(event, now());
    settle();
  }
  void settle() {
    while (commits_ready_) {
      commits_ready_ = false;
      PipelineCore::Event ready = PipelineCore::CommitsReady{};
      core_.handle(ready, now());
    }
    core_.end_turn();
  }

  ManualClock& clock_;
  bool commits_ready_ = false;
  LocalSessionAuthority own_sessions_;
  PipelineCore core_;
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

// The ReplyHeader of a reply frame (length prefix included).
inline proto::ReplyHeader header_of(const std::string& frame) {
  proto::JuteReader r(std::string_view(frame).substr(4));
  proto::ReplyHeader h;
  proto::read(r, h);
  EXPECT_TRUE(r.ok());
  return h;
}

inline std::string bare_request(int32_t xid, proto::OpCode op) {
  std::string out;
  proto::JuteWriter w(out);
  w.i32(xid);
  w.i32(static_cast<int32_t>(op));
  return out;
}

// A reply frame (length prefix included) as its header and the body after it.
struct DecodedReply {
  proto::ReplyHeader header;
  std::string body;
};
inline DecodedReply decode_reply(const std::string& frame) {
  proto::JuteReader r(std::string_view(frame).substr(4));
  DecodedReply out;
  proto::read(r, out.header);
  out.body = std::string(r.rest());
  EXPECT_TRUE(r.ok());
  return out;
}

}  // namespace paddock::pipeline::testing_support
