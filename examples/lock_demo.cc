// Takes a distributed lock a few times, holds it a while, and prints each hold (and appends it
// to --log FILE, one "pid start_us end_us" line per hold). Run several at once against one
// server and the holds never overlap:
//   lock_demo 127.0.0.1:2181 --rounds 5 --hold-ms 200 & lock_demo 127.0.0.1:2181 --rounds 5
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "client/recipes/exclusive_lock.h"
#include "client/recipes/read_write_lock.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv,
                                   "[--path /demo/lock] [--mode exclusive|read|write] [--rounds 3] "
                                   "[--hold-ms 100] [--log FILE]");
  auto client = examples::connect(args);
  // --mode read / write: the two sides of a ReadWriteLock (readers share, writers exclude).
  const std::string mode = args.get("mode", "exclusive");
  if (mode != "exclusive" && mode != "read" && mode != "write") {
    std::fprintf(stderr, "--mode is exclusive, read or write\n");
    return 2;
  }
  recipes::ExclusiveLock exclusive(*client, args.get("path", "/demo/lock"));
  recipes::ReadWriteLock rw(*client, args.get("path", "/demo/lock"));
  recipes::LockCore& lock = mode == "read"    ? rw.read()
                            : mode == "write" ? rw.write()
                                              : exclusive.core();
  const long rounds = args.number("rounds", 3);
  const auto hold = std::chrono::milliseconds(args.number("hold-ms", 100));
  for (long i = 0; i < rounds; ++i) {
    auto got = lock.acquire(std::chrono::seconds(60));
    if (!got.ok() || !got.value()) {
      std::printf("no lock: %s\n", got.ok() ? "timed out" : paddock::proto::err_name(got.code()));
      return 1;
    }
    // steady_clock (CLOCK_MONOTONIC on Linux, one clock for every process of the machine):
    // the intervals of processes are compared, and the wall clock may step meanwhile.
    auto since_epoch = [] {
      return std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
    long long start = since_epoch();
    std::printf("acquired %s\n", lock.node().c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(hold);  // the "work" done under the lock
    long long end = since_epoch();
    std::printf("held %s from %lld to %lld\n", lock.node().c_str(), start, end);
    std::fflush(stdout);
    if (args.options.count("log")) {
      // One write with O_APPEND: lines from many processes do not interleave.
      int fd = ::open(args.get("log", "").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      std::string line = std::to_string(::getpid()) + " " + std::to_string(start) + " " +
                         std::to_string(end) + " " + mode + "\n";
      if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        return 1;
      ::close(fd);
    }
    lock.release();
  }
  return 0;
}
