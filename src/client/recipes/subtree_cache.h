#pragma once
// A local copy of a subtree kept current through one persistent recursive watch (Curator's
// CuratorCache): start() adds the watch on `root`, then loads the subtree; every later
// change arrives as an event (NodeCreated, NodeDataChanged, NodeDeleted) and is applied --
// a created or changed node is read again, a deleted one dropped. Listeners hear of each
// node created, changed or deleted in the cache, and of the end of the initial load.
//
// Everything runs on the client's event thread, in the server's order: the replies to the
// cache's reads and the watch events share one ordered stream, so a read answered before a
// delete is applied before that delete, and a read after it answers NoNode.
//
// Connection loss: events sent while disconnected are lost (a persistent watch is re-armed on
// reconnect, but the server does not replay what it missed), so after SyncConnected the cache
// loads the subtree again and reports the differences. Expiry ends the client: the cache
// keeps its last contents and stops changing.
//
//   SubtreeCache cache(client, events, "/config", {.on_changed = [](auto& path, auto&, auto& now)
//   {...}}); cache.start();  cache.wait_initialized(10s);
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "client/client.h"
#include "client/recipes/session_events.h"

namespace paddock::client::recipes {

struct CachedNode {
  NodeData data;
  Stat stat;
  friend bool operator==(const CachedNode& a, const CachedNode& b) {
    return a.data == b.data && a.stat.mzxid == b.stat.mzxid && a.stat.czxid == b.stat.czxid;
  }
};

// Run on the client's event thread.
struct CacheListener {
  std::function<void(const std::string& path, const CachedNode& node)> on_created = nullptr;
  std::function<void(const std::string& path, const CachedNode& before, const CachedNode& now)>
      on_changed = nullptr;
  std::function<void(const std::string& path, const CachedNode& before)> on_deleted = nullptr;
  // After the first load (and after each reload that follows a reconnect).
  std::function<void()> on_initialized = nullptr;
};

class SubtreeCache {
 public:
  SubtreeCache(Client& client, SessionEvents& events, std::string root,
               CacheListener listener = {});
  // stop()
  ~SubtreeCache();
  SubtreeCache(const SubtreeCache&) = delete;
  SubtreeCache& operator=(const SubtreeCache&) = delete;

  // Adds the watch and starts the load (in the background: see wait_initialized).
  void start();
  // Removes the watch; the contents stay as they were.
  // No listener call runs after stop() returns; do not call it from a listener. It removes
  // every watch of this client on root (the client API cannot name only the persistent
  // recursive one): do not share root with another watching recipe on the same client.
  void stop();
  bool wait_initialized(std::chrono::milliseconds timeout) const;

  std::optional<CachedNode> get(const std::string& path) const;
  std::map<std::string, CachedNode> snapshot() const;
  size_t size() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  SessionEvents& events_;
  uint64_t listener_id_ = 0;
};

}  // namespace paddock::client::recipes
