#include "state/pending_changes.h"

#include <utility>
#include <vector>

#include "util/assert.h"

namespace paddock::state {

const PendingChanges::Change* PendingChanges::latest(std::string_view path) const {
  auto it = latest_.find(path);
  return it == latest_.end() ? nullptr : &it->second.change;
}

void PendingChanges::add(int64_t zxid, std::string_view path, std::optional<NodeRecord> node) {
  PADDOCK_ASSERT(log_.empty() || log_.back().zxid <= zxid);
  Entry entry{zxid, nullptr, std::nullopt};
  auto it = latest_.find(path);
  if (it != latest_.end()) {
    entry.shadowed = std::move(it->second.change);
    it->second.change = Change{zxid, std::move(node)};
  } else {
    it = latest_.emplace(std::string(path), Latest{Change{zxid, std::move(node)}, 0}).first;
  }
  ++it->second.entries;
  entry.slot = &*it;
  log_.push_back(std::move(entry));
}

// By iterator: erasing by a key that lives in the erased node itself is not safe.
void PendingChanges::erase_slot(LatestMap::value_type* slot) {
  auto it = latest_.find(std::string_view(slot->first));
  PADDOCK_ASSERT(it != latest_.end() && &*it == slot);
  latest_.erase(it);
}

void PendingChanges::rollback(uint64_t mark) {
  PADDOCK_ASSERT(mark >= dropped_ && mark <= dropped_ + log_.size());
  while (dropped_ + log_.size() > mark) {
    Entry& e = log_.back();
    Latest& slot = e.slot->second;
    PADDOCK_ASSERT(slot.entries > 0);
    --slot.entries;
    if (e.shadowed) {
      slot.change = std::move(*e.shadowed);
    } else {
      PADDOCK_ASSERT(slot.entries == 0);  // the path's first pending change
      erase_slot(e.slot);
    }
    log_.pop_back();
  }
}

void PendingChanges::applied(int64_t zxid) {
  while (!log_.empty() && log_.front().zxid <= zxid) {
    // The slot stays while a later change of the same path is pending: it is still ahead
    // of the tree.
    Latest& slot = log_.front().slot->second;
    PADDOCK_ASSERT(slot.entries > 0);
    if (--slot.entries == 0) erase_slot(log_.front().slot);
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

// Entry i's change is what the next entry of the same path shadowed, or the latest one.
void PendingChanges::for_each_change(
    const std::function<void(const std::string&, const Change&)>& f) const {
  std::vector<const Change*> changes(log_.size());
  std::map<std::string_view, const Entry*> next;  // path -> the nearest later entry
  for (size_t i = log_.size(); i-- > 0;) {
    const Entry& e = log_[i];
    auto it = next.find(e.slot->first);
    if (it == next.end()) {
      changes[i] = &e.slot->second.change;
      next.emplace(e.slot->first, &e);
    } else {
      PADDOCK_ASSERT(it->second->shadowed.has_value());
      changes[i] = &*it->second->shadowed;
      it->second = &e;
    }
  }
  for (size_t i = 0; i < log_.size(); ++i) f(log_[i].slot->first, *changes[i]);
}

}  // namespace paddock::state
