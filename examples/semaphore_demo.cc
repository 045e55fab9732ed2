// A semaphore with leases: at most --leases runs hold a lease at once; each holds it a while.
//   for i in 1 2 3 4; do semaphore_demo 127.0.0.1:2181 --leases 2 & done
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "client/recipes/semaphore.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args =
      examples::parse_args(argc, argv, "[--path /demo/semaphore] [--leases 2] [--hold-ms 200]");
  auto client = examples::connect(args);
  recipes::Semaphore sem(*client, args.get("path", "/demo/semaphore"),
                         static_cast<int>(args.number("leases", 2)));
  auto lease = sem.acquire(std::chrono::seconds(60));
  if (!lease.ok() || !lease.value()) {
    std::printf("no lease (%s)\n", lease.ok() ? "timeout" : paddock::proto::err_name(lease.code()));
    return 1;
  }
  std::printf("%ld: holding %s\n", static_cast<long>(::getpid()), lease.value()->path().c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::milliseconds(args.number("hold-ms", 200)));
  lease.value()->release();
  std::printf("%ld: returned\n", static_cast<long>(::getpid()));
  return 0;
}
