#include "state/acl_table.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "util/assert.h"

namespace paddock::state {

namespace {

const proto::AclList& open_acl() {
  static const proto::AclList kOpen{proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
  return kOpen;
}

}  // namespace

size_t AclTable::hash_of(const proto::AclList& acl) {
  size_t h = acl.size();
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  for (const proto::Acl& a : acl) {
    mix(std::hash<int32_t>{}(a.perms));
    mix(std::hash<std::string_view>{}(a.id.scheme));
    mix(std::hash<std::string_view>{}(a.id.id));
  }
  return h;
}

uint32_t AclTable::acquire(const proto::AclList& acl) {
  size_t h = hash_of(acl);
  auto [first, last] = by_hash_.equal_range(h);
  for (auto it = first; it != last; ++it) {
    Entry& e = by_id_.at(it->second);
    if (e.acl == acl) {
      ++e.refs;
      return it->second;
    }
  }
  uint32_t id = next_id_++;
  PADDOCK_ASSERT(id != kOpenId);  // 2^32 distinct lists over a lifetime: not a real workload
  by_id_.emplace(id, Entry{acl, 1});
  by_hash_.emplace(h, id);
  return id;
}

void AclTable::release(uint32_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  if (--it->second.refs > 0) return;
  auto [first, last] = by_hash_.equal_range(hash_of(it->second.acl));
  for (auto h = first; h != last; ++h) {
    if (h->second == id) {
      by_hash_.erase(h);
      break;
    }
  }
  by_id_.erase(it);
}

const proto::AclList& AclTable::get(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? open_acl() : it->second.acl;
}

size_t AclTable::references(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? 0 : it->second.refs;
}

void AclTable::for_each(
    const std::function<void(uint32_t id, const proto::AclList&)>& f) const {
  std::vector<uint32_t> ids;
  ids.reserve(by_id_.size());
  for (const auto& [id, entry] : by_id_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (uint32_t id : ids) f(id, by_id_.at(id).acl);
}

}  // namespace paddock::state
