#include "client/recipes/session_events.h"

#include <vector>

namespace paddock::client::recipes {

Watcher SessionEvents::watcher() {
  return [this](const WatchEvent& e) { dispatch(e.state); };
}

uint64_t SessionEvents::add(Listener listener) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void SessionEvents::remove(uint64_t id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  listeners_.erase(id);
}

KeeperState SessionEvents::last() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return last_;
}

void SessionEvents::dispatch(KeeperState state) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  last_ = state;
  std::vector<uint64_t> ids;
  for (auto& [id, _] : listeners_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = listeners_.find(id);  // a listener may have removed another
    if (it != listeners_.end()) it->second(state);
  }
}

}  // namespace paddock::client::recipes
