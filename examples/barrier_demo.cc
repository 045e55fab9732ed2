// A double barrier: each run enters, waits until --members runs have entered, "works", then
// leaves and waits until all have left.
//   barrier_demo 127.0.0.1:2181 --members 3 & barrier_demo 127.0.0.1:2181 --members 3 &
//   barrier_demo 127.0.0.1:2181 --members 3
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "client/recipes/barrier.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args =
      examples::parse_args(argc, argv, "[--path /demo/barrier] [--members 2] [--wait-ms 30000]");
  auto client = examples::connect(args);
  const int members = static_cast<int>(args.number("members", 2));
  const auto wait = std::chrono::milliseconds(args.number("wait-ms", 30000));
  const long me = ::getpid();
  recipes::DoubleBarrier barrier(*client, args.get("path", "/demo/barrier"), members);
  std::printf("%ld: waiting for %d members\n", me, members);
  std::fflush(stdout);
  auto in = barrier.enter(wait);
  if (!in.ok() || !in.value()) {
    std::printf("%ld: not all arrived (%s)\n", me,
                in.ok() ? "timeout" : paddock::proto::err_name(in.code()));
    return 1;
  }
  std::printf("%ld: all %d entered, working\n", me, members);
  std::fflush(stdout);
  auto out = barrier.leave(wait);
  if (!out.ok() || !out.value()) return 1;
  std::printf("%ld: all left\n", me);
  return 0;
}
