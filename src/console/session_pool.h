#pragma once
// SessionPool: one client session of this server's own client port per console identity,
// authenticated as that identity, so that what a console user reads and writes goes through
// the server's ACL checks like any client's (identity.h). Sessions are reused across
// requests (an add_auth per request would cost a round trip and a session each time),
// bounded in number (the least recently used one is closed past max_sessions) and closed
// after idle_close without use. Thread-safe: HTTP workers share it.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/client.h"
#include "console/identity.h"
#include "util/result.h"

namespace paddock::console {

struct SessionPoolOptions {
  std::string connect_string;  // "127.0.0.1:2181": this server's client port
  size_t max_sessions = 16;
  std::chrono::milliseconds idle_close{120000};
  std::chrono::milliseconds session_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};  // then the request fails (503)
};

class SessionPool {
 public:
  explicit SessionPool(SessionPoolOptions options) : options_(std::move(options)) {}
  ~SessionPool() { close_all(); }
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // The live session acting as `identity`, opened (and authenticated) when there is none.
  // Fails when the client port does not answer within connect_timeout (an ensemble member
  // between leaders serves no client) or rejects the credentials.
  Result<std::shared_ptr<client::Client>> session_for(const ConsoleIdentity& identity);
  // Closes every session (each closeSession is answered or times out). Requests still
  // holding one finish with it.
  void close_all();
  size_t size() const;

 private:
  using Key = std::pair<std::string, std::string>;  // scheme, credential
  struct Entry {
    std::shared_ptr<client::Client> client;
    std::chrono::steady_clock::time_point last_used;
  };
  Result<std::shared_ptr<client::Client>> open(const ConsoleIdentity& identity) const;
  // Takes out of the map what is dead or idle too long, and when `making_room` the least
  // recently used past max_sessions - 1; the caller closes them after unlocking (a close
  // waits for the server's answer).
  void evict_locked(std::chrono::steady_clock::time_point now, bool making_room,
                    std::vector<std::shared_ptr<client::Client>>& out);

  SessionPoolOptions options_;
  mutable std::mutex mu_;
  std::map<Key, Entry> sessions_;
};

}  // namespace paddock::console
