#include "client/recipes/subtree_cache.h"

#include <condition_variable>
#include <mutex>
#include <set>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {

// Shared with the callbacks and watchers (which may run after the cache is gone). Every
// method but the accessors runs on the client's event thread.
struct SubtreeCache::State : std::enable_shared_from_this<SubtreeCache::State> {
  State(Client& c, std::string r, CacheListener l)
      : client(c), root(std::move(r)), listener(std::move(l)) {}

  // --- a load: every node of the subtree read once; `seen` collects what exists. A load
  // that a connection loss (or any error but NoNode) cut short has not seen everything: it
  // neither sweeps nor reports initialized, and the next SyncConnected loads again.
  void begin_load() {
    ++load_generation;
    loading = true;
    load_failed = false;
    outstanding = 0;  // the replies of an older load no longer count
    seen.clear();
    load(root);
  }
  void load(const std::string& path) {
    auto self = shared_from_this();
    const uint64_t gen = load_generation;
    outstanding += 2;
    client.get_data(path, {}, [self, path, gen](Result<DataResult> r) {
      if (gen != self->load_generation) return;
      if (r.ok()) {
        self->seen.insert(path);
        self->upsert(path, to_node(r.value()));
      } else if (r.code() != Err::kNoNode) {
        self->load_failed = true;
      }
      self->load_step_done();
    });
    client.get_children(path, {}, [self, path, gen](Result<std::vector<std::string>> r) {
      if (gen != self->load_generation) return;
      if (r.ok()) {
        for (const auto& k : r.value()) self->load(join_path(path, k));
      } else if (r.code() != Err::kNoNode) {
        self->load_failed = true;
      }
      self->load_step_done();
    });
  }
  void load_step_done() {
    if (--outstanding > 0 || !loading) return;
    loading = false;
    if (load_failed) {
      missed_events = true;  // load again after the next SyncConnected
      return;
    }
    // What the load did not see (and no event created meanwhile) no longer exists.
    std::vector<std::string> gone;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [p, _] : nodes) {
        if (!seen.count(p)) gone.push_back(p);
      }
    }
    for (auto& p : gone) erase(p);
    {
      std::lock_guard<std::mutex> lock(mu);
      initialized = true;
    }
    cv.notify_all();
    std::lock_guard<std::mutex> calls(listener_mu);
    if (!stopped && listener.on_initialized) listener.on_initialized();
  }

  // --- events
  void on_event(const WatchEvent& e) {
    if (stopped) return;
    switch (e.type) {
      case EventType::kNodeCreated:
      case EventType::kNodeDataChanged: {
        if (loading) seen.insert(e.path);
        auto self = shared_from_this();
        client.get_data(e.path, {}, [self, path = e.path](Result<DataResult> r) {
          if (r.ok()) self->upsert(path, to_node(r.value()));
          // NoNode: deleted since; its NodeDeleted event follows.
        });
        break;
      }
      case EventType::kNodeDeleted:
        if (loading) seen.erase(e.path);
        erase(e.path);
        break;
      default:
        break;
    }
  }
  void on_session(KeeperState s) {
    if (s == KeeperState::kDisconnected) missed_events = true;
    if (s == KeeperState::kSyncConnected && missed_events && !stopped) {
      missed_events = false;
      if (watch_armed) {
        begin_load();
      } else {
        arm_and_load();
      }
    }
  }
  // The watch first, then the load (from the add_watch callback, on the event thread): no
  // change can fall between the two.
  void arm_and_load() {
    std::weak_ptr<State> weak = weak_from_this();
    auto self = shared_from_this();
    client.add_watch(
        root, AddWatchMode::kPersistentRecursive,
        [weak](const WatchEvent& e) {
          if (auto st = weak.lock()) st->on_event(e);
        },
        [self](Result<Empty> r) {
          if (r.ok()) {
            self->watch_armed = true;
            self->begin_load();
          } else {
            self->missed_events = true;  // try again after the next SyncConnected
          }
        });
  }

  // --- the map
  // Out of line: GCC 12 inlines it into the callbacks and then warns (maybe-uninitialized)
  // about the optional inside Result, a false positive.
  [[gnu::noinline]] static CachedNode to_node(const DataResult& d) {
    CachedNode n;
    if (d.data) n.data = *d.data;
    n.stat = d.stat;
    return n;
  }
  void upsert(const std::string& path, const CachedNode& node) {
    std::optional<CachedNode> before;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = nodes.find(path);
      if (it != nodes.end()) {
        // An older read answered after a newer one changes nothing.
        if (it->second.stat.czxid == node.stat.czxid && it->second.stat.mzxid >= node.stat.mzxid)
          return;
        before = it->second;
        it->second = node;
      } else {
        nodes.emplace(path, node);
      }
    }
    std::lock_guard<std::mutex> calls(listener_mu);
    if (stopped) return;
    if (before && listener.on_changed) listener.on_changed(path, *before, node);
    if (!before && listener.on_created) listener.on_created(path, node);
  }
  void erase(const std::string& path) {
    std::optional<CachedNode> before;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = nodes.find(path);
      if (it == nodes.end()) return;
      before = it->second;
      nodes.erase(it);
    }
    std::lock_guard<std::mutex> calls(listener_mu);
    if (!stopped && listener.on_deleted) listener.on_deleted(path, *before);
  }

  Client& client;
  const std::string root;
  const CacheListener listener;
  std::atomic<bool> stopped{false};
  // Held around every listener call and by stop() after it set `stopped`: no listener call
  // runs after stop() returned.
  std::mutex listener_mu;
  // Event thread only:
  uint64_t load_generation = 0;
  int outstanding = 0;
  bool loading = false;
  bool load_failed = false;
  bool missed_events = false;
  bool watch_armed = false;
  std::set<std::string> seen;
  // Shared with the accessors:
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  std::map<std::string, CachedNode> nodes;
  bool initialized = false;
};

SubtreeCache::SubtreeCache(Client& client, SessionEvents& events, std::string root,
                           CacheListener listener)
    : state_(std::make_shared<State>(client, std::move(root), std::move(listener))),
      events_(events) {}

SubtreeCache::~SubtreeCache() { stop(); }

void SubtreeCache::start() {
  std::weak_ptr<State> weak = state_;
  listener_id_ = events_.add([weak](KeeperState s) {
    if (auto st = weak.lock()) st->on_session(s);
  });
  state_->arm_and_load();
}

void SubtreeCache::stop() {
  if (state_->stopped.exchange(true)) return;
  { std::lock_guard<std::mutex> wait_for_listener(state_->listener_mu); }
  if (listener_id_) events_.remove(listener_id_);
  // Limitation: remove_watches can only say kChildren, kData or kAny (ZooKeeper 3.8 has no
  // persistent-recursive watcher type), so this removes every watch of this client on root,
  // e.g. a GroupMonitor's children watch on the same node. While disconnected nothing is
  // removed; the watch is re-armed on reconnect and its events go nowhere (the watcher holds
  // a weak_ptr to the state).
  if (state_->client.state() == SessionState::kConnected) {
    state_->client.remove_watches(state_->root, WatcherType::kAny, false, [](Result<Empty>) {});
  }
}

bool SubtreeCache::wait_initialized(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [&] { return state_->initialized; });
}

std::optional<CachedNode> SubtreeCache::get(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->nodes.find(path);
  if (it == state_->nodes.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, CachedNode> SubtreeCache::snapshot() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->nodes;
}

size_t SubtreeCache::size() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->nodes.size();
}

}  // namespace paddock::client::recipes
