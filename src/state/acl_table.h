#pragma once
// AclTable: the ACL lists of the tree, shared by id and reference-counted, the way
// ZooKeeper's ReferenceCountedACLCache is: identical lists share one id; an id lives while
// some node uses it; ids are not reused. Id 0 is the "null" ACL that ZooKeeper writes as -1
// (root, /zookeeper, /zookeeper/quota): open to everyone and never stored.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "proto/types.h"

namespace paddock::state {

class AclTable {
 public:
  static constexpr uint32_t kOpenId = 0;

  // The id of `acl` (adding it if new), with its reference count raised by one.
  uint32_t acquire(const proto::AclList& acl);
  // Drops one reference; the entry goes when none remain. kOpenId and unknown ids are ignored.
  void release(uint32_t id);
  // The list for `id`; kOpenId and unknown ids read as world:anyone with all permissions.
  const proto::AclList& get(uint32_t id) const;
  size_t size() const { return by_id_.size(); }
  size_t references(uint32_t id) const;
  // Visits the entries in id order.
  void for_each(const std::function<void(uint32_t id, const proto::AclList&)>& f) const;

 private:
  struct Entry {
    proto::AclList acl;
    uint64_t refs = 0;
  };
  static size_t hash_of(const proto::AclList& acl);

  std::unordered_map<uint32_t, Entry> by_id_;
  std::unordered_multimap<size_t, uint32_t> by_hash_;  // hash of a list -> ids with that hash
  uint32_t next_id_ = 1;
};

}  // namespace paddock::state
