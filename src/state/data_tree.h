#pragma once
// DataTree: the znodes, their stats and ACLs, the ephemeral index and the watches, changed
// only by applying committed txns. Pure and single-threaded: no I/O, no clock, no locks.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/txn.h"
#include "proto/types.h"
#include "state/watch_registry.h"

namespace paddock::state {

struct Znode {
  std::string data;
  proto::StatPersisted stat;  // cversion here counts child creates (see proto::StatPersisted)
  uint32_t acl_id = 0;        // index into the tree's ACL table (shared by identical lists)
  std::set<std::string> children;  // child names (not paths), ordered for stable listings
};

// What applying one txn did, for building the reply of the request that made it.
struct OpResult {
  proto::Err err = proto::Err::kOk;
  std::string path;   // create: the final path (with any sequence suffix)
  proto::Stat stat;   // create/create2/setData/setACL: the node's stat after the op
};
struct ApplyResult {
  proto::Err err = proto::Err::kOk;  // the txn's error (ErrorTxn) or kOk
  OpResult single;                   // for a non-multi txn
  std::vector<OpResult> multi;       // for a multi txn, one per op
  std::vector<WatchEvent> events;    // watch notifications to deliver, in order
};

class DataTree {
 public:
  DataTree();  // holds "/", "/zookeeper", "/zookeeper/quota" (and "/zookeeper/config")

  // --- reads -------------------------------------------------------------------------------
  const Znode* find(std::string_view path) const;
  // The Stat clients see: dataLength, numChildren filled, cversion = 2*creates - numChildren,
  // ephemeralOwner 0 for containers and TTL nodes.
  proto::Stat client_stat(const Znode& node) const;
  const proto::AclList& acl(const Znode& node) const;
  // Ephemeral paths owned by a session (empty set if none).
  const std::set<std::string>& ephemerals(int64_t session_id) const;
  size_t node_count() const;
  int64_t last_zxid() const { return last_zxid_; }
  // Number of descendants of `path` (not counting itself), as getAllChildrenNumber answers.
  int64_t descendant_count(std::string_view path) const;
  // Sum of data bytes of all nodes (for mntr zk_approximate_data_size).
  int64_t approximate_data_size() const;
  // Container nodes with no children that have had children, and TTL nodes past their TTL
  // with no children, as of `now_ms`: what the container manager deletes.
  std::vector<std::string> expired_containers_and_ttls(int64_t now_ms) const;
  // Visit every node in pre-order (parent before children), for snapshots and dumps.
  void for_each_node(const std::function<void(const std::string& path, const Znode&)>& f) const;
  // Sum of per-node CRCs as ZooKeeper's tree digest (ZK-FORMATS.md section 5).
  int64_t digest() const;

  // --- changes -----------------------------------------------------------------------------
  // Applies a committed txn. Idempotence for replay over a fuzzy snapshot: a txn whose zxid
  // is <= last_zxid() is still applied as ZooKeeper does (errors are returned, not fatal).
  ApplyResult apply(const proto::Txn& txn);

  WatchRegistry& watches() { return watches_; }
  const WatchRegistry& watches() const { return watches_; }

  // Sessions known to the tree (created by createSession txns, removed by closeSession),
  // with their negotiated timeouts: part of the durable state.
  const std::map<int64_t, int32_t>& sessions() const { return sessions_; }

 private:
  // (implementation detail; see data_tree.cc)
  struct Impl;
  std::unique_ptr<Impl> impl_;
  WatchRegistry watches_;
  std::map<int64_t, int32_t> sessions_;
  int64_t last_zxid_ = 0;
};

}  // namespace paddock::state
