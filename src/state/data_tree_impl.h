#pragma once
// Private to the DataTree implementation (data_tree*.cc): the node map and the indexes
// derived from it. Not part of any API.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state/acl_table.h"
#include "state/data_tree.h"
#include "state/node_table.h"
#include "state/quota.h"
#include "state/tree_digest.h"

namespace paddock::state {

// "/a/b" -> {"/a", "b"}; "/a" -> {"/", "a"}. nullopt for "/" and paths without a leading '/'.
struct SplitPath {
  std::string_view parent;
  std::string_view name;
};
std::optional<SplitPath> split_path(std::string_view path);

// What a node's ephemeralOwner makes it.
enum class OwnerKind { kPersistent, kSession, kContainer, kTtl };
OwnerKind owner_kind(int64_t owner);
inline int64_t ttl_of(int64_t owner) { return owner & proto::kMaxTtlMs; }

// The Stat clients see for a node (see DataTree::client_stat).
proto::Stat to_client_stat(const Znode& node);

struct DataTree::Impl {
  // Every node by its full path (the root is "/"); each parent lists its children by name.
  // A node is in the table exactly when its parent lists it.
  NodeTable nodes;
  AclTable acls;
  std::unordered_map<int64_t, std::set<std::string>> ephemerals;  // session -> paths
  size_t ephemeral_total = 0;
  // The most ephemerals each session has held at once: ZooKeeper's per-session HashSet
  // keeps the table it grew to until the session closes (DataTree::ephemeral_peak).
  std::unordered_map<int64_t, size_t> ephemeral_peaks;
  std::set<std::string, std::less<>> containers;
  std::set<std::string, std::less<>> ttls;
  QuotaIndex quotas;
  uint64_t digest = 0;     // sum of node_digest over all nodes, mod 2^64
  int64_t data_size = 0;   // approximate_data_size()

  // What one txn (or multi op) applies with.
  struct Ctx {
    int64_t session_id;
    int64_t zxid;
    int64_t time_ms;
    WatchRegistry& watches;
    std::vector<WatchEvent>& events;
  };

  // Where a restore is in its pre-order walk: the last node restored and its ancestors.
  std::vector<Znode*> restore_chain;

  Znode* find(std::string_view path) const { return nodes.find(path); }
  void unhash(const Znode& n) { digest -= node_digest(n.path(), n.data(), n.stat); }
  void rehash(const Znode& n) { digest += node_digest(n.path(), n.data(), n.stat); }
  static int64_t node_size(const Znode& n) {
    return static_cast<int64_t>(n.path().size() + n.data_size());
  }
  // Adds a node below `parent` (nullptr only for the root); its path must be new.
  Znode* add_node(Znode* parent, std::string_view path, uint32_t hash);

  // The changes (data_tree_apply.cc). Errors come back in OpResult.err; nothing throws.
  // `adjust_parent_on_exists`: a CreateTxn that finds its node (replay over a fuzzy
  // snapshot) still moves the parent's cversion/pzxid forward, as ZooKeeper does.
  OpResult create(Ctx& c, const std::string& path, std::optional<std::string_view> data,
                  const proto::AclList& acl, int64_t owner, int32_t parent_cversion,
                  bool adjust_parent_on_exists);
  OpResult remove(Ctx& c, const std::string& path);
  OpResult set_data(Ctx& c, const std::string& path, std::optional<std::string_view> data,
                    int32_t version);
  OpResult set_acl(Ctx& c, const std::string& path, const proto::AclList& acl, int32_t version);
  void close_session(Ctx& c, const std::vector<std::string>& paths);

  // One txn body (also a multi op). Session txns are handled by DataTree::apply (they
  // touch its session map); inside a multi they are invalid, as in ZooKeeper.
  OpResult op(Ctx& c, const proto::CreateTxn& t);
  OpResult op(Ctx& c, const proto::CreateContainerTxn& t);
  OpResult op(Ctx& c, const proto::CreateTtlTxn& t);
  OpResult op(Ctx& c, const proto::DeleteTxn& t);
  OpResult op(Ctx& c, const proto::SetDataTxn& t);
  OpResult op(Ctx& c, const proto::SetAclTxn& t);
  OpResult op(Ctx& c, const proto::CheckVersionTxn& t);
  OpResult op(Ctx& c, const proto::ErrorTxn& t);
  OpResult op(Ctx& c, const proto::CreateSessionTxn& t);
  OpResult op(Ctx& c, const proto::CloseSessionTxn& t);
  void multi(Ctx& c, const proto::MultiTxn& t, ApplyResult& out);

  // Indexes kept beside the nodes.
  void index_owner(std::string_view path, int64_t owner);
  void unindex_owner(std::string_view path, int64_t owner);
  // Frees a node and its subtree, dropping them from the indexes, firing nothing. The
  // caller has already taken `node` out of its parent's list.
  void erase_subtree(Znode* node);
  // Visits `root` and its descendants, parents first, children by name (iterative: paths
  // can be deep).
  void visit_subtree(const Znode& root, const std::function<void(const Znode&)>& f) const;
  void add_system_nodes();

  // Quotas (data_tree_quota.cc): the bookkeeping ZooKeeper's DataTree does on each change.
  void quota_node_created(std::string_view parent, std::string_view name);
  void quota_node_deleted(std::string_view parent, std::string_view name);
  void quota_usage_changed(std::string_view path, int64_t bytes_delta, int64_t count_delta);
  void recount_quota(std::string_view quota_path);  // usage of a subtree into its stats node
  void rebuild_quotas();                            // after a restore
};

}  // namespace paddock::state
