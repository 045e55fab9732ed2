#pragma once
// The protocol every lock-like recipe shares (ExclusiveLock, ReadWriteLock, Semaphore's
// internal lock): each contender creates an ephemeral sequential node under the lock's
// directory (in protected mode), then, in sequence order, waits for the deletion of the one
// node a rule names -- for an exclusive lock its immediate predecessor -- with a data watch
// on that node alone. A release deletes one node and so wakes only the contenders watching
// it (no herd effect).
//
// One object is one contender: held(), node() and cancel() from any thread; a second acquire()
// while one runs on another thread answers kBadArguments at once.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/recipes/armed_watch.h"
#include "client/recipes/sequential_nodes.h"
#include "client/recipes/wake_signal.h"

namespace paddock::client::recipes {

class LockCore {
 public:
  // The node a contender at index `mine` of `sorted` (the lock's nodes in sequence order)
  // must see deleted before it may hold the lock; nullopt: it holds it now.
  using WaitRule = std::function<std::optional<std::string>(const std::vector<std::string>& sorted,
                                                            size_t mine)>;

  // `prefix` is this contender's node name ("lock-", "read-"); `markers` are the name parts
  // of every node that takes part in the ordering.
  LockCore(Client& client, std::string dir, std::string prefix, std::vector<std::string> markers,
           WaitRule rule);
  LockCore(const LockCore&) = delete;
  LockCore& operator=(const LockCore&) = delete;

  // Blocks until the lock is held (true) or the timeout passed (false; the node is deleted).
  // A negative timeout waits forever. Errors: kBadArguments if already held or another
  // acquire() of this object is running; kSessionExpired
  // (and the other session-ending codes) if the session ended; kConnectionLoss if the
  // connection could not be restored before the deadline.
  Result<bool> acquire(std::chrono::milliseconds timeout, NodeData data = std::string());
  // Makes a running acquire() (on another thread) give up at once, even while it waits for the
  // connection: it deletes its node and answers false (also when the lock came free
  // meanwhile). With no acquire running, the next one answers false at once (so a cancel
  // racing with the start of an acquire is not lost); either way the cancel is used up.
  void cancel();
  // Deletes the node. The lock is free even if the delete failed for a lost session.
  Result<Empty> release();

  bool held() const { return held_.load(); }
  // This contender's node path (empty when not holding or waiting).
  std::string node() const;
  // Watch notifications this contender has received (one per predecessor it waited for).
  uint64_t watch_notifications() const { return signal_->notifications(); }

 private:
  // One round: true = held, false = wait armed on a predecessor, error otherwise.
  Result<bool> check(Deadline deadline, uint64_t* generation, const StopPredicate& stop);
  void forget_node();

  Client& client_;
  const std::string dir_, prefix_;
  const std::vector<std::string> markers_;
  const WaitRule rule_;
  std::shared_ptr<WakeSignal> signal_ = WakeSignal::make();
  mutable std::mutex mu_;
  std::string node_;  // guarded by mu_
  std::atomic<bool> held_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> acquiring_{false};  // an acquire() is running
  ArmedWatch watch_;  // on the predecessor waited for
};

}  // namespace paddock::client::recipes
