#pragma once
// WatchRegistry: which client connections watch which paths, and which events they get
// when a txn changes the tree, with Apache ZooKeeper 3.8's rules. Pure and single-threaded.
//
// Like ZooKeeper it keeps two tables, one for data watches (getData/exists, and every
// addWatch watch) and one for child watches (getChildren, and persistent non-recursive
// addWatch watches); each (watcher, path) pair has one mode per table.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "proto/types.h"

namespace paddock::state {

using WatcherId = uint64_t;  // the client connection that set the watch

struct WatchEvent {
  WatcherId watcher = 0;
  proto::EventType type = proto::EventType::kNone;
  proto::KeeperState state = proto::KeeperState::kSyncConnected;
  std::string path;
  friend bool operator==(const WatchEvent&, const WatchEvent&) = default;
};

enum class WatchKind { kData, kChild, kPersistent, kPersistentRecursive };  // exists() sets kData

class WatchRegistry {
 public:
  void add(const std::string& path, WatcherId watcher, WatchKind kind);
  // Fires `type` at `path` with ZooKeeper 3.8's rules and appends the events to `out`.
  // NodeDeleted fires data and child watches on the path, one event per watcher.
  void trigger(const std::string& path, proto::EventType type, std::vector<WatchEvent>& out);
  // checkWatches / removeWatches with WatcherType Children/Data/Any: true if something
  // matched; removes it when `remove` is true.
  bool remove(const std::string& path, WatcherId watcher, proto::WatcherType type, bool remove);
  bool has_watch(const std::string& path, WatcherId watcher, WatchKind kind) const;
  void remove_watcher(WatcherId watcher);  // the connection closed

  // Counts as ZooKeeper reports them (wchs, mntr): a watch is one (table, path, watcher)
  // entry, so a persistent addWatch counts twice (data and child table).
  size_t watch_count() const;
  size_t path_count() const;     // distinct watched paths
  size_t watcher_count() const;  // distinct connections with at least one watch
  std::map<WatcherId, std::vector<std::string>> by_watcher() const;  // wchc
  std::map<std::string, std::vector<WatcherId>> by_path() const;     // wchp

 private:
  enum class Mode : uint8_t { kNone, kStandard, kPersistent, kRecursive };
  struct Entry {
    WatcherId watcher = 0;
    Mode data = Mode::kNone;   // mode in the data table
    Mode child = Mode::kNone;  // mode in the child table
  };
  struct Fired;  // watchers already notified in one trigger (one event per watcher)

  std::vector<Entry>* entries(const std::string& path);
  void collect_at_path(const std::string& path, proto::EventType type, bool data_table,
                       bool child_table, Fired& fired);
  void collect_recursive(std::string_view path, proto::EventType type, Fired& fired);
  void erase_if_empty(const std::string& path);

  // path -> the watchers on it (few per path, so a flat vector)
  std::unordered_map<std::string, std::vector<Entry>> table_;
  // watcher -> the paths it watches, for remove_watcher and wchc
  std::unordered_map<WatcherId, std::unordered_set<std::string>> paths_of_;
  size_t recursive_count_ = 0;  // recursive watches present: ancestors are walked only if > 0
  size_t entry_count_ = 0;      // (table, path, watcher) entries
};

}  // namespace paddock::state
