// Joins a leader election and prints when it gains and loses leadership. Start three, kill
// the leader (Ctrl-C or kill -9), and another one takes over:
//   leader_demo 127.0.0.1:2181 --id a & leader_demo 127.0.0.1:2181 --id b
// --run-ms N ends it after N ms (0: run until killed).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "client/recipes/leader_latch.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv, "[--path /demo/election] [--id NAME] [--run-ms 0]");
  recipes::SessionEvents events;
  auto client = examples::connect(args, &events);
  const std::string id = args.get("id", "pid-" + std::to_string(::getpid()));
  recipes::LeaderLatch latch(
      *client, events, args.get("path", "/demo/election"), id,
      {.is_leader = [&] { std::printf("%s: leader\n", id.c_str()), std::fflush(stdout); },
       .not_leader = [&] { std::printf("%s: not leader\n", id.c_str()), std::fflush(stdout); }});
  latch.start();
  std::printf("%s: joined\n", id.c_str());
  std::fflush(stdout);
  const long run_ms = args.number("run-ms", 0);
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
  while (run_ms == 0 || std::chrono::steady_clock::now() < end) {
    if (client->state() == SessionState::kExpired) {
      std::printf("%s: session expired\n", id.c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (auto ps = latch.participants(); ps.ok()) {
    std::printf("%s: participants", id.c_str());
    for (auto& p : ps.value()) std::printf(" %s", p.c_str());
    std::printf("\n");
  }
  latch.close();
  return 0;
}
