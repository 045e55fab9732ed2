#pragma once
// A distributed mutual-exclusion lock (ZooKeeper's lock recipe; Curator's InterProcessMutex
// without reentrancy). Contenders queue as ephemeral sequential nodes under `dir`; each
// watches only its predecessor, so a release wakes exactly one waiter.
//
//   ExclusiveLock lock(client, "/locks/printer");
//   if (lock.acquire(5s).value()) { ...; lock.release(); }
//
// Session expiry deletes the node: the lock is then no longer held, whatever held() says
// until release(). Watch session events (SessionEvents) if holding it matters.
#include <chrono>
#include <string>

#include "client/recipes/lock_core.h"

namespace paddock::client::recipes {

class ExclusiveLock {
 public:
  ExclusiveLock(Client& client, std::string dir);

  // True when held, false after `timeout` (negative: wait forever). See LockCore::acquire.
  Result<bool> acquire(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) {
    return core_.acquire(timeout);
  }
  // Makes an acquire() running on another thread give up (see LockCore::cancel).
  void cancel() { core_.cancel(); }
  Result<Empty> release() { return core_.release(); }
  bool held() const { return core_.held(); }
  std::string node() const { return core_.node(); }
  uint64_t watch_notifications() const { return core_.watch_notifications(); }
  // The contender itself (the interface ReadWriteLock's sides share).
  LockCore& core() { return core_; }

 private:
  LockCore core_;
};

// Holds an ExclusiveLock for a scope; acquired() says whether it did.
class ScopedLock {
 public:
  ScopedLock(ExclusiveLock& lock, std::chrono::milliseconds timeout) : lock_(lock) {
    auto r = lock_.acquire(timeout);
    acquired_ = r.ok() && r.value();
  }
  ~ScopedLock() {
    if (acquired_) lock_.release();
  }
  ScopedLock(const ScopedLock&) = delete;
  ScopedLock& operator=(const ScopedLock&) = delete;
  bool acquired() const { return acquired_; }

 private:
  ExclusiveLock& lock_;
  bool acquired_ = false;
};

}  // namespace paddock::client::recipes
