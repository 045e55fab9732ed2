#pragma once
// A counting semaphore with leases (Curator's InterProcessSemaphoreV2): at most
// `max_leases` leases are out at once across all clients. A lease is an ephemeral
// sequential node under `dir/leases`, so a holder that dies returns its lease when its
// session ends.
//
// acquire() takes an ExclusiveLock on `dir/locks` first, creates its lease node, and -- if
// more than `max_leases` exist -- waits, still holding the lock, for a child change of
// `dir/leases`. Only the lock holder ever waits on the leases, so a returned lease wakes one
// client, and waiters are served in order.
//
//   Semaphore sem(client, "/pools/db", 3);
//   if (auto lease = sem.acquire(5s); lease.ok() && lease.value()) { ...; }  // returned at scope
//   end
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "client/recipes/armed_watch.h"
#include "client/recipes/exclusive_lock.h"
#include "client/recipes/wake_signal.h"

namespace paddock::client::recipes {

class Lease {
 public:
  Lease(Client& client, std::string path) : client_(&client), path_(std::move(path)) {}
  Lease(Lease&& other) noexcept : client_(other.client_), path_(std::move(other.path_)) {
    other.path_.clear();
  }
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  // release()
  ~Lease();
  // Deletes the lease node (once).
  Result<Empty> release();
  const std::string& path() const { return path_; }

 private:
  Client* client_;
  std::string path_;
};

class Semaphore {
 public:
  Semaphore(Client& client, std::string dir, int max_leases);
  // A lease, or nullopt at the timeout (negative: wait forever).
  // Thread-safe: concurrent calls take turns (a turn not reached by the timeout: no lease).
  Result<std::optional<Lease>> acquire(std::chrono::milliseconds timeout);
  // Watch notifications acquire() has received (one per change of the leases it waited on).
  uint64_t watch_notifications() const { return signal_->notifications(); }

 private:
  Client& client_;
  const std::string leases_;
  const int max_leases_;
  ExclusiveLock lock_;
  std::shared_ptr<WakeSignal> signal_ = WakeSignal::make();
  ArmedWatch watch_;  // the children watch on leases_
  // One acquire() at a time; others wait their turn. A flag and a condition variable rather
  // than std::timed_mutex: GCC 12's ThreadSanitizer does not see its try_lock_until
  // (pthread_mutex_clocklock) and reports the unlock as one of an unlocked mutex.
  std::mutex turn_mu_;
  std::condition_variable turn_cv_;
  bool turn_taken_ = false;
};

}  // namespace paddock::client::recipes
