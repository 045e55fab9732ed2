#pragma once
// CPU and memory figures of processes, read from getrusage and /proc: the generator's own
// CPU per op, and a server's CPU over a measured span (which stays meaningful when client
// and server share the cores).
#include <cstdint>
#include <vector>

namespace paddock::bench {

// User + system CPU seconds of this process so far.
double self_cpu_seconds();
// User + system CPU seconds of process `pid` so far (/proc/<pid>/stat), -1 if unreadable.
double process_cpu_seconds(int pid);
// Sum over `pids`; -1 if any is unreadable or the list is empty.
double processes_cpu_seconds(const std::vector<int>& pids);
// Resident set size of `pid` in bytes (/proc/<pid>/status VmRSS), -1 if unreadable.
int64_t process_rss_bytes(int pid);

}  // namespace paddock::bench
