// paddock_sim: run many simulator seeds; print each failure with its seed and a trace.
//   paddock_sim --seeds N [--from S] [--steps K] [--trace-lines L] [--commit-log C]
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "sim/sim_cluster.h"

namespace {
volatile uint64_t g_seed = 0;
void on_abort(int) {
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "paddock_sim: aborted in seed %llu\n",
                        static_cast<unsigned long long>(g_seed));
  if (n > 0) (void)!write(2, buf, static_cast<size_t>(n));
}
}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 100, from = 1;
  int steps = 2000;
  size_t trace_lines = 200;
  std::optional<size_t> commit_log;  // a regression seed's "commit_log=N"
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--seeds")
      seeds = v;
    else if (flag == "--from")
      from = v;
    else if (flag == "--steps")
      steps = static_cast<int>(v);
    else if (flag == "--trace-lines")
      trace_lines = v;
    else if (flag == "--commit-log")
      commit_log = v;
    else {
      std::fprintf(stderr,
                   "usage: %s --seeds N [--from S] [--steps K] [--trace-lines L] "
                   "[--commit-log C]\n",
                   argv[0]);
      return 2;
    }
  }
  std::signal(SIGABRT, on_abort);
  uint64_t failed = 0;
  for (uint64_t seed = from; seed < from + seeds; ++seed) {
    g_seed = seed;
    auto started = std::chrono::steady_clock::now();
    auto failure = paddock::sim::run_seed(seed, steps, false, nullptr, commit_log);
    auto took = std::chrono::steady_clock::now() - started;
    if (took > std::chrono::seconds(1)) {
      std::fprintf(stderr, "slow seed %llu: %lld ms\n", static_cast<unsigned long long>(seed),
                   static_cast<long long>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    }
    if (!failure) continue;
    ++failed;
    std::string trace;
    paddock::sim::run_seed(seed, steps, true, &trace, commit_log);  // replays exactly, traced
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < trace.size()) {
      size_t nl = trace.find('\n', pos);
      lines.push_back(trace.substr(pos, nl - pos));
      pos = nl + 1;
    }
    std::printf("FAIL %s\n  replay: %s --seeds 1 --from %llu --steps %d%s\n", failure->c_str(),
                argv[0], static_cast<unsigned long long>(seed), steps,
                commit_log ? (" --commit-log " + std::to_string(*commit_log)).c_str() : "");
    size_t start = lines.size() > trace_lines ? lines.size() - trace_lines : 0;
    for (size_t i = start; i < lines.size(); ++i) std::printf("    %s\n", lines[i].c_str());
  }
  std::printf("%llu seeds from %llu, %d steps each: %llu passed, %llu failed\n",
              static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(from), steps,
              static_cast<unsigned long long>(seeds - failed),
              static_cast<unsigned long long>(failed));
  return failed == 0 ? 0 : 1;
}
