#pragma once
// `paddock bench`: what a run is asked to do (BenchOptions), what it measured (BenchResult),
// and the entry point that runs one mode against a server or ensemble.
//
// Modes:
//   load     the op mix over N connections x window outstanding, for warmup + duration
//   latency  load with one connection and a window of 1
//   watch    fan-out: W sessions watch one node, one more sets it; the time from the
//            setData until the last notification arrives, per round
//   storm    N sessions connect at once; the time until every ConnectResponse arrived
//   fill     create N znodes (payload bytes each) as fast as the window allows
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/endpoint.h"
#include "bench/histogram.h"
#include "bench/op_mix.h"
#include "tls/tls_context.h"
#include "util/result.h"

namespace paddock::bench {

enum class Mode { kLoad, kLatency, kWatch, kStorm, kFill };
const char* mode_name(Mode mode);

struct BenchOptions {
  Mode mode = Mode::kLoad;
  std::vector<Endpoint> servers;
  uint32_t connections = 8;
  uint32_t window = 32;
  double duration_s = 10;
  double warmup_s = 2;
  OpMix mix;
  uint32_t payload = 100;
  uint32_t keys = 1000;
  uint32_t watchers = 0;  // watch mode: sessions watching the node
  uint32_t rounds = 3;    // watch mode: setData rounds
  uint32_t storm = 0;     // storm mode: sessions
  uint64_t fill = 0;      // fill mode: znodes to create
  std::string root = "/paddock-bench";
  int32_t session_timeout_ms = 30000;
  bool setup = true;             // create the root, its folders and the keys first
  std::vector<int> server_pids;  // sampled from /proc for server CPU over the measured span
  tls::SslCtxPtr tls;            // --tls: every session over TLS with this client context
};

struct OpStats {
  uint64_t ops = 0;
  uint64_t errors = 0;
  Histogram latency;  // nanoseconds
};

struct BenchResult {
  Mode mode = Mode::kLoad;
  double elapsed_s = 0;   // the measured span
  uint64_t ops = 0;       // replies received in the measured span (events in watch mode)
  uint64_t errors = 0;    // replies with a nonzero error code
  double throughput = 0;  // ops per second
  Histogram latency;      // all measured ops, nanoseconds
  std::vector<OpStats> per_kind = std::vector<OpStats>(kOpKindCount);
  double client_cpu_s = 0;   // this process (user + system) over the measured span
  double server_cpu_s = -1;  // the --server-pid processes, -1 when not asked
  // watch mode: per round, setData sent -> last notification arrived, in milliseconds
  std::vector<double> fanout_ms;
  // storm mode: first connect() -> last ConnectResponse, in milliseconds
  double storm_ms = 0;
  double storm_connects_issued_ms = 0;  // first connect() -> last connect() returned
  uint64_t sessions = 0;                // sessions established
  uint64_t sessions_failed = 0;         // connections that failed or were refused
  std::string first_error;

  double client_cpu_us_per_op() const { return ops == 0 ? 0 : client_cpu_s * 1e6 / ops; }
  double server_cpu_s_per_1k_ops() const {
    return ops == 0 || server_cpu_s < 0 ? -1 : server_cpu_s * 1000 / ops;
  }
};

// Runs one mode. Errors: no server reachable, setup refused, nothing measured.
Result<std::unique_ptr<BenchResult>> run_bench(const BenchOptions& options);

// Human-readable report (several lines) and the --json line.
std::string format_text(const BenchOptions& options, const BenchResult& result);
std::string format_json(const BenchOptions& options, const BenchResult& result);

}  // namespace paddock::bench
