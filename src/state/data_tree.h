#pragma once
// DataTree: the znodes, their stats and ACLs, the ephemeral index and the watches, changed
// only by applying committed txns. Pure and single-threaded: no I/O, no clock, no locks.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/txn.h"
#include "proto/types.h"
#include "state/acl_table.h"
#include "state/watch_registry.h"
#include "state/znode.h"
#include "util/result.h"

namespace paddock::state {

// What applying one txn did, for building the reply of the request that made it.
struct OpResult {
  proto::Err err = proto::Err::kOk;
  std::string path;   // create: the final path (with any sequence suffix)
  proto::Stat stat;   // create/create2/setData/setACL: the node's stat after the op
};
struct ApplyResult {
  // The txn's error: an ErrorTxn's code, or what failed while applying (e.g. kNoNode when
  // replaying over a fuzzy snapshot). For a multi: the first op error, as ZooKeeper's
  // ProcessTxnResult.err (the client's reply header still carries 0 for a multi).
  proto::Err err = proto::Err::kOk;
  OpResult single;                   // for a non-multi txn
  std::vector<OpResult> multi;       // for a multi txn, one per op
  std::vector<WatchEvent> events;    // watch notifications to deliver, in order
};

class DataTree {
 public:
  // Holds "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config" as a standalone
  // ZooKeeper 3.8 starts: config empty, version 0, aversion -1, ACL READ world:anyone.
  DataTree();
  ~DataTree();
  DataTree(DataTree&&) noexcept;
  DataTree& operator=(DataTree&&) noexcept;

  // --- reads -------------------------------------------------------------------------------
  const Znode* find(std::string_view path) const;
  // The Stat clients see: dataLength, numChildren filled, cversion = 2*creates - numChildren,
  // ephemeralOwner 0 for containers and TTL nodes.
  proto::Stat client_stat(const Znode& node) const;
  const proto::AclList& acl(const Znode& node) const;
  // Ephemeral paths owned by a session (empty set if none).
  const std::set<std::string>& ephemerals(int64_t session_id) const;
  // Distinct nodes, the root counted once (ZooKeeper's zk_znode_count is this + 1: its map
  // holds the root under "" and "/").
  size_t node_count() const;
  size_t ephemeral_count() const;  // all sessions' ephemerals (mntr zk_ephemerals_count)
  // The most ephemerals the session has held at once since its first one (0 if none). The
  // table of ZooKeeper's per-session HashSet grows with it and never shrinks, and its size
  // shows in the order of a closeSession txn's paths (JavaHashSetOrder).
  size_t ephemeral_peak(int64_t session_id) const;
  int64_t last_zxid() const { return last_zxid_; }
  // Number of descendants of `path` (not counting itself), as getAllChildrenNumber answers.
  int64_t descendant_count(std::string_view path) const;
  // mntr zk_approximate_data_size as ZooKeeper keeps it: the sum of path length + data
  // length over all nodes ("/" counts 1), updated on create/delete/setData only (quota stats
  // rewrites are not counted, as in ZooKeeper).
  int64_t approximate_data_size() const;
  // Container nodes with no children that have had children (internal cversion > 0), and
  // TTL nodes with no children whose mtime + ttl < now_ms: what ZooKeeper's ContainerManager
  // deletes. A container that never had children qualifies once now_ms - mtime exceeds
  // max_never_used_interval_ms, if that is not 0 (znode.container.maxNeverUsedIntervalMs).
  std::vector<std::string> expired_containers_and_ttls(
      int64_t now_ms, int64_t max_never_used_interval_ms = 0) const;
  // Visit every node in pre-order (parent before children, children by name), for dumps and
  // tests (snapshots walk with a cursor). `path` is node.path().
  void for_each_node(const std::function<void(std::string_view path, const Znode&)>& f) const;
  // Sum of per-node CRCs as ZooKeeper's tree digest (ZK-FORMATS.md section 5). Kept
  // current on every change, so this is O(1).
  int64_t digest() const;
  // The shared ACL lists (Znode::acl_id indexes them), e.g. for snapshots.
  const AclTable& acl_table() const;

  // Quota check for a write under `path` (ZooKeeper's checkQuota, done at prep time when
  // zookeeper.enforceQuota is on): looks at the deepest quota'd ancestor-or-self of `path`
  // and returns kQuotaExceeded if its usage plus the deltas would pass a HARD limit
  // (countHardLimit / byteHardLimit). Soft limits (count / bytes) only log in ZooKeeper:
  // kOk. create: (1, data size); setData: (0, new size - old size).
  proto::Err check_quota(std::string_view path, int64_t count_delta, int64_t bytes_delta) const;

  // --- changes -----------------------------------------------------------------------------
  // Applies a committed txn. Idempotence for replay over a fuzzy snapshot: a txn whose zxid
  // is <= last_zxid() is still applied as ZooKeeper does (errors are returned, not fatal).
  ApplyResult apply(const proto::Txn& txn);

  // What a server in an ensemble does at start and after a reconfig, outside any txn
  // (ZooKeeper's initConfigInZKDatabase): /zookeeper/config gets the config text, version
  // -1, mzxid = the config version, mtime = now. Returns the NodeDataChanged events.
  std::vector<WatchEvent> set_config_node(std::string_view config_text, int64_t config_version,
                                          int64_t now_ms);

  WatchRegistry& watches() { return watches_; }
  const WatchRegistry& watches() const { return watches_; }

  // Sessions known to the tree (created by createSession txns, removed by closeSession),
  // with their negotiated timeouts: part of the durable state.
  const std::map<int64_t, int32_t>& sessions() const { return sessions_; }

  // --- restore from a snapshot -------------------------------------------------------------
  // begin_restore() empties the tree (no nodes, sessions or watches kept); then nodes are
  // added in pre-order (parents first; the root first, as "/"); finish_restore() rebuilds the
  // derived state (quota stats, as ZooKeeper's setupQuota) and sets last_zxid.
  // `acl` nullopt is ZooKeeper's null ACL (-1 in its snapshots: open to everyone); `data`
  // nullopt is null data (-1 in its snapshots; a std::string or proto::NodeData converts).
  // Loading is fastest in strict pre-order (as snapshots are written): a node whose parent
  // is the previous node or one of its ancestors costs one hash insert and no lookup.
  // `expected_nodes` (0: unknown) sizes the node table once instead of growing it.
  void begin_restore(size_t expected_nodes = 0);
  void restore_session(int64_t session_id, int32_t timeout_ms);
  Status restore_node(std::string_view path, std::optional<std::string_view> data,
                      const std::optional<proto::AclList>& acl, const proto::StatPersisted& stat);
  Status finish_restore(int64_t last_zxid);

 private:
  struct Impl;  // data_tree_impl.h
  std::unique_ptr<Impl> impl_;
  WatchRegistry watches_;
  std::map<int64_t, int32_t> sessions_;
  int64_t last_zxid_ = 0;
};

}  // namespace paddock::state
