#include "client/recipes/barrier.h"

#include <algorithm>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
namespace {
constexpr const char* kReady = "ready";
}  // namespace

Barrier::Barrier(Client& client, std::string path) : client_(client), path_(std::move(path)) {}

Result<Empty> Barrier::set() {
  const Deadline deadline = deadline_after(kCallTimeout);
  if (auto made = ensure_path(client_, path_.substr(0, path_.rfind('/')), deadline); !made.ok())
    return made;
  auto r =
      retry_on_loss(client_, deadline, [&] { return client_.create(path_, std::string()).get(); });
  if (r.ok() || r.code() == Err::kNodeExists) return Empty{};
  return Result<Empty>(r.code(), r.path());
}

Result<Empty> Barrier::remove() {
  auto r = retry_on_loss(client_, deadline_after(kCallTimeout),
                         [&] { return client_.remove(path_).get(); });
  if (r.ok() || r.code() == Err::kNoNode) return Empty{};
  return r;
}

Result<bool> Barrier::wait(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_after(timeout);
  while (true) {
    uint64_t seen = signal_->generation();
    // get_data, not exists: no watch is left behind when the barrier is already down.
    auto r = retry_on_loss(client_, deadline,
                           [&] { return client_.get_data(path_, signal_->watcher()).get(); });
    if (r.code() == Err::kNoNode) return true;
    if (!r) return Result<bool>(r.code(), r.path());
    if (!signal_->wait_past(seen, deadline)) return false;
  }
}

DoubleBarrier::DoubleBarrier(Client& client, std::string dir, int member_count)
    : client_(client),
      dir_(std::move(dir)),
      ready_(join_path(dir_, kReady)),
      mine_(join_path(dir_, random_guid())),
      member_count_(member_count) {}

Result<bool> DoubleBarrier::enter(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_after(timeout);
  if (auto made = ensure_path(client_, dir_, deadline); !made.ok())
    return Result<bool>(made.code(), made.path());
  uint64_t seen = signal_->generation();
  // The watch on "ready" goes first, so its creation cannot slip past.
  auto ready = retry_on_loss(client_, deadline,
                             [&] { return client_.exists(ready_, signal_->watcher()).get(); });
  if (!ready) return Result<bool>(ready.code(), ready.path());
  // The name is fixed per object, so a retried create after a loss finds its own node.
  auto made = retry_on_loss(client_, deadline, [&] {
    return client_.create(mine_, std::string(), {.mode = CreateMode::kEphemeral}).get();
  });
  if (!made.ok() && made.code() != Err::kNodeExists) return Result<bool>(made.code(), made.path());
  if (ready.value()) return true;
  auto kids = retry_on_loss(client_, deadline, [&] { return client_.get_children(dir_).get(); });
  if (!kids) return Result<bool>(kids.code(), kids.path());
  const auto& names = kids.value();
  const long entered =
      static_cast<long>(names.size()) - std::count(names.begin(), names.end(), kReady);
  if (entered >= member_count_) {
    auto r = retry_on_loss(client_, deadline,
                           [&] { return client_.create(ready_, std::string()).get(); });
    if (r.ok() || r.code() == Err::kNodeExists) return true;
    return Result<bool>(r.code(), r.path());
  }
  while (signal_->wait_past(seen, deadline)) {
    // Woken: "ready" was created (or the session ended, which also fires watches).
    seen = signal_->generation();
    auto again = retry_on_loss(client_, deadline,
                               [&] { return client_.exists(ready_, signal_->watcher()).get(); });
    if (!again) return Result<bool>(again.code(), again.path());
    if (again.value()) return true;
  }
  retry_on_loss(client_, deadline_after(kCallTimeout), [&] { return client_.remove(mine_).get(); });
  return false;
}

Result<bool> DoubleBarrier::leave(std::chrono::milliseconds timeout) {
  const Deadline deadline = deadline_after(timeout);
  const std::string me = mine_.substr(mine_.rfind('/') + 1);
  while (true) {
    auto kids = retry_on_loss(client_, deadline, [&] { return client_.get_children(dir_).get(); });
    if (!kids) return Result<bool>(kids.code(), kids.path());
    std::vector<std::string> left;
    for (auto& k : kids.value()) {
      if (k != kReady) left.push_back(k);
    }
    std::sort(left.begin(), left.end());
    const bool present = std::find(left.begin(), left.end(), me) != left.end();
    if (left.empty() || (left.size() == 1 && present)) {
      if (present) retry_on_loss(client_, deadline, [&] { return client_.remove(mine_).get(); });
      // The last one out takes "ready" down for the next round.
      retry_on_loss(client_, deadline, [&] { return client_.remove(ready_).get(); });
      return true;
    }
    std::string wait_for;
    if (present && left.front() == me) {
      wait_for = left.back();
    } else {
      if (present) {
        auto r = retry_on_loss(client_, deadline, [&] { return client_.remove(mine_).get(); });
        if (!r.ok() && r.code() != Err::kNoNode) return Result<bool>(r.code(), r.path());
      }
      wait_for = left.front();
    }
    uint64_t seen = signal_->generation();
    auto r = retry_on_loss(client_, deadline, [&] {
      return client_.get_data(join_path(dir_, wait_for), signal_->watcher()).get();
    });
    if (r.code() == Err::kNoNode) continue;
    if (!r) return Result<bool>(r.code(), r.path());
    if (!signal_->wait_past(seen, deadline)) return false;
  }
}

}  // namespace paddock::client::recipes
