#pragma once
// What the two client-cost programs share (paddock_client_cost.cc with Paddock's C++ client,
// zk_client_cost.cc with ZooKeeper's C client, libzookeeper-mt): the options, the CPU and
// wall clocks, and the report. Both run the same workload against the same server:
//   setup   create the key nodes (/client-cost/k0..k<keys-1>, `payload` bytes each)
//   async   `ops` getData or setData calls with `outstanding` in flight: each completion
//           issues the next call from the client's completion thread, `outstanding` chains
//   sync    `sync_ops` blocking calls of the same op, one at a time
// and report, per phase, the process's CPU (getrusage RUSAGE_SELF: every thread of the
// client library counts) per op, the wall time and ops/s, as one JSON line.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace client_cost {

struct Options {
  std::string server = "127.0.0.1:2181";
  std::string op = "get";  // get | set
  long ops = 200000;
  int outstanding = 32;
  long sync_ops = 2000;
  int keys = 100;
  int payload = 100;
};

inline void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --server HOST:PORT [--op get|set] [--ops N] [--outstanding K]\n"
               "          [--sync-ops M] [--keys K] [--payload BYTES]\n",
               argv0);
  std::exit(2);
}

inline Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(argv[0]);
    const char* v = argv[++i];
    if (a == "--server") o.server = v;
    else if (a == "--op") o.op = v;
    else if (a == "--ops") o.ops = std::atol(v);
    else if (a == "--outstanding") o.outstanding = std::atoi(v);
    else if (a == "--sync-ops") o.sync_ops = std::atol(v);
    else if (a == "--keys") o.keys = std::atoi(v);
    else if (a == "--payload") o.payload = std::atoi(v);
    else usage(argv[0]);
  }
  if ((o.op != "get" && o.op != "set") || o.ops <= 0 || o.outstanding <= 0 || o.keys <= 0 ||
      o.sync_ops < 0 || o.payload < 0) {
    usage(argv[0]);
  }
  return o;
}

inline std::string key_path(long i, int keys) {
  return "/client-cost/k" + std::to_string(i % keys);
}

// CPU seconds (user + system) of this process, every thread.
inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU and wall time of one phase.
class Span {
 public:
  Span() : cpu_(cpu_seconds()), wall_(std::chrono::steady_clock::now()) {}
  double cpu() const { return cpu_seconds() - cpu_; }
  double wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
  }

 private:
  double cpu_;
  std::chrono::steady_clock::time_point wall_;
};

struct PhaseResult {
  long ops = 0;
  long errors = 0;
  double cpu_s = 0;
  double wall_s = 0;
};

inline std::string phase_json(const PhaseResult& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"ops\": %ld, \"errors\": %ld, \"cpu_s\": %.4f, \"wall_s\": %.4f, "
                "\"cpu_us_per_op\": %.3f, \"ops_per_s\": %.0f}",
                r.ops, r.errors, r.cpu_s, r.wall_s, r.ops ? r.cpu_s * 1e6 / r.ops : 0.0,
                r.wall_s > 0 ? r.ops / r.wall_s : 0.0);
  return buf;
}

inline void report(const char* client, const Options& o, const PhaseResult& async,
                   const PhaseResult& sync) {
  std::printf(
      "{\"client\": \"%s\", \"op\": \"%s\", \"outstanding\": %d, \"payload\": %d, "
      "\"async\": %s, \"sync\": %s}\n",
      client, o.op.c_str(), o.outstanding, o.payload, phase_json(async).c_str(),
      phase_json(sync).c_str());
  std::fflush(stdout);
}

}  // namespace client_cost
