#include "client/recipes/leader_election.h"

namespace paddock::client::recipes {

bool Leadership::lost() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lost_;
}

bool Leadership::wait_lost(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return lost_; });
}

void Leadership::set_lost(bool lost) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    lost_ = lost;
  }
  cv_.notify_all();
}

LeaderElection::LeaderElection(Client& client, SessionEvents& events, std::string dir, Lead lead,
                               bool requeue)
    : client_(client),
      events_(events),
      lock_(client, std::move(dir)),
      lead_(std::move(lead)),
      requeue_(requeue) {}

LeaderElection::~LeaderElection() { close(); }

void LeaderElection::start() {
  if (thread_.joinable()) return;
  listener_id_ = events_.add([this](KeeperState s) {
    if (s != KeeperState::kSyncConnected) leadership_.set_lost(true);
  });
  thread_ = std::thread([this] { run(); });
}

void LeaderElection::run() {
  while (!stop_) {
    auto got = lock_.acquire();
    if (stop_) break;
    if (!got.ok()) {
      // The session is over (or the connection stayed away): nothing to lead any more.
      if (!await_reconnect(client_, deadline_after(std::chrono::seconds(1)))) {
        SessionState s = client_.state();
        if (s != SessionState::kConnecting && s != SessionState::kConnected) break;
      }
      continue;
    }
    if (!got.value()) continue;
    // Cleared first, then the state read again: a Disconnected that sets lost meanwhile is
    // either seen by this read or lands after the clear (a single set_lost(state()) could
    // overwrite it with false).
    leadership_.set_lost(false);
    if (client_.state() != SessionState::kConnected) leadership_.set_lost(true);
    leading_ = true;
    terms_++;
    lead_(leadership_);
    leading_ = false;
    lock_.release();
    if (!requeue_) break;
  }
  if (lock_.held()) lock_.release();
}

void LeaderElection::close() {
  if (!thread_.joinable()) return;
  stop_ = true;
  leadership_.set_lost(true);
  lock_.cancel();
  thread_.join();
  events_.remove(listener_id_);
}

}  // namespace paddock::client::recipes
