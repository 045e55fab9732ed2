#pragma once
// Leader latch (Curator's LeaderLatch): every participant keeps an ephemeral sequential
// "latch-" node under `dir` (protected mode, its id as the data); the one whose node is first
// is the leader; each other participant watches only its predecessor, so a leader's leaving
// wakes one participant.
//
//   SessionEvents events;
//   auto client = Client::open({.connect_string = cs, .session_watcher = events.watcher()});
//   LeaderLatch latch(**client, events, "/election", "node-1",
//                     {.is_leader = [] { ... }, .not_leader = [] { ... }});
//   latch.start();
//
// Leadership is lost -- not_leader runs -- when the connection drops (Disconnected: this
// process cannot know whether its session still lives; Curator's SUSPENDED), when the session
// ends (Expired, Closed) and on close(). After a reconnect within the session the latch looks
// again and, its node still first, is leader again. After expiry the latch is finished: make
// a new client and a new latch.
//
// The callbacks run on the latch's own thread, one at a time, alternating (is_leader first).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/recipes/armed_watch.h"
#include "client/recipes/session_events.h"
#include "client/recipes/wake_signal.h"

namespace paddock::client::recipes {

struct LeadershipListener {
  std::function<void()> is_leader;
  std::function<void()> not_leader;
};

class LeaderLatch {
 public:
  LeaderLatch(Client& client, SessionEvents& events, std::string dir, std::string id,
              LeadershipListener listener = {});
  // close()
  ~LeaderLatch();
  LeaderLatch(const LeaderLatch&) = delete;
  LeaderLatch& operator=(const LeaderLatch&) = delete;

  // Joins in the background (creates the node, then follows the order).
  void start();
  // Leaves: stops the thread, deletes the node; a leader gets not_leader (on this thread).
  void close();

  bool has_leadership() const;
  // True once this participant leads (false at the timeout).
  bool await_leadership(std::chrono::milliseconds timeout) const;
  // The participants' ids in order: the first leads.
  Result<std::vector<std::string>> participants() const;
  const std::string& id() const { return id_; }
  // Watch notifications received (one each time its predecessor went).
  uint64_t watch_notifications() const { return wake_->notifications(); }

 private:
  void run();
  // One look at the order; false: retry after the connection is back.
  bool step();
  void set_leader(bool leader);
  void on_session(KeeperState state);

  Client& client_;
  SessionEvents& events_;
  const std::string dir_, id_;
  const LeadershipListener listener_;
  // Bumped by the predecessor's watch and by session events; the thread waits on it.
  std::shared_ptr<WakeSignal> wake_ = WakeSignal::make();
  uint64_t listener_id_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable leader_cv_;
  bool leader_ = false;
  bool connected_ = true;
  bool session_over_ = false;
  std::atomic<bool> stop_{false};
  // The latch thread only (and close() after joining it):
  std::string node_;
  ArmedWatch watch_;  // on the predecessor
  std::thread thread_;
};

}  // namespace paddock::client::recipes
