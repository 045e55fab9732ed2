#include "client/recipes/group_membership.h"

#include "client/recipes/armed_watch.h"
#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
GroupMember::GroupMember(Client& client, std::string dir, std::string id, std::string data)
    : client_(client), dir_(std::move(dir)), id_(std::move(id)), data_(std::move(data)) {}

std::string GroupMember::path() const { return join_path(dir_, id_); }

Result<Empty> GroupMember::join() {
  const Deadline deadline = deadline_after(kCallTimeout);
  if (auto made = ensure_path(client_, dir_, deadline); !made.ok()) return made;
  bool maybe_created = false;
  while (true) {
    auto r = client_.create(path(), data_, {.mode = CreateMode::kEphemeral}).get();
    if (r.ok()) return Empty{};
    if (r.code() == Err::kConnectionLoss) {
      maybe_created = true;
      if (!await_reconnect(client_, deadline)) return Result<Empty>(r.code(), r.path());
      continue;
    }
    if (r.code() == Err::kNodeExists && maybe_created) {
      auto st = retry_on_loss(client_, deadline, [&] { return client_.exists(path()).get(); });
      if (!st) return Result<Empty>(st.code(), st.path());
      if (!st.value()) continue;  // gone again: create it
      if (st.value()->ephemeral_owner == client_.session_id()) return Empty{};
    }
    return Result<Empty>(r.code(), r.path());
  }
}

Result<Empty> GroupMember::update(const std::string& data) {
  data_ = data;
  auto r = retry_on_loss(client_, deadline_after(kCallTimeout),
                         [&] { return client_.set_data(path(), data).get(); });
  if (!r) return Result<Empty>(r.code(), r.path());
  return Empty{};
}

Result<Empty> GroupMember::leave() {
  auto r = retry_on_loss(client_, deadline_after(kCallTimeout),
                         [&] { return client_.remove(path()).get(); });
  if (r.ok() || r.code() == Err::kNoNode) return Empty{};
  return r;
}

// Shared with the watchers, which may fire after the monitor is gone.
struct GroupMonitor::State : std::enable_shared_from_this<GroupMonitor::State> {
  State(Client& c, std::string d, OnChange cb)
      : client(c), dir(std::move(d)), on_change(std::move(cb)) {}

  // Lists the members with a fresh children watch. Runs on the event thread (from the
  // watch) or in start(); serialized by refresh_mu.
  Result<Empty> refresh() {
    std::lock_guard<std::mutex> serial(refresh_mu);
    if (stopped) return Empty{};
    std::weak_ptr<State> weak = shared_from_this();
    SyncClient zk(client);
    Members now;
    // One armed children watch at a time (ArmedWatch): the client re-arms it after a
    // reconnect, so a refresh after a blip must not register one more (they would pile up,
    // each firing a refresh).
    ArmedWatch::Ticket ticket = watch.arm(dir, [weak](const WatchEvent& e) {
      if (e.type == EventType::kNone) return;  // the session's end: nothing to re-arm
      if (auto s = weak.lock()) s->refresh();
    });
    try {
      std::vector<std::string> kids;
      try {
        kids = zk.get_children(dir, ticket.watcher);
      } catch (const KeeperException&) {
        ticket.disarm();  // a failed call registers no watch
        throw;
      }
      for (const auto& k : kids) {
        auto d = client_get(zk, join_path(dir, k));
        if (d) now[k] = *d;
      }
    } catch (const KeeperException& e) {
      // A connection loss: the next SyncConnected refreshes (the watch may be missing).
      std::lock_guard<std::mutex> lock(mu);
      stale = true;
      return Result<Empty>(e.code(), e.path());
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      stale = false;
      if (now == members && loaded) return Empty{};
      members = now;
      loaded = true;
    }
    cv.notify_all();
    // Under refresh_mu, which stop() takes after setting `stopped`: no call after stop().
    if (on_change && !stopped) on_change(now);
    return Empty{};
  }
  static std::optional<std::string> client_get(SyncClient& zk, const std::string& path) {
    try {
      return zk.get_data(path).data.value_or("");
    } catch (const KeeperException& e) {
      if (e.code() == Err::kNoNode) return std::nullopt;  // left meanwhile
      throw;
    }
  }

  Client& client;
  const std::string dir;
  const OnChange on_change;
  std::mutex refresh_mu;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  Members members;
  bool loaded = false;
  bool stale = false;
  std::atomic<bool> stopped{false};
  ArmedWatch watch;  // the children watch on `dir`
};

GroupMonitor::GroupMonitor(Client& client, SessionEvents& events, std::string dir,
                           OnChange on_change)
    : state_(std::make_shared<State>(client, std::move(dir), std::move(on_change))),
      events_(events) {}

GroupMonitor::~GroupMonitor() { stop(); }

Result<Empty> GroupMonitor::start() {
  if (auto made = ensure_path(state_->client, state_->dir, deadline_after(kCallTimeout));
      !made.ok())
    return made;
  std::weak_ptr<State> weak = state_;
  listener_id_ = events_.add([weak](KeeperState s) {
    auto st = weak.lock();
    if (!st || s != KeeperState::kSyncConnected) return;
    bool stale;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      stale = st->stale;
    }
    if (stale) st->refresh();
  });
  return retry_on_loss(state_->client, deadline_after(kCallTimeout),
                       [&] { return state_->refresh(); });
}

void GroupMonitor::stop() {
  if (listener_id_) events_.remove(listener_id_);
  listener_id_ = 0;
  state_->stopped = true;
  // Waits for a refresh running on another thread, so on_change is not called after this.
  std::lock_guard<std::mutex> wait_for_refresh(state_->refresh_mu);
}

GroupMonitor::Members GroupMonitor::members() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->members;
}

bool GroupMonitor::wait_for(const std::function<bool(const Members&)>& pred,
                            std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  return state_->cv.wait_for(lock, timeout, [&] { return pred(state_->members); });
}

}  // namespace paddock::client::recipes
