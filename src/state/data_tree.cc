// DataTree: construction, reads and restore. Changes are in data_tree_apply.cc, quota
// bookkeeping in data_tree_quota.cc.
#include "state/data_tree.h"

#include <algorithm>
#include <utility>

#include "state/data_tree_impl.h"
#include "util/assert.h"

namespace paddock::state {

std::optional<SplitPath> split_path(std::string_view path) {
  if (path.size() < 2 || path.front() != '/') return std::nullopt;
  size_t slash = path.rfind('/');
  return SplitPath{slash == 0 ? std::string_view("/") : path.substr(0, slash),
                   path.substr(slash + 1)};
}

OwnerKind owner_kind(int64_t owner) {
  constexpr uint64_t kExtendedTypeBits = 0x00FFFF0000000000ULL;  // 0 = TTL, others unused
  if (owner == 0) return OwnerKind::kPersistent;
  if (owner == proto::kContainerOwner) return OwnerKind::kContainer;
  auto bits = static_cast<uint64_t>(owner);
  auto mask = static_cast<uint64_t>(proto::kTtlOwnerMask);
  if ((bits & mask) == mask && (bits & kExtendedTypeBits) == 0) return OwnerKind::kTtl;
  return OwnerKind::kSession;
}

proto::Stat to_client_stat(const Znode& node) {
  const proto::StatPersisted& s = node.stat;
  auto children = static_cast<int32_t>(node.children().size());
  proto::Stat out;
  out.czxid = s.czxid;
  out.mzxid = s.mzxid;
  out.ctime = s.ctime;
  out.mtime = s.mtime;
  out.version = s.version;
  // The tree counts child creates; clients see creates + deletes.
  out.cversion = s.cversion * 2 - children;
  out.aversion = s.aversion;
  out.ephemeral_owner =
      owner_kind(s.ephemeral_owner) == OwnerKind::kSession ? s.ephemeral_owner : 0;
  out.data_length = static_cast<int32_t>(node.data_size());
  out.num_children = children;
  out.pzxid = s.pzxid;
  return out;
}

Znode* DataTree::Impl::add_node(Znode* parent, std::string_view path, uint32_t hash) {
  Znode* node = nodes.create(path, hash);
  if (parent != nullptr) parent->children().insert(node);
  return node;
}

// The nodes a standalone ZooKeeper 3.8 starts with. "/", "/zookeeper" and
// "/zookeeper/quota" have the null ACL and all-zero stats; "/zookeeper/config" is empty with
// aversion -1 and READ for world:anyone. Adding them bumps no cversion.
void DataTree::Impl::add_system_nodes() {
  auto add = [this](std::string_view path, uint32_t acl_id) {
    if (find(path) != nullptr) return;
    Znode* parent = nullptr;
    if (auto split = split_path(path)) {
      parent = find(split->parent);
      PADDOCK_ASSERT(parent != nullptr);
    }
    Znode* node = add_node(parent, path, NodeTable::hash(path));  // names are not digested
    node->acl_id = acl_id;
    rehash(*node);
    data_size += node_size(*node);
  };
  add("/", AclTable::kOpenId);
  add("/zookeeper", AclTable::kOpenId);
  add(kQuotaRoot, AclTable::kOpenId);
  if (find("/zookeeper/config") == nullptr) {
    proto::AclList read_only{proto::Acl{proto::perm::kRead, proto::Id{"world", "anyone"}}};
    add("/zookeeper/config", acls.acquire(read_only));
    Znode* config = find("/zookeeper/config");
    unhash(*config);
    config->stat.aversion = -1;
    rehash(*config);
  }
}

DataTree::DataTree() : impl_(std::make_unique<Impl>()) { impl_->add_system_nodes(); }
DataTree::~DataTree() = default;
DataTree::DataTree(DataTree&&) noexcept = default;
DataTree& DataTree::operator=(DataTree&&) noexcept = default;

const Znode* DataTree::find(std::string_view path) const { return impl_->find(path); }

proto::Stat DataTree::client_stat(const Znode& node) const { return to_client_stat(node); }

const proto::AclList& DataTree::acl(const Znode& node) const {
  return impl_->acls.get(node.acl_id);
}

const std::set<std::string>& DataTree::ephemerals(int64_t session_id) const {
  static const std::set<std::string> kNone;
  auto it = impl_->ephemerals.find(session_id);
  return it == impl_->ephemerals.end() ? kNone : it->second;
}

size_t DataTree::node_count() const { return impl_->nodes.size(); }
size_t DataTree::ephemeral_count() const { return impl_->ephemeral_total; }
size_t DataTree::ephemeral_peak(int64_t session_id) const {
  auto it = impl_->ephemeral_peaks.find(session_id);
  return it == impl_->ephemeral_peaks.end() ? 0 : it->second;
}
int64_t DataTree::approximate_data_size() const { return impl_->data_size; }
int64_t DataTree::digest() const { return static_cast<int64_t>(impl_->digest); }
const AclTable& DataTree::acl_table() const { return impl_->acls; }

int64_t DataTree::descendant_count(std::string_view path) const {
  if (path == "/") return static_cast<int64_t>(impl_->nodes.size()) - 1;
  const Znode* node = impl_->find(path);
  if (node == nullptr) return 0;
  int64_t count = -1;  // the node itself is visited too
  impl_->visit_subtree(*node, [&](const Znode&) { ++count; });
  return count;
}

std::vector<std::string> DataTree::expired_containers_and_ttls(
    int64_t now_ms, int64_t max_never_used_interval_ms) const {
  std::vector<std::string> out;
  for (const std::string& path : impl_->containers) {
    const Znode* node = impl_->find(path);
    if (node == nullptr || !node->children().empty()) continue;
    // cversion > 0: it has had children; a new container is not deleted before use.
    bool never_used_too_long = max_never_used_interval_ms != 0 &&
                               now_ms - node->stat.mtime > max_never_used_interval_ms;
    if (node->stat.cversion > 0 || never_used_too_long) out.push_back(path);
  }
  for (const std::string& path : impl_->ttls) {
    const Znode* node = impl_->find(path);
    if (node == nullptr || !node->children().empty()) continue;
    int64_t ttl = ttl_of(node->stat.ephemeral_owner);
    if (ttl != 0 && now_ms - node->stat.mtime > ttl) out.push_back(path);
  }
  return out;
}

void DataTree::Impl::visit_subtree(const Znode& root,
                                   const std::function<void(const Znode&)>& f) const {
  struct Frame {
    ChildList::Iterator next, end;
  };
  f(root);
  std::vector<Frame> stack;
  if (!root.children().empty()) stack.push_back({root.children().begin(), root.children().end()});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.end) {
      stack.pop_back();
      continue;
    }
    const Znode* node = *top.next++;
    f(*node);  // may not change the tree: the frames hold iterators into child lists
    const ChildList& children = node->children();
    if (!children.empty()) stack.push_back({children.begin(), children.end()});
  }
}

void DataTree::for_each_node(
    const std::function<void(std::string_view path, const Znode&)>& f) const {
  const Znode* root = impl_->find("/");
  if (root == nullptr) return;
  impl_->visit_subtree(*root, [&](const Znode& n) { f(n.path(), n); });
}

void DataTree::begin_restore(size_t expected_nodes) {
  impl_ = std::make_unique<Impl>();
  impl_->nodes.reserve(expected_nodes);
  watches_ = WatchRegistry();
  sessions_.clear();
  last_zxid_ = 0;
}

void DataTree::restore_session(int64_t session_id, int32_t timeout_ms) {
  sessions_[session_id] = timeout_ms;
}

// One hash insert per node: the parent is found on the chain of the previous node's
// ancestors (snapshots are written in pre-order), by a lookup only when it is not there;
// the parent's child list, not the table, says whether the node is new.
Status DataTree::restore_node(std::string_view path, std::optional<std::string_view> data,
                              const std::optional<proto::AclList>& acl,
                              const proto::StatPersisted& stat) {
  Impl& t = *impl_;
  std::vector<Znode*>& chain = t.restore_chain;
  Znode* parent = nullptr;
  if (path != "/") {
    auto split = split_path(path);
    if (!split) return Status::error("snapshot node has an invalid path: " + std::string(path));
    while (!chain.empty() && chain.back()->path() != split->parent) chain.pop_back();
    parent = chain.empty() ? t.find(split->parent) : chain.back();
    if (parent == nullptr) {
      return Status::error("snapshot node " + std::string(path) + " comes before its parent");
    }
    if (parent->children().contains(split->name)) {
      return Status::error("snapshot holds node " + std::string(path) + " twice");
    }
  } else if (t.find(path) != nullptr) {
    return Status::error("snapshot holds node / twice");
  }
  Znode* node = t.add_node(parent, path, NodeTable::hash(path));
  t.nodes.set_data(node, data);
  node->stat = stat;
  node->acl_id = acl ? t.acls.acquire(*acl) : AclTable::kOpenId;
  t.rehash(*node);
  t.data_size += Impl::node_size(*node);
  t.index_owner(path, stat.ephemeral_owner);
  if (chain.empty() && parent != nullptr) chain.push_back(parent);
  chain.push_back(node);
  return Status::ok();
}

Status DataTree::finish_restore(int64_t last_zxid) {
  Impl& t = *impl_;
  t.restore_chain = {};
  if (t.find("/") == nullptr) return Status::error("snapshot has no root node");
  t.add_system_nodes();  // older or partial snapshots may lack some
  t.rebuild_quotas();    // stats nodes live under /zookeeper/: no digest change
  last_zxid_ = last_zxid;
  return Status::ok();
}

}  // namespace paddock::state
