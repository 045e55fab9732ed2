// Heartbeat and membership: a worker joins the group as an ephemeral node and reports its
// progress in it; a monitor prints the live workers whenever the group changes. A worker that
// dies (kill -9) leaves the group when its session times out.
//   membership_demo 127.0.0.1:2181 --monitor-ms 5000 &
//   membership_demo 127.0.0.1:2181 --worker w1 --steps 5
#include <chrono>
#include <cstdio>
#include <thread>

#include "client/recipes/group_membership.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(
      argc, argv,
      "[--path /demo/workers] (--worker ID [--steps 5] [--step-ms 200] | --monitor-ms N)");
  recipes::SessionEvents events;
  auto client = examples::connect(args, &events);
  const std::string dir = args.get("path", "/demo/workers");
  if (args.options.count("worker")) {
    recipes::GroupMember me(*client, dir, args.get("worker", ""), "progress 0%");
    if (auto r = me.join(); !r.ok()) {
      std::printf("join failed: %s\n", paddock::proto::err_name(r.code()));
      return 1;
    }
    const long steps = args.number("steps", 5);
    for (long i = 1; i <= steps; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(args.number("step-ms", 200)));
      std::string progress = "progress " + std::to_string(i * 100 / steps) + "%";
      me.update(progress);
      std::printf("%s %s\n", me.path().c_str(), progress.c_str());
      std::fflush(stdout);
    }
    me.leave();
    return 0;
  }
  recipes::GroupMonitor monitor(*client, events, dir,
                                [](const recipes::GroupMonitor::Members& members) {
                                  std::printf("live workers (%zu):", members.size());
                                  for (auto& [id, data] : members)
                                    std::printf(" %s[%s]", id.c_str(), data.c_str());
                                  std::printf("\n");
                                  std::fflush(stdout);
                                });
  if (auto r = monitor.start(); !r.ok()) {
    std::printf("monitor failed: %s\n", paddock::proto::err_name(r.code()));
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(args.number("monitor-ms", 5000)));
  return 0;
}
