#pragma once
// WatchRegistry: which client connections watch which paths, and which events they get
// when a txn changes the tree, with Apache ZooKeeper 3.8's rules. Pure and single-threaded.
//
// Like ZooKeeper it keeps two tables, one for data watches (getData/exists, and every
// addWatch watch) and one for child watches (getChildren, and persistent non-recursive
// addWatch watches); each (watcher, path) pair has one mode per table.
#include <cstddef>
#include <cstdint>
#include <functional>
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
  // NodeCreated/NodeDataChanged: data table; NodeChildrenChanged: child table; NodeDeleted:
  // both, one event per watcher. One-shot watches that fire are removed.
  void trigger(const std::string& path, proto::EventType type, std::vector<WatchEvent>& out);
  // checkWatches / removeWatches with WatcherType Children/Data/Any: true if something
  // matched; removes it when `remove` is true.
  // ZooKeeper 3.8.0 quirk kept on purpose: the check (remove == false) is true when ANY
  // connection has a watch of that table on exactly `path`; removal matches `watcher` only.
  bool remove(const std::string& path, WatcherId watcher, proto::WatcherType type, bool remove);
  bool has_watch(const std::string& path, WatcherId watcher, WatchKind kind) const;
  void remove_watcher(WatcherId watcher);  // the connection closed

  // Counts as ZooKeeper reports them. watch_count (mntr zk_watch_count) counts every
  // (table, path, watcher) entry, so an addWatch counts twice (data and child table).
  // The rest describe the data table only, as wchs/wchc/wchp do in ZooKeeper 3.8.
  size_t watch_count() const { return data_entries_ + child_entries_; }
  size_t data_watch_count() const { return data_entries_; }  // wchs "Total watches"
  size_t path_count() const;     // distinct paths with a data-table watch
  size_t watcher_count() const;  // distinct connections with a data-table watch
  std::map<WatcherId, std::vector<std::string>> by_watcher() const;  // wchc
  std::map<std::string, std::vector<WatcherId>> by_path() const;     // wchp

 private:
  enum class Mode : uint8_t { kNone, kStandard, kPersistent, kRecursive };
  struct Entry {
    WatcherId watcher = 0;
    Mode data = Mode::kNone;   // mode in the data table
    Mode child = Mode::kNone;  // mode in the child table
  };
  struct Fired;  // events of one trigger, deduplicated by watcher
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Table = std::unordered_map<std::string, std::vector<Entry>, StringHash, std::equal_to<>>;

  void set_mode(Mode& slot, Mode mode, bool data_table);
  void fire_table(const std::string& path, proto::EventType type, bool data_table, Fired& fired);
  // Fires the entries at one path of one table; drops one-shot watches that fired.
  void fire_at(Table::iterator it, bool exact_path, proto::EventType type, bool data_table,
               Fired& fired);
  void forget_path_of(WatcherId watcher, const std::string& path);

  Table table_;  // path -> the watchers on it (few per path, so a flat vector)
  // watcher -> the paths where it has an entry, for remove_watcher
  std::unordered_map<WatcherId, std::unordered_set<std::string>> paths_of_;
  // recursive watches per table: ancestors are walked only when there are some
  size_t data_recursive_ = 0;
  size_t child_recursive_ = 0;
  size_t data_entries_ = 0;
  size_t child_entries_ = 0;
};

}  // namespace paddock::state
