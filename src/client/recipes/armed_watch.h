#pragma once
// At most one armed watch per waiting recipe object. A recipe that waits reads a node or a
// listing with a watch each round. A round that comes while the watch of an earlier round has
// not fired yet -- after a timed-out wait, a wake-up for another reason (a stale notification,
// a session event), or a refresh after a reconnect the client re-armed the watch for -- must
// not register one more watcher on the same path: the client's watch table would grow with
// every such round and each later change would notify the recipe once per stale watcher.
//
//   ArmedWatch::Ticket t = watch_.arm(path, signal_->watcher());
//   auto r = client.get_data(path, t.watcher).get();  // t.watcher empty: one is armed there
//   if (!r.ok()) t.disarm();                          // a failed read left no watch
//
// A sibling of WakeSignal (wake_signal.h): the signal says a watch fired, this says whether
// one is still armed.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "client/types.h"

namespace paddock::client::recipes {

class ArmedWatch {
 public:
  // What one read that may arm a watch carries.
  struct Ticket {
    // Pass it with the read. Empty when the watch armed last on the same path has not fired:
    // the read then registers nothing new (the armed one still wakes the recipe).
    Watcher watcher;
    // The read failed and so left no watch: the next arm() hands out a fresh watcher.
    void disarm() const {
      if (armed) armed->store(false);
    }
    std::shared_ptr<std::atomic<bool>> armed;  // null when `watcher` is empty
  };

  // A watcher for a read of `path` that runs `on_fire` once when it fires, or an empty one
  // (see Ticket). The new watch counts as armed from here on, not from the read's reply:
  // it may fire before the read returns, and then it must not count as armed.
  Ticket arm(const std::string& path, Watcher on_fire) {
    std::lock_guard<std::mutex> lock(mu_);
    if (path == path_ && armed_->load()) return Ticket{};
    auto armed = std::make_shared<std::atomic<bool>>(true);
    path_ = path;
    armed_ = armed;
    // The watcher holds only its own flag: it may run after the recipe object is gone.
    Watcher watcher = [armed, fire = std::move(on_fire)](const WatchEvent& e) {
      armed->store(false);
      if (fire) fire(e);
    };
    return Ticket{std::move(watcher), std::move(armed)};
  }

  // Whether a watch handed out by arm() for `path` has not fired (nor been disarmed) yet.
  bool armed_on(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mu_);
    return path == path_ && armed_->load();
  }

 private:
  mutable std::mutex mu_;
  std::string path_;  // the path of the last watch handed out
  std::shared_ptr<std::atomic<bool>> armed_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace paddock::client::recipes
