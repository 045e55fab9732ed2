#include "client/recipes/lock_core.h"

#include <algorithm>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {

LockCore::LockCore(Client& client, std::string dir, std::string prefix,
                   std::vector<std::string> markers, WaitRule rule)
    : client_(client),
      dir_(std::move(dir)),
      prefix_(std::move(prefix)),
      markers_(std::move(markers)),
      rule_(std::move(rule)) {}

std::string LockCore::node() const {
  std::lock_guard<std::mutex> lock(mu_);
  return node_;
}

void LockCore::forget_node() {
  std::lock_guard<std::mutex> lock(mu_);
  node_.clear();
}

Result<bool> LockCore::acquire(std::chrono::milliseconds timeout, NodeData data) {
  // One acquire at a time: the check of held_/node_ below and the create after it are not
  // atomic, so a second concurrent acquire is turned away here.
  if (acquiring_.exchange(true)) return Result<bool>(Err::kBadArguments, dir_);
  struct Done {
    std::atomic<bool>& flag;
    ~Done() { flag = false; }
  } done{acquiring_};
  if (held_ || !node().empty()) return Result<bool>(Err::kBadArguments, dir_);
  // A cancel made while no acquire ran answers this one (and is used up by it).
  if (cancelled_.exchange(false)) return false;
  Deadline deadline = deadline_after(timeout);
  const StopPredicate stop = [this] { return cancelled_.load(); };
  auto created = protected_create(client_, dir_, prefix_, std::move(data),
                                  CreateMode::kEphemeralSequential, deadline, stop);
  if (!created) {
    if (cancelled_.exchange(false)) return false;
    return Result<bool>(created.code(), created.path());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    node_ = created.value();
  }
  while (true) {
    uint64_t generation = 0;
    auto r = check(deadline, &generation, stop);
    // A cancel that came meanwhile wins even when the lock is free: the caller asked to stop.
    const bool cancelled = cancelled_.exchange(false);
    if (r.ok() && r.value() && !cancelled) {
      held_ = true;
      return true;
    }
    if (r.ok() && !r.value() && !cancelled && signal_->wait_past(generation, deadline) &&
        !cancelled_.load())
      continue;
    cancelled_ = false;
    // Timed out, cancelled or failed: give the slot up so no one waits behind it. After 5 s
    // (e.g. cancelled while disconnected) the delete goes on in the background.
    delete_own_node(client_, node(), deadline_after(std::chrono::seconds(5)));
    forget_node();
    return r.ok() || cancelled ? Result<bool>(false) : r;
  }
}

Result<bool> LockCore::check(Deadline deadline, uint64_t* generation,
                             const StopPredicate& stop) {
  const std::string mine_path = node();
  const std::string mine = mine_path.substr(mine_path.rfind('/') + 1);
  while (true) {
    auto kids = retry_on_loss(
        client_, deadline, [&] { return client_.get_children(dir_).get(); }, stop);
    if (!kids) return Result<bool>(kids.code(), kids.path());
    auto sorted = sort_by_sequence(kids.value(), markers_);
    auto it = std::find(sorted.begin(), sorted.end(), mine);
    // Our node is gone: the session that owned it ended (or someone deleted it).
    if (it == sorted.end()) return Result<bool>(Err::kNoNode, mine_path);
    auto wait_for = rule_(sorted, static_cast<size_t>(it - sorted.begin()));
    if (!wait_for) return true;
    // Read with a watch: a watch is left only on a node that exists (exists() would leave
    // one on an absent node). One armed watch per predecessor (ArmedWatch): an acquire that
    // timed out left its watcher registered, and a later one waiting for the same node adds
    // none. The generation is read first, so a watch that fires after it still wakes the wait.
    *generation = signal_->generation();
    const std::string pred = join_path(dir_, *wait_for);
    ArmedWatch::Ticket ticket = watch_.arm(pred, signal_->watcher());
    auto r = retry_on_loss(
        client_, deadline, [&] { return client_.get_data(pred, ticket.watcher).get(); }, stop);
    if (!r.ok()) ticket.disarm();  // a failed getData registers no watch
    if (r.ok()) return false;
    if (r.code() != Err::kNoNode) return Result<bool>(r.code(), r.path());
    // The predecessor went between the listing and the read: look again.
  }
}

void LockCore::cancel() {
  cancelled_ = true;
  signal_->notify();
}

Result<Empty> LockCore::release() {
  std::string mine = node();
  if (mine.empty()) return Result<Empty>(Err::kBadArguments, dir_);
  held_ = false;
  // node_ stays until the delete is done (or handed to the background delete), so it is
  // never forgotten while it may still exist.
  auto r = retry_on_loss(client_, deadline_after(std::chrono::seconds(30)),
                         [&] { return client_.remove(mine).get(); });
  if (r.code() == Err::kConnectionLoss) delete_in_background(client_, mine);
  forget_node();
  if (r.ok() || r.code() == Err::kNoNode) return Empty{};
  return r;
}

}  // namespace paddock::client::recipes
