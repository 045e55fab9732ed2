#include "state/watch_registry.h"

#include <algorithm>

#include "util/assert.h"

namespace paddock::state {

namespace {

using proto::EventType;

// "/a/b" -> "/a", "/a" -> "/".
std::string_view parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string_view::npos ? std::string_view("/")
                                                       : path.substr(0, slash);
}

}  // namespace

// The events of one trigger. Each watcher gets at most one event: within one path of one
// table a watcher appears once, so the set of notified watchers is built only when a second
// source (an ancestor path or the other table) is visited.
struct WatchRegistry::Fired {
  std::vector<WatchEvent>& out;
  size_t start;
  EventType type;
  const std::string& path;
  std::unordered_set<WatcherId> seen;
  bool dedup = false;

  void add(WatcherId watcher) {
    if (dedup && !seen.insert(watcher).second) return;
    out.push_back(WatchEvent{watcher, type, proto::KeeperState::kSyncConnected, path});
  }
  void next_source() {
    if (dedup) return;
    dedup = true;
    for (size_t i = start; i < out.size(); ++i) seen.insert(out[i].watcher);
  }
};

void WatchRegistry::set_mode(Mode& slot, Mode mode, bool data_table, PathWatchers& at,
                             WatcherId watcher) {
  size_t& entries = data_table ? data_entries_ : child_entries_;
  size_t& recursive = data_table ? data_recursive_ : child_recursive_;
  const bool had = slot != Mode::kNone;
  if (had) --entries;
  if (slot == Mode::kRecursive) --recursive;
  slot = mode;
  const bool has = slot != Mode::kNone;
  if (has) ++entries;
  if (slot == Mode::kRecursive) ++recursive;
  if (data_table && had != has) count_data_watch(at, watcher, has ? 1 : -1);
}

// Keeps the wchs counts (paths and connections with a data watch) current, so that
// answering wchs or mntr never walks the tables.
void WatchRegistry::count_data_watch(PathWatchers& at, WatcherId watcher, int delta) {
  auto w = paths_of_.find(watcher);
  PADDOCK_ASSERT(w != paths_of_.end());
  if (delta > 0) {
    if (at.data_watchers++ == 0) ++data_paths_;
    if (w->second.data_watches++ == 0) ++data_watchers_;
  } else {
    if (--at.data_watchers == 0) --data_paths_;
    if (--w->second.data_watches == 0) --data_watchers_;
  }
}

void WatchRegistry::add(const std::string& path, WatcherId watcher, WatchKind kind) {
  auto& paths = paths_of_[watcher].paths;
  PathWatchers& at = table_[path];
  auto& entries = at.entries;
  Entry* entry = nullptr;
  if (paths.insert(path).second) {
    entry = &entries.emplace_back(Entry{watcher, Mode::kNone, Mode::kNone});
  } else {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const Entry& e) { return e.watcher == watcher; });
    PADDOCK_ASSERT(it != entries.end());
    entry = &*it;
  }
  // One mode per (table, path, watcher), as in ZooKeeper 3.8: a later watch replaces the
  // mode, so getData after addWatch(PERSISTENT) makes the data side one-shot.
  switch (kind) {
    case WatchKind::kData:
      set_mode(entry->data, Mode::kStandard, true, at, watcher);
      break;
    case WatchKind::kChild:
      set_mode(entry->child, Mode::kStandard, false, at, watcher);
      break;
    case WatchKind::kPersistent:
      set_mode(entry->data, Mode::kPersistent, true, at, watcher);
      set_mode(entry->child, Mode::kPersistent, false, at, watcher);
      break;
    case WatchKind::kPersistentRecursive:
      set_mode(entry->data, Mode::kRecursive, true, at, watcher);
      set_mode(entry->child, Mode::kRecursive, false, at, watcher);
      break;
  }
}

void WatchRegistry::forget_path_of(WatcherId watcher, const std::string& path) {
  auto it = paths_of_.find(watcher);
  if (it == paths_of_.end()) return;
  it->second.paths.erase(path);
  if (it->second.paths.empty()) paths_of_.erase(it);
}

void WatchRegistry::fire_at(Table::iterator it, bool exact_path, EventType type,
                            bool data_table, Fired& fired) {
  PathWatchers& at = it->second;
  std::vector<Entry>& entries = at.entries;
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    Mode& mode = data_table ? e.data : e.child;
    if (mode == Mode::kRecursive) {
      // Recursive watches see every event on the subtree except NodeChildrenChanged.
      if (type != EventType::kNodeChildrenChanged) fired.add(e.watcher);
    } else if (mode != Mode::kNone && exact_path) {
      fired.add(e.watcher);  // suppressed or not, a one-shot watch is used up
      if (mode == Mode::kStandard) set_mode(mode, Mode::kNone, data_table, at, e.watcher);
    }
    if (e.data == Mode::kNone && e.child == Mode::kNone) {
      forget_path_of(e.watcher, it->first);
      continue;
    }
    if (kept != i) entries[kept] = e;
    ++kept;
  }
  entries.resize(kept);
  if (entries.empty()) table_.erase(it);
}

void WatchRegistry::fire_table(const std::string& path, EventType type, bool data_table,
                               Fired& fired) {
  bool walk = (data_table ? data_recursive_ : child_recursive_) > 0;
  std::string_view at = path;
  bool exact = true;
  while (true) {
    if (!exact) fired.next_source();
    auto it = table_.find(at);
    if (it != table_.end()) fire_at(it, exact, type, data_table, fired);
    if (!walk || at == "/" || at.empty()) break;
    at = parent_of(at);
    exact = false;
  }
}

void WatchRegistry::trigger(const std::string& path, EventType type,
                            std::vector<WatchEvent>& out) {
  if (table_.empty()) return;  // the common case: nobody watches anything
  Fired fired{out, out.size(), type, path, {}, false};
  bool data_table = type == EventType::kNodeCreated || type == EventType::kNodeDataChanged ||
                    type == EventType::kNodeDeleted;
  bool child_table =
      type == EventType::kNodeChildrenChanged || type == EventType::kNodeDeleted;
  if (data_table) fire_table(path, type, true, fired);
  if (child_table) {
    if (data_table) fired.next_source();
    fire_table(path, type, false, fired);
  }
}

bool WatchRegistry::remove(const std::string& path, WatcherId watcher,
                           proto::WatcherType type, bool remove) {
  bool data = type == proto::WatcherType::kData || type == proto::WatcherType::kAny;
  bool child = type == proto::WatcherType::kChildren || type == proto::WatcherType::kAny;
  auto it = table_.find(path);
  if (it == table_.end()) return false;
  PathWatchers& at = it->second;
  std::vector<Entry>& entries = at.entries;
  if (!remove) {
    // ZooKeeper 3.8.0 answers checkWatches with "some connection watches this path".
    return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
      return (data && e.data != Mode::kNone) || (child && e.child != Mode::kNone);
    });
  }
  auto e = std::find_if(entries.begin(), entries.end(),
                        [&](const Entry& x) { return x.watcher == watcher; });
  if (e == entries.end()) return false;
  bool matched = false;
  if (data && e->data != Mode::kNone) {
    set_mode(e->data, Mode::kNone, true, at, watcher);
    matched = true;
  }
  if (child && e->child != Mode::kNone) {
    set_mode(e->child, Mode::kNone, false, at, watcher);
    matched = true;
  }
  if (e->data == Mode::kNone && e->child == Mode::kNone) {
    entries.erase(e);
    forget_path_of(watcher, path);
    if (entries.empty()) table_.erase(it);
  }
  return matched;
}

bool WatchRegistry::has_watch(const std::string& path, WatcherId watcher,
                              WatchKind kind) const {
  auto it = table_.find(path);
  if (it == table_.end()) return false;
  for (const Entry& e : it->second.entries) {
    if (e.watcher != watcher) continue;
    switch (kind) {
      case WatchKind::kData:
        return e.data == Mode::kStandard;
      case WatchKind::kChild:
        return e.child == Mode::kStandard;
      case WatchKind::kPersistent:
        return e.data == Mode::kPersistent || e.child == Mode::kPersistent;
      case WatchKind::kPersistentRecursive:
        return e.data == Mode::kRecursive || e.child == Mode::kRecursive;
    }
  }
  return false;
}

void WatchRegistry::remove_watcher(WatcherId watcher) {
  auto paths = paths_of_.find(watcher);
  if (paths == paths_of_.end()) return;
  for (const std::string& path : paths->second.paths) {
    auto it = table_.find(path);
    PADDOCK_ASSERT(it != table_.end());
    PathWatchers& at = it->second;
    auto& entries = at.entries;
    auto e = std::find_if(entries.begin(), entries.end(),
                          [&](const Entry& x) { return x.watcher == watcher; });
    PADDOCK_ASSERT(e != entries.end());
    set_mode(e->data, Mode::kNone, true, at, watcher);
    set_mode(e->child, Mode::kNone, false, at, watcher);
    entries.erase(e);
    if (entries.empty()) table_.erase(it);
  }
  paths_of_.erase(paths);
}

void WatchRegistry::walk_data_watches(DataWatchWalk& walk, size_t max_entries,
                                      const DataWatchVisitor& visit) const {
  if (walk.bucket_count != table_.bucket_count()) {  // the first piece, or a rehash since
    walk.next_bucket = 0;
    walk.bucket_count = table_.bucket_count();
  }
  // Empty buckets cost a little too: a piece looks at a bounded number of them.
  const size_t max_buckets = 4 * max_entries + 1;
  size_t visited = 0;
  for (size_t buckets = 0;
       walk.next_bucket < walk.bucket_count && visited < max_entries && buckets < max_buckets;
       ++buckets, ++walk.next_bucket) {
    for (auto it = table_.begin(walk.next_bucket); it != table_.end(walk.next_bucket); ++it) {
      for (const Entry& e : it->second.entries) {
        if (e.data == Mode::kNone) continue;
        visit(it->first, e.watcher);
        ++visited;
      }
    }
  }
  walk.done = walk.next_bucket >= walk.bucket_count;
}

std::map<WatcherId, std::vector<std::string>> WatchRegistry::by_watcher() const {
  std::map<WatcherId, std::vector<std::string>> out;
  for (const auto& [path, at] : table_) {
    for (const Entry& e : at.entries) {
      if (e.data != Mode::kNone) out[e.watcher].push_back(path);
    }
  }
  for (auto& [watcher, paths] : out) std::sort(paths.begin(), paths.end());
  return out;
}

std::map<std::string, std::vector<WatcherId>> WatchRegistry::by_path() const {
  std::map<std::string, std::vector<WatcherId>> out;
  for (const auto& [path, at] : table_) {
    for (const Entry& e : at.entries) {
      if (e.data != Mode::kNone) out[path].push_back(e.watcher);
    }
  }
  for (auto& [path, watchers] : out) std::sort(watchers.begin(), watchers.end());
  return out;
}

}  // namespace paddock::state
