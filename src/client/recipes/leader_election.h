#pragma once
// Leader election with a leadership callback (Curator's LeaderSelector): participants queue
// on an ExclusiveLock under `dir`; the holder is the leader, and `lead` runs on the
// election's thread for as long as it leads. When `lead` returns, leadership is given up
// (the node is deleted, the next participant -- only it -- wakes) and, with `requeue`, this
// participant queues again.
//
// `lead` must return soon after leadership.lost() becomes true: the connection dropped
// (Disconnected: this process cannot know whether its node still exists; Curator interrupts
// the leader on SUSPENDED), the session ended, or close() was called.
//
//   LeaderElection election(client, events, "/election", [](const Leadership& l) {
//     while (!l.wait_lost(1s)) do_leader_work();
//   });
//   election.start();
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "client/recipes/exclusive_lock.h"
#include "client/recipes/session_events.h"

namespace paddock::client::recipes {

// What `lead` is given: whether leadership was lost meanwhile.
class Leadership {
 public:
  bool lost() const;
  // True when lost within `timeout`.
  bool wait_lost(std::chrono::milliseconds timeout) const;

 private:
  friend class LeaderElection;
  void set_lost(bool lost);
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool lost_ = false;
};

class LeaderElection {
 public:
  using Lead = std::function<void(const Leadership&)>;
  LeaderElection(Client& client, SessionEvents& events, std::string dir, Lead lead,
                 bool requeue = true);
  // close()
  ~LeaderElection();
  LeaderElection(const LeaderElection&) = delete;
  LeaderElection& operator=(const LeaderElection&) = delete;

  void start();
  // Marks leadership lost, stops queueing, waits for `lead` to return and leaves.
  void close();
  bool is_leader() const { return leading_.load(); }
  // Times `lead` has been called.
  uint64_t terms() const { return terms_.load(); }

 private:
  void run();

  Client& client_;
  SessionEvents& events_;
  ExclusiveLock lock_;
  const Lead lead_;
  const bool requeue_;
  Leadership leadership_;
  uint64_t listener_id_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> leading_{false};
  std::atomic<uint64_t> terms_{0};
  std::thread thread_;
};

}  // namespace paddock::client::recipes
