#pragma once
// Java hash-table iteration orders, where ZooKeeper 3.8 lets them show to clients:
// - the paths of a closeSession txn (JavaHashSetOrder): ZooKeeper clones the session's
//   ephemeral HashSet, adds/removes what pending txns change, and logs the paths in that
//   set's order; the tree then deletes them (firing NodeDeleted events) in that order.
//   Modelled on the JDK 8-18 HashMap (the JVMs ZooKeeper 3.8 runs on): buckets by the
//   spread String.hashCode, insertion order within a bucket, capacity a power of two grown
//   at 3/4 load. Tree bins (8+ paths in one bucket of a 64+ table) are not modelled.
// - a connection's auth ids (java_auth_info_order): a set backed by a ConcurrentHashMap,
//   whose order shows in whoAmI and in the ACL an "auth" entry expands to.
// getChildren and getEphemerals are HashSet-ordered in ZooKeeper too; Paddock answers them
// sorted (clients and the differential test treat those orders as unspecified).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <string_view>
#include <vector>

#include "proto/types.h"

namespace paddock::state {

// java.lang.String.hashCode of the UTF-16 form of a UTF-8 string (malformed bytes count as
// U+FFFD, as Java's decoder replaces them).
int32_t java_string_hash(std::string_view utf8);

// org.apache.zookeeper.data.Id.hashCode.
int32_t java_id_hash(const proto::Id& id);

// The order a connection's auth ids iterate in ZooKeeper (ServerCnxn.authInfo, a set over a
// ConcurrentHashMap of 16 bins), given the ids in the order they were added (the ip first):
// by bin of the spread Id hash, then in the order added. Exact for up to 11 ids (a 12th
// grows the table, whose transfer reorders bins; not modelled).
std::vector<proto::Id> java_auth_info_order(const std::vector<proto::Id>& ids_in_add_order);

class JavaHashSetOrder {
 public:
  // The table a HashSet built by add() alone has after holding at most `peak` elements.
  static size_t capacity_for_peak(size_t peak);

  // A clone (HashSet.clone()) of a set of capacity `source_capacity` that holds `paths`,
  // given in the order they were (last) added to it.
  static JavaHashSetOrder clone_of(const std::vector<std::string>& paths_in_insertion_order,
                                   size_t source_capacity);

  void add(const std::string& path);  // no-op if present
  void remove(const std::string& path);
  // The iteration order.
  std::vector<std::string> paths() const;

 private:
  struct Entry {
    uint32_t hash;  // HashMap's spread of the String hash
    std::string path;
  };
  size_t bucket(const Entry& e) const { return e.hash & (capacity_ - 1); }
  void resize(size_t capacity);  // rehash, keeping the relative order within buckets

  // Iteration order: by bucket, then insertion. A removed path stays here as a tombstone
  // (listed in removed_) so that remove() is O(1); paths() skips it.
  std::vector<Entry> entries_;
  std::unordered_set<std::string> members_;  // what the set holds now
  std::unordered_set<std::string> removed_;  // tombstones in entries_
  size_t capacity_ = 0;         // 0: no table yet (the first add makes 16)
};

}  // namespace paddock::state
