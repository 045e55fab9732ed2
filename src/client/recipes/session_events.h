#pragma once
// A fan-out of one client's session events (Disconnected, SyncConnected, Expired, Closed, ...)
// to every recipe that needs them. The client takes a single session watcher when it is
// opened; recipes that react to the connection (a leader latch gives up leadership when the
// connection is lost, a cache reloads after it comes back) subscribe here instead:
//
//   SessionEvents events;   // must outlive the client
//   auto client = Client::open({.connect_string = cs, .session_watcher = events.watcher()});
//   LeaderLatch latch(**client, events, "/election", {...});
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "client/types.h"

namespace paddock::client::recipes {

class SessionEvents {
 public:
  using Listener = std::function<void(KeeperState)>;

  SessionEvents() = default;
  SessionEvents(const SessionEvents&) = delete;
  SessionEvents& operator=(const SessionEvents&) = delete;

  // The watcher to pass as ClientOptions::session_watcher. Holds a pointer to this object.
  Watcher watcher();
  // Listeners run on the client's event thread, in the order they were added. After
  // remove() returns the listener is not running and never runs again.
  uint64_t add(Listener listener);
  void remove(uint64_t id);
  // The last session state seen (kSyncConnected before any event).
  KeeperState last() const;

 private:
  void dispatch(KeeperState state);

  // Recursive: a listener may add or remove listeners; held while listeners run so that
  // remove() waits for a running one.
  mutable std::recursive_mutex mu_;
  std::map<uint64_t, Listener> listeners_;
  uint64_t next_id_ = 1;
  KeeperState last_ = KeeperState::kSyncConnected;
};

}  // namespace paddock::client::recipes
