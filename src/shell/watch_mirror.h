#pragma once
// zkCli registers one watcher object (its "default watcher") for every -w and addWatch, so
// Java's watch manager, which keeps watchers in sets, calls it once per event however many
// of its watches the event matches (get -w twice, get -w plus addWatch, ...). Paddock's
// client library calls every registration, each its own callback, one after the other in
// one task on the event thread. WatchMirror keeps the count of the shell's registrations
// by kind and path, with the library's rules (client/watch_registry.h), so the shell prints
// an event once: the first callback of a task learns from the mirror how many calls of the
// same event follow, and those are skipped.
// Not thread-safe: used on the client's event thread only (and before any callback can run).
#include <map>
#include <string>

#include "client/types.h"

namespace paddock::shell {

class WatchMirror {
 public:
  enum class Kind { kData, kChild, kPersistent, kRecursive };  // kData covers exist watches

  // A registration the library made (after the call succeeded).
  void add(Kind kind, const std::string& path);
  // Before removewatches: the removal the library is about to apply (its events follow).
  void expect_removal(const std::string& path, client::WatcherType type);

  // Called by each of the shell's callbacks. True when this call is the first of the
  // library's calls for one event (print it), false for the repeats that follow.
  bool deliver(const client::WatchEvent& e);

  // Registrations the mirror believes exist (for tests).
  int count(Kind kind, const std::string& path) const;

 private:
  using Counts = std::map<std::string, int>;
  static int take(Counts& c, const std::string& path);
  static int peek(const Counts& c, const std::string& path);
  int recursive_matches(const std::string& path) const;
  void clear();

  Counts data_, child_, persistent_, recursive_;
  int skip_ = 0;  // calls of the current event still to come
  client::WatcherType removal_type_ = client::WatcherType::kAny;
};

}  // namespace paddock::shell
