#pragma once
// Steps every mode shares: establish the sessions, create the bench's own znodes, and
// run the engine with a deadline that turns into an error message.
#include <cstdint>
#include <string>

#include "bench/bench_paths.h"
#include "bench/engine.h"
#include "util/result.h"

namespace paddock::bench {

// Waits until every opened session is established or failed; an error if none is up, or
// if `all` and any failed.
Status wait_established(Engine& engine, uint64_t deadline, bool all);

// Creates the root folders (on the first ready session, in order) and then `keys` keys of
// `payload` bytes over every ready session with the engine's window. Existing nodes are
// fine (NODEEXISTS); any other error stops the setup.
Status create_bench_nodes(Engine& engine, const BenchPaths& paths, uint32_t payload,
                          uint64_t deadline);

// Runs the engine until every ready session has nothing in flight, or the deadline.
void drain(Engine& engine, uint64_t deadline);

// Seconds to nanoseconds for deadlines.
inline uint64_t seconds_ns(double s) { return static_cast<uint64_t>(s * 1e9); }

}  // namespace paddock::bench
