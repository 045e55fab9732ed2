#include "bench/bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "bench/runs.h"

namespace paddock::bench {
namespace {

Status validate(const BenchOptions& o) {
  if (o.servers.empty()) return Status::error("no servers given");
  if (o.root.size() < 2 || o.root.front() != '/' || o.root.back() == '/') {
    return Status::error("--root must be an absolute path other than /");
  }
  if (o.keys > 99'999'999) return Status::error("--keys must be below 100,000,000");
  switch (o.mode) {
    case Mode::kLoad:
    case Mode::kLatency:
      if (o.mix.schedule_size() == 0) return Status::error("empty op mix");
      if (o.keys == 0) return Status::error("--keys must be at least 1");
      if (o.connections == 0 || o.window == 0) {
        return Status::error("--connections and --window must be at least 1");
      }
      if (o.duration_s <= 0) return Status::error("--duration must be positive");
      return Status::ok();
    case Mode::kWatch:
      if (o.watchers == 0 || o.rounds == 0) {
        return Status::error("--watchers and --rounds must be at least 1");
      }
      return Status::ok();
    case Mode::kStorm:
      if (o.storm == 0) return Status::error("--storm must be at least 1");
      return Status::ok();
    case Mode::kFill:
      if (o.fill == 0) return Status::error("--fill must be at least 1");
      if (o.connections == 0 || o.window == 0) {
        return Status::error("--connections and --window must be at least 1");
      }
      return Status::ok();
  }
  return Status::ok();
}

double us(uint64_t ns) { return static_cast<double>(ns) / 1e3; }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

nlohmann::json latency_json(const Histogram& h) {
  return {{"p50", us(h.percentile(0.5))},
          {"p90", us(h.percentile(0.9))},
          {"p99", us(h.percentile(0.99))},
          {"p999", us(h.percentile(0.999))},
          {"max", us(h.max())},
          {"min", us(h.min())},
          {"mean", h.mean() / 1e3}};
}

std::string latency_text(const Histogram& h) {
  return fmt::format("p50 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}",
                     us(h.percentile(0.5)), us(h.percentile(0.99)), us(h.percentile(0.999)),
                     us(h.max()), h.mean() / 1e3);
}

}  // namespace

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kLoad:
      return "load";
    case Mode::kLatency:
      return "latency";
    case Mode::kWatch:
      return "watch";
    case Mode::kStorm:
      return "storm";
    case Mode::kFill:
      return "fill";
  }
  return "?";
}

Result<std::unique_ptr<BenchResult>> run_bench(const BenchOptions& options) {
  if (Status st = validate(options); !st) return st;
  switch (options.mode) {
    case Mode::kLoad:
    case Mode::kLatency:
      return run_load(options);
    case Mode::kWatch:
      return run_watch(options);
    case Mode::kStorm:
      return run_storm(options);
    case Mode::kFill:
      return run_fill(options);
  }
  return Status::error("unknown mode");
}

std::string format_text(const BenchOptions& o, const BenchResult& r) {
  std::string servers;
  for (const Endpoint& e : o.servers) {
    servers += fmt::format("{}{}:{}", servers.empty() ? "" : ",", e.host, e.port);
  }
  std::string out = fmt::format("paddock bench: mode={} servers={}\n", mode_name(r.mode), servers);
  switch (r.mode) {
    case Mode::kWatch:
      out += fmt::format("watchers {}  rounds {}  setData -> last notification ms:", o.watchers,
                         r.fanout_ms.size());
      for (double ms : r.fanout_ms) out += fmt::format(" {:.1f}", ms);
      out += fmt::format("  (median {:.1f})\n", median(r.fanout_ms));
      out += fmt::format("notification arrival us: first {:.1f}  {}\n", us(r.latency.min()),
                         latency_text(r.latency));
      break;
    case Mode::kStorm:
      out += fmt::format(
          "sessions {} of {} established in {:.1f} ms ({:.0f} sessions/s); the connect() "
          "calls took {:.1f} ms\n",
          r.sessions, o.storm, r.storm_ms, r.throughput, r.storm_connects_issued_ms);
      out += fmt::format("connect -> ConnectResponse us: {}\n", latency_text(r.latency));
      break;
    default:
      out += fmt::format("connections {}  window {}  mix {}  payload {} B  keys {}\n",
                         r.mode == Mode::kLatency ? 1 : o.connections,
                         r.mode == Mode::kLatency ? 1 : o.window,
                         r.mode == Mode::kFill ? "fill" : o.mix.to_string(), o.payload, o.keys);
      out += fmt::format("{:.2f} s: {} ops, {:.0f} ops/s, {} errors\n", r.elapsed_s, r.ops,
                         r.throughput, r.errors);
      out += fmt::format("latency us: {}\n", latency_text(r.latency));
      for (size_t k = 0; k < kOpKindCount; ++k) {
        const OpStats& s = r.per_kind[k];
        if (s.ops == 0) continue;
        out += fmt::format("  {:<9} {:>10} ops {:>6} errors  {}\n",
                           op_kind_name(static_cast<OpKind>(k)), s.ops, s.errors,
                           latency_text(s.latency));
      }
  }
  out += fmt::format("client cpu {:.3f} s, {:.3f} us/op", r.client_cpu_s, r.client_cpu_us_per_op());
  if (r.server_cpu_s >= 0) {
    out += fmt::format("; server cpu {:.3f} s, {:.4f} s per 1000 ops", r.server_cpu_s,
                       r.server_cpu_s_per_1k_ops());
  }
  out += "\n";
  if (r.sessions_failed > 0) {
    out += fmt::format("{} sessions failed (first error: {})\n", r.sessions_failed, r.first_error);
  }
  return out;
}

std::string format_json(const BenchOptions& o, const BenchResult& r) {
  nlohmann::json j;
  j["mode"] = mode_name(r.mode);
  j["connections"] = r.mode == Mode::kLatency ? 1 : o.connections;
  j["window"] = r.mode == Mode::kLatency ? 1 : o.window;
  j["mix"] = o.mix.to_string();
  j["payload"] = o.payload;
  j["keys"] = o.keys;
  j["elapsed_s"] = r.elapsed_s;
  j["ops"] = r.ops;
  j["errors"] = r.errors;
  j["throughput"] = r.throughput;
  j["latency_us"] = latency_json(r.latency);
  nlohmann::json per = nlohmann::json::object();
  for (size_t k = 0; k < kOpKindCount; ++k) {
    const OpStats& s = r.per_kind[k];
    if (s.ops == 0) continue;
    per[op_kind_name(static_cast<OpKind>(k))] = {
        {"ops", s.ops}, {"errors", s.errors}, {"latency_us", latency_json(s.latency)}};
  }
  j["per_op"] = per;
  j["client_cpu_s"] = r.client_cpu_s;
  j["client_cpu_us_per_op"] = r.client_cpu_us_per_op();
  j["server_cpu_s"] = r.server_cpu_s;
  j["server_cpu_s_per_1k_ops"] = r.server_cpu_s_per_1k_ops();
  j["sessions"] = r.sessions;
  j["sessions_failed"] = r.sessions_failed;
  j["first_error"] = r.first_error;
  if (r.mode == Mode::kWatch) {
    j["watchers"] = o.watchers;
    j["fanout_ms"] = r.fanout_ms;
    j["fanout_ms_median"] = median(r.fanout_ms);
  }
  if (r.mode == Mode::kStorm) {
    j["storm_sessions"] = o.storm;
    j["storm_ms"] = r.storm_ms;
    j["storm_connects_issued_ms"] = r.storm_connects_issued_ms;
  }
  if (r.mode == Mode::kFill) j["fill"] = o.fill;
  return j.dump();
}

}  // namespace paddock::bench
