#pragma once
// One function per mode (internal to bench/; run_bench in bench.h picks one).
#include <memory>

#include "bench/bench.h"
#include "bench/engine.h"

namespace paddock::bench {

Result<std::unique_ptr<BenchResult>> run_load(const BenchOptions& options);
Result<std::unique_ptr<BenchResult>> run_fill(const BenchOptions& options);
Result<std::unique_ptr<BenchResult>> run_watch(const BenchOptions& options);
Result<std::unique_ptr<BenchResult>> run_storm(const BenchOptions& options);

// Sizes a session's buffers for `window` requests of up to `payload` bytes.
SessionOptions session_options_for(const BenchOptions& options, uint32_t window);

// Fills in ops, errors, throughput and the merged latency from the per-kind stats.
void summarize(BenchResult& result);

}  // namespace paddock::bench
