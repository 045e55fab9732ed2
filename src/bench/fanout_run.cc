// The watch fan-out and connection storm modes.
#include <algorithm>

#include "bench/proc_stats.h"
#include "bench/runs.h"
#include "bench/setup.h"
#include "proto/records.h"

namespace paddock::bench {
namespace {

constexpr double kFanoutConnectTimeoutS = 300;
constexpr double kRoundTimeoutS = 120;
constexpr double kFanoutCloseTimeoutS = 60;
constexpr int32_t kNodeDataChanged = 3;
constexpr uint32_t kConnectBatch = 500;

// Session 0 writes; sessions 1..W watch. A round: every watcher arms a data watch with
// getData(watch), then the writer sets the node, and the round ends when every watcher has
// its notification (or has failed).
class FanoutDriver : public Driver {
 public:
  FanoutDriver(Engine& engine, const BenchPaths& paths, std::string payload, BenchResult& result)
      : engine_(engine),
        paths_(paths),
        payload_(std::move(payload)),
        result_(result),
        watchers_(engine.size() - 1),
        armed_flags_(engine.size(), false) {}

  void start_round() {
    armed_ = 0;
    notified_ = 0;
    fired_ = false;
    for (size_t i = 1; i < engine_.size(); ++i) {
      armed_flags_[i] = false;
      if (engine_.session(i).ready()) engine_.wake(engine_.session(i));
    }
  }

  void fill(Session& s, uint64_t now) override {
    if (s.index() == 0) {
      if (!fired_ && armed_ + failed_ >= watchers_) {
        fired_ = true;
        fired_at_ = now;
        s.set_data(OpKind::kSet, paths_.watch_node(), payload_);
      }
      return;
    }
    if (!armed_flags_[s.index()]) {
      armed_flags_[s.index()] = true;
      s.get_data(OpKind::kWatch, paths_.watch_node(), true);
    }
  }

  void on_reply(Session&, OpKind kind, const ReplyView& reply, uint64_t sent,
                uint64_t now) override {
    OpStats& stats = result_.per_kind[static_cast<size_t>(kind)];
    ++stats.ops;
    if (reply.header.err != 0) ++stats.errors;
    stats.latency.record(now - sent);
    if (kind == OpKind::kWatch && ++armed_ + failed_ >= watchers_) {
      engine_.wake(engine_.session(0));
    }
  }

  void on_event(Session&, const ReplyView& event, uint64_t now) override {
    proto::WatcherEvent e;
    if (!fired_ || !proto::decode(event.body, e) || e.type != kNodeDataChanged) return;
    ++notified_;
    ++events_;
    last_event_ = now;
    arrivals_.record(now - fired_at_);
  }

  void on_failed(Session& s, std::string_view why) override {
    if (s.index() == 0) writer_failed_ = true;
    ++failed_;
    if (result_.first_error.empty()) result_.first_error = std::string(why);
  }

  bool round_done() const { return writer_failed_ || (fired_ && notified_ + failed_ >= watchers_); }
  bool writer_failed() const { return writer_failed_; }
  double round_ms() const { return static_cast<double>(last_event_ - fired_at_) / 1e6; }
  uint64_t events() const { return events_; }
  const Histogram& arrivals() const { return arrivals_; }

 private:
  Engine& engine_;
  const BenchPaths& paths_;
  std::string payload_;
  BenchResult& result_;
  size_t watchers_;
  std::vector<bool> armed_flags_;
  size_t armed_ = 0;
  size_t notified_ = 0;
  size_t failed_ = 0;
  bool fired_ = false;
  bool writer_failed_ = false;
  uint64_t fired_at_ = 0;
  uint64_t last_event_ = 0;
  uint64_t events_ = 0;
  Histogram arrivals_;
};

// Records each session's connect() -> ConnectResponse time.
class StormDriver : public Driver {
 public:
  explicit StormDriver(BenchResult& result) : result_(result) {}
  void on_ready(Session& s, uint64_t now) override {
    result_.latency.record(now - s.connect_started_ns());
    last_ready_ = now;
  }
  void on_reply(Session&, OpKind, const ReplyView&, uint64_t, uint64_t) override {}
  uint64_t last_ready() const { return last_ready_; }

 private:
  BenchResult& result_;
  uint64_t last_ready_ = 0;
};

}  // namespace

Result<std::unique_ptr<BenchResult>> run_watch(const BenchOptions& options) {
  BenchPaths paths(options.root, 0);
  SessionOptions so = session_options_for(options, 2);
  so.read_buffer = 4096;
  Engine engine(options.servers, so);
  // Connect in batches: a fan-out run should not turn into a connection storm.
  uint64_t connect_deadline = now_ns() + seconds_ns(kFanoutConnectTimeoutS);
  for (uint32_t left = options.watchers + 1; left > 0;) {
    uint32_t batch = std::min(left, kConnectBatch);
    if (Status st = engine.open(batch); !st) return st;
    if (Status st = wait_established(engine, connect_deadline, true); !st) return st;
    left -= batch;
  }
  if (options.setup) {
    Status st = create_bench_nodes(engine, paths, options.payload,
                                   now_ns() + seconds_ns(kFanoutConnectTimeoutS));
    if (!st) return st;
  }
  auto result = std::make_unique<BenchResult>();
  result->mode = Mode::kWatch;
  FanoutDriver driver(engine, paths, std::string(options.payload, 'x'), *result);
  uint64_t start = now_ns();
  double self_start = self_cpu_seconds();
  double server_start = processes_cpu_seconds(options.server_pids);
  for (uint32_t round = 0; round < options.rounds; ++round) {
    driver.start_round();
    if (!engine.run(
            driver, [&] { return driver.round_done(); }, now_ns() + seconds_ns(kRoundTimeoutS))) {
      return Status::error("watch round " + std::to_string(round) + " did not complete in " +
                           std::to_string(kRoundTimeoutS) + " s");
    }
    if (driver.writer_failed()) return Status::error("the writer session failed");
    result->fanout_ms.push_back(driver.round_ms());
  }
  result->elapsed_s = static_cast<double>(now_ns() - start) / 1e9;
  result->client_cpu_s = self_cpu_seconds() - self_start;
  double server_end = processes_cpu_seconds(options.server_pids);
  result->server_cpu_s = server_start < 0 || server_end < 0 ? -1 : server_end - server_start;
  result->sessions = engine.ready_count();
  result->sessions_failed = engine.failed_count();
  engine.close_all(now_ns() + seconds_ns(kFanoutCloseTimeoutS));
  summarize(*result);
  // The headline distribution is the notification arrival time, not the arming reads.
  result->latency = driver.arrivals();
  result->ops = driver.events();
  return result;
}

Result<std::unique_ptr<BenchResult>> run_storm(const BenchOptions& options) {
  SessionOptions so = session_options_for(options, 1);
  so.read_buffer = 4096;
  Engine engine(options.servers, so);
  auto result = std::make_unique<BenchResult>();
  result->mode = Mode::kStorm;
  StormDriver driver(*result);
  double server_start = processes_cpu_seconds(options.server_pids);
  double self_start = self_cpu_seconds();
  uint64_t start = now_ns();
  if (Status st = engine.open(options.storm); !st) return st;
  // How long the generator itself took to issue the connects: the floor of the figure.
  result->storm_connects_issued_ms = static_cast<double>(now_ns() - start) / 1e6;
  engine.run(
      driver, [&] { return engine.ready_count() + engine.failed_count() >= engine.size(); },
      start + seconds_ns(kFanoutConnectTimeoutS));
  uint64_t end = driver.last_ready() > 0 ? driver.last_ready() : now_ns();
  result->client_cpu_s = self_cpu_seconds() - self_start;
  double server_end = processes_cpu_seconds(options.server_pids);
  result->server_cpu_s = server_start < 0 || server_end < 0 ? -1 : server_end - server_start;
  result->storm_ms = static_cast<double>(end - start) / 1e6;
  result->elapsed_s = result->storm_ms / 1e3;
  result->sessions = engine.ready_count();
  result->sessions_failed = engine.size() - engine.ready_count();
  result->first_error = engine.first_error();
  result->ops = engine.ready_count();
  result->throughput = result->elapsed_s > 0 ? result->ops / result->elapsed_s : 0;
  engine.close_all(now_ns() + seconds_ns(kFanoutCloseTimeoutS));
  // Sessions that were not established show in sessions_failed; the caller decides.
  return result;
}

}  // namespace paddock::bench
