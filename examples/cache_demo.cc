// A configuration centre: subscribers keep a cache of a subtree and print every change; a
// publisher writes a key. Start a subscriber, then publish:
//   cache_demo 127.0.0.1:2181 --watch-ms 10000 &
//   cache_demo 127.0.0.1:2181 --publish db.url --value postgres://db1
#include <chrono>
#include <cstdio>
#include <thread>

#include "client/recipes/sequential_nodes.h"
#include "client/recipes/subtree_cache.h"
#include "example_args.h"

using namespace paddock::client;

int main(int argc, char** argv) {
  auto args = examples::parse_args(
      argc, argv, "[--path /demo/config] (--publish KEY --value V | --watch-ms N)");
  recipes::SessionEvents events;
  auto client = examples::connect(args, &events);
  const std::string root = args.get("path", "/demo/config");
  if (args.options.count("publish")) {
    const std::string key = recipes::join_path(root, args.get("publish", ""));
    const std::string value = args.get("value", "");
    recipes::ensure_path(*client, root, recipes::deadline_after(std::chrono::seconds(10)));
    auto r = client->set_data(key, value).get();
    if (r.code() == Err::kNoNode)
      r = client->create(key, value).get().ok() ? Result<Stat>(Stat{}) : r;
    std::printf("published %s = %s (%s)\n", key.c_str(), value.c_str(),
                paddock::proto::err_name(r.code()));
    return r.ok() ? 0 : 1;
  }
  recipes::ensure_path(*client, root, recipes::deadline_after(std::chrono::seconds(10)));
  auto text = [](const NodeData& d) { return d ? *d : std::string("<null>"); };
  recipes::SubtreeCache cache(
      *client, events, root,
      {.on_created =
           [&](const std::string& p, const recipes::CachedNode& n) {
             std::printf("created %s = %s\n", p.c_str(), text(n.data).c_str()), std::fflush(stdout);
           },
       .on_changed =
           [&](const std::string& p, const recipes::CachedNode&, const recipes::CachedNode& n) {
             std::printf("changed %s = %s\n", p.c_str(), text(n.data).c_str()), std::fflush(stdout);
           },
       .on_deleted =
           [&](const std::string& p, const recipes::CachedNode&) {
             std::printf("deleted %s\n", p.c_str()), std::fflush(stdout);
           },
       .on_initialized = [&] { std::printf("initialized\n"), std::fflush(stdout); }});
  cache.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(args.number("watch-ms", 10000)));
  return 0;
}
