#include "state/pending_changes.h"

#include <utility>
#include <vector>

#include "util/assert.h"

namespace paddock::state {

const PendingChanges::Change* PendingChanges::latest(std::string_view path) const {
  auto it = latest_.find(path);
  return it == latest_.end() ? nullptr : &it->second;
}

void PendingChanges::add(int64_t zxid, const std::string& path, std::optional<NodeRecord> node) {
  PADDOCK_ASSERT(log_.empty() || log_.back().zxid <= zxid);
  Entry entry{zxid, path, std::nullopt};
  auto it = latest_.find(path);
  if (it != latest_.end()) {
    entry.shadowed = it->second;
    it->second = Change{zxid, std::move(node)};
  } else {
    latest_.emplace(path, Change{zxid, std::move(node)});
  }
  log_.push_back(std::move(entry));
}

void PendingChanges::rollback(uint64_t mark) {
  PADDOCK_ASSERT(mark >= dropped_ && mark <= dropped_ + log_.size());
  while (dropped_ + log_.size() > mark) {
    Entry& e = log_.back();
    if (e.shadowed) {
      latest_[e.path] = std::move(*e.shadowed);
    } else {
      latest_.erase(e.path);
    }
    log_.pop_back();
  }
}

void PendingChanges::applied(int64_t zxid) {
  while (!log_.empty() && log_.front().zxid <= zxid) {
    auto it = latest_.find(log_.front().path);
    // A later pending change of the same path stays: it is still ahead of the tree.
    if (it != latest_.end() && it->second.zxid <= zxid) latest_.erase(it);
    log_.pop_front();
    ++dropped_;
  }
  auto drop_applied = [zxid](std::deque<std::pair<int64_t, int64_t>>& order,
                             std::map<int64_t, int64_t>& by_session) {
    while (!order.empty() && order.front().first <= zxid) {
      auto it = by_session.find(order.front().second);
      if (it != by_session.end() && it->second <= zxid) by_session.erase(it);
      order.pop_front();
    }
  };
  drop_applied(creating_order_, creating_);
  drop_applied(closing_order_, closing_);
}

void PendingChanges::clear() {
  dropped_ += log_.size();
  log_.clear();
  latest_.clear();
  creating_.clear();
  closing_.clear();
  creating_order_.clear();
  closing_order_.clear();
}

void PendingChanges::for_each_latest(
    const std::function<void(const std::string&, const Change&)>& f) const {
  for (const auto& [path, change] : latest_) f(path, change);
}

// Entry i's change is what the next entry of the same path shadowed, or the latest one.
void PendingChanges::for_each_change(
    const std::function<void(const std::string&, const Change&)>& f) const {
  std::vector<const Change*> changes(log_.size());
  std::map<std::string_view, const Entry*> next;  // path -> the nearest later entry
  for (size_t i = log_.size(); i-- > 0;) {
    const Entry& e = log_[i];
    auto it = next.find(e.path);
    if (it == next.end()) {
      changes[i] = &latest_.find(e.path)->second;
      next.emplace(e.path, &e);
    } else {
      PADDOCK_ASSERT(it->second->shadowed.has_value());
      changes[i] = &*it->second->shadowed;
      it->second = &e;
    }
  }
  for (size_t i = 0; i < log_.size(); ++i) f(log_[i].path, *changes[i]);
}

}  // namespace paddock::state
