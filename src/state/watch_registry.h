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

// Where a piecewise walk of the data watches stopped (WatchRegistry::walk_data_watches).
struct DataWatchWalk {
  size_t next_bucket = 0;
  size_t bucket_count = 0;  // the table's bucket count when the walk (re)started
  bool done = false;
};
using DataWatchVisitor = std::function<void(const std::string& path, WatcherId watcher)>;

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
  // All of them are kept as the tables change: O(1), whatever the number of watches.
  size_t watch_count() const { return data_entries_ + child_entries_; }
  size_t data_watch_count() const { return data_entries_; }  // wchs "Total watches"
  size_t path_count() const { return data_paths_; }          // paths with a data-table watch
  size_t watcher_count() const { return data_watchers_; }    // connections with one
  // The whole data table at once (tests; the server lists watches with walk_data_watches).
  std::map<WatcherId, std::vector<std::string>> by_watcher() const;  // wchc
  std::map<std::string, std::vector<WatcherId>> by_path() const;     // wchp

  // Lists the data-table watches (wchc, wchp) a piece at a time, so that a listing of a
  // million watches never holds the owning thread for long: each call visits the watches
  // of whole hash buckets from where `walk` stopped, until at least `max_entries` were
  // visited (a piece ends at a bucket boundary: the last bucket's few paths, each with at
  // most one watch per connection, may add some), and sets walk.done at the end. Between calls the
  // table may change: a watch present throughout is visited at least once -- a rehash restarts the
  // walk, so some may be visited twice (the caller merges pieces as a set) -- and changes made
  // meanwhile may or may not be seen, as with ZooKeeper's own iteration of its watch tables.
  void walk_data_watches(DataWatchWalk& walk, size_t max_entries,
                         const DataWatchVisitor& visit) const;

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
  struct PathWatchers {
    std::vector<Entry> entries;  // few per path, so a flat vector
    size_t data_watchers = 0;    // entries with a data-table mode
  };
  struct WatcherPaths {
    std::unordered_set<std::string> paths;  // where it has an entry, for remove_watcher
    size_t data_watches = 0;                // of them, entries with a data-table mode
  };
  using Table = std::unordered_map<std::string, PathWatchers, StringHash, std::equal_to<>>;

  void set_mode(Mode& slot, Mode mode, bool data_table, PathWatchers& at, WatcherId watcher);
  void count_data_watch(PathWatchers& at, WatcherId watcher, int delta);
  void fire_table(const std::string& path, proto::EventType type, bool data_table, Fired& fired);
  // Fires the entries at one path of one table; drops one-shot watches that fired.
  void fire_at(Table::iterator it, bool exact_path, proto::EventType type, bool data_table,
               Fired& fired);
  void forget_path_of(WatcherId watcher, const std::string& path);

  Table table_;  // path -> the watchers on it
  std::unordered_map<WatcherId, WatcherPaths> paths_of_;
  // recursive watches per table: ancestors are walked only when there are some
  size_t data_recursive_ = 0;
  size_t child_recursive_ = 0;
  size_t data_entries_ = 0;
  size_t child_entries_ = 0;
  size_t data_paths_ = 0;     // paths with a data-table entry
  size_t data_watchers_ = 0;  // watchers with a data-table entry
};

}  // namespace paddock::state
