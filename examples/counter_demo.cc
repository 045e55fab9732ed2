// A shared counter: each run adds --adds times --delta; concurrent runs never lose an add.
//   counter_demo 127.0.0.1:2181 --adds 100 & counter_demo 127.0.0.1:2181 --adds 100; counter_demo
//   127.0.0.1:2181 --adds 0
#include <cstdio>

#include "client/recipes/shared_counter.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv, "[--path /demo/counter] [--adds 10] [--delta 1]");
  auto client = examples::connect(args);
  recipes::SharedCounter counter(*client, args.get("path", "/demo/counter"));
  const long adds = args.number("adds", 10), delta = args.number("delta", 1);
  for (long i = 0; i < adds; ++i) {
    if (auto r = counter.add(delta); !r.ok()) {
      std::printf("add failed: %s\n", paddock::proto::err_name(r.code()));
      return 1;
    }
  }
  auto now = counter.get();
  if (!now.ok()) return 1;
  std::printf("counter %lld (version %d, %llu conflicts)\n",
              static_cast<long long>(now.value().value), now.value().version,
              static_cast<unsigned long long>(counter.conflicts()));
  return 0;
}
