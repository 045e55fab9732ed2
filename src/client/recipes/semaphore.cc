#include "client/recipes/semaphore.h"

#include <algorithm>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
namespace {
constexpr const char* kLease = "lease-";
}  // namespace

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    client_ = other.client_;
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

Lease::~Lease() { release(); }

Result<Empty> Lease::release() {
  if (path_.empty()) return Empty{};
  std::string path = std::move(path_);
  path_.clear();
  // Past kCallTimeout the delete goes on in the background: a lease whose delete failed
  // would hold a slot for the rest of the session.
  if (delete_own_node(*client_, path, deadline_after(kCallTimeout))) return Empty{};
  return Result<Empty>(Err::kConnectionLoss, path);
}

Semaphore::Semaphore(Client& client, std::string dir, int max_leases)
    : client_(client),
      leases_(join_path(dir, "leases")),
      max_leases_(max_leases),
      lock_(client, join_path(dir, "locks")) {}

Result<std::optional<Lease>> Semaphore::acquire(std::chrono::milliseconds timeout) {
  using R = Result<std::optional<Lease>>;
  const Deadline deadline = deadline_after(timeout);
  // Concurrent acquires of one Semaphore take turns (they share lock_ and signal_); a turn
  // waited for past the deadline answers no lease.
  {
    std::unique_lock lock(turn_mu_);
    auto free = [this] { return !turn_taken_; };
    if (timeout.count() < 0) {
      turn_cv_.wait(lock, free);
    } else if (!turn_cv_.wait_until(lock, deadline, free)) {
      return std::optional<Lease>();
    }
    turn_taken_ = true;
  }
  struct TurnEnds {
    Semaphore& s;
    ~TurnEnds() {
      {
        std::lock_guard lock(s.turn_mu_);
        s.turn_taken_ = false;
      }
      s.turn_cv_.notify_one();
    }
  } turn_ends{*this};
  auto locked = lock_.acquire(timeout.count() < 0 ? timeout : until(deadline));
  if (!locked) return R(locked.code(), locked.path());
  if (!locked.value()) return std::optional<Lease>();
  auto made = protected_create(client_, leases_, kLease, std::string(),
                               CreateMode::kEphemeralSequential, deadline);
  if (!made) {
    lock_.release();
    return R(made.code(), made.path());
  }
  Lease lease(client_, made.value());
  const std::string mine = made.value().substr(made.value().rfind('/') + 1);
  while (true) {
    // One armed children watch at a time (ArmedWatch): a round that comes while the last
    // round's watch has not fired (woken by a stale notification, such as the one our own
    // lease's create fires on the watch a finished acquire left armed) lists without one.
    // The generation is read first, so a watch that fires after it still wakes the wait.
    uint64_t seen = signal_->generation();
    ArmedWatch::Ticket ticket = watch_.arm(leases_, signal_->watcher());
    auto kids = retry_on_loss(
        client_, deadline, [&] { return client_.get_children(leases_, ticket.watcher).get(); });
    if (!kids) {
      ticket.disarm();  // a failed getChildren registers no watch
      lock_.release();
      return R(kids.code(), kids.path());
    }
    auto sorted = sort_by_sequence(kids.value(), {kLease});
    if (std::find(sorted.begin(), sorted.end(), mine) == sorted.end()) {
      lock_.release();
      return R(Err::kNoNode, made.value());  // our lease went: the session ended
    }
    if (static_cast<int>(sorted.size()) <= max_leases_) break;
    if (!signal_->wait_past(seen, deadline)) {
      lease.release();
      lock_.release();
      return std::optional<Lease>();
    }
  }
  lock_.release();
  return std::optional<Lease>(std::move(lease));
}

}  // namespace paddock::client::recipes
