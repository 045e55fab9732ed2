#pragma once
// The console's tree operations on one client session (the user's: session_pool.h): read a
// znode with its children, Stat and ACL; create, set and delete; search paths. Each call
// waits at most `timeout` for the server, then answers 504, so an HTTP worker is never
// held for longer.
#include <chrono>
#include <cstddef>
#include <string>

#include "client/client.h"
#include "console/node_json.h"

namespace paddock::console {

struct SearchLimits {
  size_t max_visited = 20000;  // znodes listed; the walk stops there (answer says truncated)
  size_t max_matches = 200;
  size_t max_in_flight = 256;  // getChildren calls outstanding at once
};

class TreeService {
 public:
  explicit TreeService(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  ApiAnswer read(client::Client& c, const std::string& path) const;
  ApiAnswer create(client::Client& c, const WriteRequest& w) const;
  ApiAnswer set(client::Client& c, const WriteRequest& w) const;
  ApiAnswer remove(client::Client& c, const std::string& path, int32_t version) const;
  // Paths under `root` whose text contains `query` (case-insensitive), breadth first, in
  // sorted order per level. Subtrees the identity may not list are skipped and counted.
  ApiAnswer search(client::Client& c, const std::string& root, const std::string& query,
                   const SearchLimits& limits) const;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace paddock::console
