#include "client/recipes/distributed_queue.h"

namespace paddock::client::recipes {
namespace {
constexpr const char* kItem = "qn-";
}  // namespace

DistributedQueue::DistributedQueue(Client& client, std::string dir)
    : client_(client), dir_(std::move(dir)), claims_(join_path(dir_, "claims")) {}

Result<std::string> DistributedQueue::offer(const std::string& data) {
  return protected_create(client_, dir_, kItem, data, CreateMode::kPersistentSequential,
                          deadline_after(std::chrono::seconds(30)));
}

Result<size_t> DistributedQueue::size() {
  auto kids = retry_on_loss(client_, deadline_after(std::chrono::seconds(30)),
                            [&] { return client_.get_children(dir_).get(); });
  if (kids.code() == Err::kNoNode) return size_t{0};
  if (!kids) return Result<size_t>(kids.code(), kids.path());
  return sort_by_sequence(kids.value(), {kItem}).size();
}

Result<std::optional<std::string>> DistributedQueue::peek() {
  using R = Result<std::optional<std::string>>;
  const Deadline deadline = deadline_after(std::chrono::seconds(30));
  while (true) {
    auto kids = retry_on_loss(client_, deadline, [&] { return client_.get_children(dir_).get(); });
    if (kids.code() == Err::kNoNode) return std::optional<std::string>();
    if (!kids) return R(kids.code(), kids.path());
    auto sorted = sort_by_sequence(kids.value(), {kItem});
    if (sorted.empty()) return std::optional<std::string>();
    auto d = retry_on_loss(client_, deadline,
                           [&] { return client_.get_data(join_path(dir_, sorted[0])).get(); });
    if (d.ok()) return std::optional<std::string>(d.value().data.value_or(""));
    if (d.code() != Err::kNoNode) return R(d.code(), d.path());
  }
}

Result<std::optional<std::string>> DistributedQueue::take(std::chrono::milliseconds timeout) {
  using R = Result<std::optional<std::string>>;
  const Deadline deadline = deadline_after(timeout);
  if (!claims_ready_) {
    auto made = ensure_path(client_, claims_, deadline_after(std::chrono::seconds(30)));
    if (!made.ok()) return R(made.code(), made.path());
    claims_ready_ = true;
  }
  while (true) {
    // Read before the listing: a change after it, seen by an armed watch, must wake us.
    uint64_t seen = signal_->generation();
    auto got = take_one(deadline);
    if (!got.ok() || got.value().has_value()) return got;
    // Empty: wait for a child change, unless an item came meanwhile. At most one child watch
    // of this object is armed at a time (ArmedWatch), so takes that find the queue empty
    // again and again do not pile watchers up.
    ArmedWatch::Ticket ticket = watch_.arm(dir_, signal_->watcher());
    if (ticket.watcher) {
      auto kids = retry_on_loss(
          client_, deadline, [&] { return client_.get_children(dir_, ticket.watcher).get(); });
      if (!kids) {
        ticket.disarm();  // a failed getChildren registers no watch
        return R(kids.code(), kids.path());
      }
      if (!sort_by_sequence(kids.value(), {kItem}).empty()) continue;
    }
    if (!signal_->wait_past(seen, deadline)) return std::optional<std::string>();
  }
}

Result<std::optional<std::string>> DistributedQueue::take_one(Deadline deadline) {
  using R = Result<std::optional<std::string>>;
  auto kids = retry_on_loss(client_, deadline, [&] { return client_.get_children(dir_).get(); });
  if (!kids) return R(kids.code(), kids.path());
  for (const auto& name : sort_by_sequence(kids.value(), {kItem})) {
    const std::string item = join_path(dir_, name);
    // Items never change, so the data read before the claim is the item's.
    auto d = retry_on_loss(client_, deadline, [&] { return client_.get_data(item).get(); });
    if (d.code() == Err::kNoNode) continue;  // another taker was first
    if (!d) return R(d.code(), d.path());
    auto mine = claim(item, deadline);
    if (!mine) return R(mine.code(), mine.path());
    if (mine.value()) return std::optional<std::string>(d.value().data.value_or(""));
  }
  return std::optional<std::string>();
}

Result<bool> DistributedQueue::claim(const std::string& item, Deadline deadline) {
  const std::string ticket = join_path(claims_, random_guid());
  Transaction txn;
  txn.remove(item).create(ticket, std::string(), {.mode = CreateMode::kEphemeral});
  auto r = client_.multi(txn).get();
  if (r.ok()) {
    retry_on_loss(client_, deadline, [&] { return client_.remove(ticket).get(); });
    return true;
  }
  if (r.code() == Err::kNoNode && r.path() == ticket) {
    // The claims node went (someone deleted it): make it again and try this item again.
    auto made = ensure_path(client_, claims_, deadline);
    if (!made.ok()) return Result<bool>(made.code(), made.path());
    return claim(item, deadline);
  }
  if (r.code() == Err::kNoNode) return false;  // the item was taken by someone else
  if (r.code() != Err::kConnectionLoss) return Result<bool>(r.code(), r.path());
  // Outcome unknown: the claim (ephemeral, ours alone) exists iff the multi was applied.
  auto seen = retry_on_loss(client_, deadline, [&] { return client_.exists(ticket).get(); });
  if (!seen) return Result<bool>(seen.code(), seen.path());
  if (!seen.value()) return false;
  retry_on_loss(client_, deadline, [&] { return client_.remove(ticket).get(); });
  return true;
}

}  // namespace paddock::client::recipes
