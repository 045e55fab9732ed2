// A naming service: unique IDs and registered names from sequential nodes.
//   ids_demo 127.0.0.1:2181 --ids 5 --name job- --data "nightly build"
#include <cstdio>

#include "client/recipes/sequence_ids.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv,
                                   "[--path /demo/names] [--ids 3] [--name PREFIX --data TEXT]");
  auto client = examples::connect(args);
  recipes::SequenceIds ids(*client, args.get("path", "/demo/names"));
  for (long i = 0; i < args.number("ids", 3); ++i) {
    auto id = ids.next_id();
    if (!id.ok()) return 1;
    std::printf("id %lld\n", static_cast<long long>(id.value()));
  }
  if (args.options.count("name")) {
    auto name = ids.unique_name(args.get("name", ""), args.get("data", ""));
    if (!name.ok()) return 1;
    std::printf("name %s\n", name.value().c_str());
  }
  return 0;
}
