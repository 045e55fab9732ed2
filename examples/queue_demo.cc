// A work queue: producers offer items, consumers take them; each item is taken once.
//   queue_demo 127.0.0.1:2181 --produce 10 & queue_demo 127.0.0.1:2181 --consume 5 & queue_demo
//   127.0.0.1:2181 --consume 5
#include <unistd.h>

#include <cstdio>
#include <string>

#include "client/recipes/distributed_queue.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(
      argc, argv, "[--path /demo/queue] [--produce N] [--consume N] [--wait-ms 10000]");
  auto client = examples::connect(args);
  recipes::DistributedQueue queue(*client, args.get("path", "/demo/queue"));
  const std::string me = "pid-" + std::to_string(::getpid());
  for (long i = 0; i < args.number("produce", 0); ++i) {
    std::string item = me + " item " + std::to_string(i);
    if (auto r = queue.offer(item); !r.ok()) {
      std::printf("offer failed: %s\n", paddock::proto::err_name(r.code()));
      return 1;
    }
    std::printf("offered %s\n", item.c_str());
  }
  const auto wait = std::chrono::milliseconds(args.number("wait-ms", 10000));
  for (long i = 0; i < args.number("consume", 0); ++i) {
    auto r = queue.take(wait);
    if (!r.ok()) {
      std::printf("take failed: %s\n", paddock::proto::err_name(r.code()));
      return 1;
    }
    if (!r.value()) {
      std::printf("queue empty\n");
      return 1;
    }
    std::printf("took %s\n", r.value()->c_str());
  }
  return 0;
}
