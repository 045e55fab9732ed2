#include "client/recipes/leader_latch.h"

#include <algorithm>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
namespace {
constexpr const char* kPrefix = "latch-";
}  // namespace

LeaderLatch::LeaderLatch(Client& client, SessionEvents& events, std::string dir, std::string id,
                         LeadershipListener listener)
    : client_(client),
      events_(events),
      dir_(std::move(dir)),
      id_(std::move(id)),
      listener_(std::move(listener)) {}

LeaderLatch::~LeaderLatch() { close(); }

void LeaderLatch::start() {
  if (thread_.joinable()) return;
  listener_id_ = events_.add([this](KeeperState s) { on_session(s); });
  thread_ = std::thread([this] { run(); });
}

void LeaderLatch::on_session(KeeperState state) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state == KeeperState::kDisconnected) connected_ = false;
    if (state == KeeperState::kSyncConnected) connected_ = true;
    if (state == KeeperState::kExpired || state == KeeperState::kClosed ||
        state == KeeperState::kAuthFailed) {
      connected_ = false;
      session_over_ = true;
    }
  }
  wake_->notify();
}

void LeaderLatch::run() {
  while (!stop_) {
    uint64_t seen = wake_->generation();
    bool connected, over;
    {
      std::lock_guard<std::mutex> lock(mu_);
      connected = connected_;
      over = session_over_;
    }
    if (!connected || over) {
      set_leader(false);
      if (over) node_.clear();
    } else if (!step()) {
      // Lost the connection under a call: look again once it is back (or in a while).
      if (!await_reconnect(client_, deadline_after(std::chrono::seconds(1)))) {
        SessionState s = client_.state();
        if (s != SessionState::kConnecting && s != SessionState::kConnected) {
          std::lock_guard<std::mutex> lock(mu_);
          session_over_ = true;
        }
      }
      continue;
    }
    wake_->wait_past(seen, deadline_after(std::chrono::seconds(60)));
  }
}

bool LeaderLatch::step() {
  const Deadline deadline = deadline_after(std::chrono::seconds(10));
  if (node_.empty()) {
    auto made =
        protected_create(client_, dir_, kPrefix, id_, CreateMode::kEphemeralSequential, deadline);
    if (!made) return false;
    node_ = made.value();
  }
  const std::string mine = node_.substr(node_.rfind('/') + 1);
  while (true) {
    auto kids = client_.get_children(dir_).get();
    if (!kids) return false;
    auto sorted = sort_by_sequence(kids.value(), {kPrefix});
    auto it = std::find(sorted.begin(), sorted.end(), mine);
    if (it == sorted.end()) {
      // Our node is gone (deleted by someone): make a new one.
      set_leader(false);
      node_.clear();
      wake_->notify();
      return true;
    }
    if (it == sorted.begin()) {
      set_leader(true);
      return true;
    }
    set_leader(false);
    // One watch on the predecessor at a time (ArmedWatch): a wake-up for another reason (a
    // session event) must not register a second watcher on the same node.
    const std::string pred = join_path(dir_, *(it - 1));
    ArmedWatch::Ticket ticket = watch_.arm(pred, wake_->watcher());
    if (!ticket.watcher) return true;
    auto r = client_.get_data(pred, ticket.watcher).get();
    if (r.ok()) return true;
    ticket.disarm();  // a failed getData registers no watch
    if (r.code() != Err::kNoNode) return false;
  }
}

void LeaderLatch::set_leader(bool leader) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (leader_ == leader) return;
    leader_ = leader;
  }
  leader_cv_.notify_all();
  const auto& cb = leader ? listener_.is_leader : listener_.not_leader;
  if (cb) cb();
}

void LeaderLatch::close() {
  if (!thread_.joinable()) return;
  stop_ = true;
  wake_->notify();
  thread_.join();
  events_.remove(listener_id_);
  if (!node_.empty()) {
    // Past 5 s the delete goes on in the background: the node is never forgotten while it
    // may still exist.
    delete_own_node(client_, node_, deadline_after(std::chrono::seconds(5)));
    node_.clear();
  }
  set_leader(false);
}

bool LeaderLatch::has_leadership() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

bool LeaderLatch::await_leadership(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return leader_cv_.wait_for(lock, timeout, [&] { return leader_; });
}

Result<std::vector<std::string>> LeaderLatch::participants() const {
  auto kids = client_.get_children(dir_).get();
  if (!kids) return Result<std::vector<std::string>>(kids.code(), kids.path());
  std::vector<std::string> ids;
  for (const auto& k : sort_by_sequence(kids.value(), {kPrefix})) {
    auto d = client_.get_data(join_path(dir_, k)).get();
    if (d.ok()) ids.push_back(d.value().data.value_or(""));  // one that left meanwhile is skipped
  }
  return ids;
}

}  // namespace paddock::client::recipes
