#pragma once
// The client's table of watches, keyed by client path (chroot removed): which callbacks a
// server notification fires, which a removeWatches removes, and what SetWatches2 re-arms
// after a reconnect. Pure and single-threaded: the session's I/O thread owns it. The rules
// are the Java client's (ZKWatchManager in 3.8):
// - NodeCreated / NodeDataChanged: the path's data and exist watches (one-shot), its
//   persistent watches, and the recursive watches on the path and every ancestor;
// - NodeChildrenChanged: the path's child watches (one-shot) and its persistent watches,
//   never recursive ones;
// - NodeDeleted: the path's data, exist and child watches, persistent and recursive ones.
// Each registration fires once per event: a callback registered twice is called twice.
#include <map>
#include <string>
#include <vector>

#include "client/types.h"

namespace paddock::client {

enum class WatchKind { kData, kExist, kChild, kPersistent, kPersistentRecursive };

class WatchRegistry {
 public:
  void add(WatchKind kind, const std::string& path, Watcher watcher);

  // The callbacks a server notification fires, in the order data, exist, child,
  // persistent, recursive; one-shot watches are removed from the table.
  std::vector<Watcher> materialize(EventType type, const std::string& path);

  struct Removed {
    std::vector<Watcher> data;        // get DataWatchRemoved
    std::vector<Watcher> child;       // get ChildWatchRemoved
    std::vector<Watcher> persistent;  // get PersistentWatchRemoved
    bool empty() const { return data.empty() && child.empty() && persistent.empty(); }
  };
  // removeWatches(path, type): Children removes child and persistent watches; Data removes
  // data, exist and persistent watches; Any removes all of them (recursive ones included).
  Removed remove(const std::string& path, WatcherType type);
  // Whether remove(path, type) would remove anything.
  bool contains(const std::string& path, WatcherType type) const;

  // Every watch, for SetWatches2 (client paths; the caller applies the chroot).
  struct Paths {
    std::vector<std::string> data, exist, child, persistent, recursive;
  };
  Paths paths() const;

  // Removes and returns every callback (session expired): each gets the Expired event once.
  std::vector<Watcher> clear();

  size_t size() const;
  bool empty() const { return size() == 0; }

 private:
  using Table = std::map<std::string, std::vector<Watcher>, std::less<>>;
  Table& table(WatchKind kind);
  static void take(Table& t, const std::string& path, std::vector<Watcher>& out);
  static void copy(const Table& t, const std::string& path, std::vector<Watcher>& out);

  Table data_, exist_, child_, persistent_, recursive_;
};

}  // namespace paddock::client
