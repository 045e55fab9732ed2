// The load, latency and fill modes.
#include <algorithm>

#include "bench/load_driver.h"
#include "bench/proc_stats.h"
#include "bench/runs.h"
#include "bench/setup.h"

namespace paddock::bench {
namespace {

constexpr double kConnectTimeoutS = 60;
constexpr double kSetupTimeoutS = 600;
constexpr double kDrainTimeoutS = 10;
constexpr double kCloseTimeoutS = 30;

// CPU counters at the start of a measured span.
struct CpuMark {
  uint64_t at = 0;
  double self = 0;
  double server = -1;
};

CpuMark mark_cpu(const BenchOptions& options) {
  return CpuMark{now_ns(), self_cpu_seconds(), processes_cpu_seconds(options.server_pids)};
}

void close_span(const BenchOptions& options, const CpuMark& start, BenchResult& result) {
  CpuMark end = mark_cpu(options);
  result.elapsed_s = static_cast<double>(end.at - start.at) / 1e9;
  result.client_cpu_s = end.self - start.self;
  result.server_cpu_s = (start.server < 0 || end.server < 0) ? -1 : end.server - start.server;
}

void wake_all(Engine& engine) {
  for (size_t i = 0; i < engine.size(); ++i) {
    if (engine.session(i).ready()) engine.wake(engine.session(i));
  }
}

// Opens the sessions and creates the bench nodes.
Status prepare(Engine& engine, const BenchOptions& options, const BenchPaths& paths,
               uint32_t sessions) {
  if (Status st = engine.open(sessions); !st) return st;
  if (Status st = wait_established(engine, now_ns() + seconds_ns(kConnectTimeoutS), true); !st) {
    return st;
  }
  if (!options.setup) return Status::ok();
  return create_bench_nodes(engine, paths, options.payload, now_ns() + seconds_ns(kSetupTimeoutS));
}

}  // namespace

SessionOptions session_options_for(const BenchOptions& options, uint32_t window) {
  SessionOptions so;
  so.window = window;
  so.timeout_ms = options.session_timeout_ms;
  so.tls = options.tls;
  size_t per_request = 2 * static_cast<size_t>(options.payload) + 256;
  so.write_reserve = std::max<size_t>(512, window * per_request);
  so.read_buffer = std::clamp<size_t>(window * (options.payload + 160), 4096, 1 << 20);
  return so;
}

void summarize(BenchResult& result) {
  result.ops = 0;
  result.errors = 0;
  result.latency.reset();
  for (const OpStats& s : result.per_kind) {
    result.ops += s.ops;
    result.errors += s.errors;
    result.latency.merge(s.latency);
  }
  result.throughput = result.elapsed_s > 0 ? static_cast<double>(result.ops) / result.elapsed_s : 0;
}

Result<std::unique_ptr<BenchResult>> run_load(const BenchOptions& options) {
  uint32_t connections = options.mode == Mode::kLatency ? 1 : options.connections;
  uint32_t window = options.mode == Mode::kLatency ? 1 : options.window;
  BenchPaths paths(options.root, options.keys);
  Engine engine(options.servers, session_options_for(options, window));
  if (Status st = prepare(engine, options, paths, connections); !st) return st;

  auto result = std::make_unique<BenchResult>();
  result->mode = options.mode;
  LoadDriver driver(options, paths, engine.size(), *result);
  auto never = [] { return false; };
  driver.set_sending(true);
  wake_all(engine);
  if (options.warmup_s > 0) engine.run(driver, never, now_ns() + seconds_ns(options.warmup_s));

  driver.set_recording(true);
  CpuMark start = mark_cpu(options);
  engine.run(driver, never, start.at + seconds_ns(options.duration_s));
  close_span(options, start, *result);
  driver.set_recording(false);
  driver.set_sending(false);

  drain(engine, now_ns() + seconds_ns(kDrainTimeoutS));
  result->sessions = engine.ready_count();
  result->sessions_failed = engine.failed_count();
  if (result->first_error.empty()) result->first_error = engine.first_error();
  engine.close_all(now_ns() + seconds_ns(kCloseTimeoutS));
  summarize(*result);
  if (result->ops == 0) return Status::error("no operation completed: " + result->first_error);
  return result;
}

Result<std::unique_ptr<BenchResult>> run_fill(const BenchOptions& options) {
  BenchPaths paths(options.root, 0);  // the fill needs the folders, not the keys
  Engine engine(options.servers, session_options_for(options, options.window));
  if (Status st = prepare(engine, options, paths, options.connections); !st) return st;

  auto result = std::make_unique<BenchResult>();
  result->mode = Mode::kFill;
  LoadDriver driver(options, paths, engine.size(), *result, options.fill);
  driver.set_sending(true);
  driver.set_recording(true);
  wake_all(engine);
  CpuMark start = mark_cpu(options);
  bool finished = engine.run(
      driver,
      [&] { return driver.completed() >= options.fill || engine.failed_count() >= engine.size(); },
      start.at + seconds_ns(options.duration_s));
  close_span(options, start, *result);
  result->sessions = engine.ready_count();
  result->sessions_failed = engine.failed_count();
  result->first_error = engine.first_error();
  // The fill's nodes are persistent: closing the sessions leaves them for the memory probe.
  engine.close_all(now_ns() + seconds_ns(kCloseTimeoutS));
  summarize(*result);
  if (!finished) return Status::error("the fill did not finish within --duration");
  return result;
}

}  // namespace paddock::bench
