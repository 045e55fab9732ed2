// DataTree: applying committed txns with ZooKeeper 3.8's rules (DataTree.processTxn).
// Failures are values: a txn replayed over a fuzzy snapshot may find its node already there
// or already gone, and that must not stop the replay.
#include <algorithm>
#include <type_traits>
#include <variant>

#include "state/data_tree.h"
#include "state/data_tree_impl.h"
#include "util/assert.h"

namespace paddock::state {

using proto::Err;
using proto::EventType;

namespace {

OpResult failed(Err err, const std::string& path) {
  OpResult r;
  r.err = err;
  r.path = path;
  return r;
}

}  // namespace

void DataTree::Impl::index_owner(std::string_view path, int64_t owner) {
  switch (owner_kind(owner)) {
    case OwnerKind::kContainer:
      containers.emplace(path);
      break;
    case OwnerKind::kTtl:
      ttls.emplace(path);
      break;
    case OwnerKind::kSession: {
      std::set<std::string>& paths = ephemerals[owner];
      if (paths.emplace(path).second) ++ephemeral_total;
      size_t& peak = ephemeral_peaks[owner];
      peak = std::max(peak, paths.size());
      break;
    }
    case OwnerKind::kPersistent:
      break;
  }
}

void DataTree::Impl::unindex_owner(std::string_view path, int64_t owner) {
  switch (owner_kind(owner)) {
    case OwnerKind::kContainer:
      if (auto it = containers.find(path); it != containers.end()) containers.erase(it);
      break;
    case OwnerKind::kTtl:
      if (auto it = ttls.find(path); it != ttls.end()) ttls.erase(it);
      break;
    case OwnerKind::kSession: {
      auto it = ephemerals.find(owner);
      if (it == ephemerals.end()) break;
      ephemeral_total -= it->second.erase(std::string(path));
      if (it->second.empty()) ephemerals.erase(it);
      break;
    }
    case OwnerKind::kPersistent:
      break;
  }
}

// Frees a node and everything below it, children first, firing nothing.
void DataTree::Impl::erase_subtree(Znode* top) {
  auto erase_one = [this](Znode* node) {
    unhash(*node);
    data_size -= node_size(*node);
    acls.release(node->acl_id);
    unindex_owner(node->path(), node->stat.ephemeral_owner);
    nodes.destroy(node);
  };
  if (top->children().empty()) return erase_one(top);  // the usual delete
  std::vector<const Znode*> order;  // pre-order; freed in reverse so children go first
  visit_subtree(*top, [&](const Znode& n) { order.push_back(&n); });
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    erase_one(const_cast<Znode*>(*it));  // the tree owns its nodes
  }
}

OpResult DataTree::Impl::create(Ctx& c, const std::string& path,
                                std::optional<std::string_view> data, const proto::AclList& acl,
                                int64_t owner, int32_t parent_cversion,
                                bool adjust_parent_on_exists) {
  auto split = split_path(path);
  if (!split) return failed(path == "/" ? Err::kNodeExists : Err::kNoNode, path);
  Znode* parent = find(split->parent);
  if (parent == nullptr) return failed(Err::kNoNode, path);
  // -1: "one more than now" (older txn formats).
  int32_t new_cversion = parent_cversion == -1 ? parent->stat.cversion + 1 : parent_cversion;
  // Only move forward: a replay over a fuzzy snapshot must not undo a later create.
  bool bump = new_cversion > parent->stat.cversion;
  // The table holds a path exactly when its parent lists it: one hash lookup, not a
  // search of a possibly huge child list.
  const uint32_t hash = NodeTable::hash(path);
  if (nodes.find(path, hash) != nullptr) {
    if (adjust_parent_on_exists && bump) {
      unhash(*parent);
      parent->stat.cversion = new_cversion;
      parent->stat.pzxid = c.zxid;
      rehash(*parent);
    }
    return failed(Err::kNodeExists, path);
  }
  if (bump) {
    unhash(*parent);
    parent->stat.cversion = new_cversion;
    parent->stat.pzxid = c.zxid;
    rehash(*parent);
  }

  Znode* node = add_node(parent, path, hash);
  nodes.set_data(node, data);
  node->acl_id = acls.acquire(acl);
  proto::StatPersisted& s = node->stat;
  s.czxid = s.mzxid = s.pzxid = c.zxid;
  s.ctime = s.mtime = c.time_ms;
  s.ephemeral_owner = owner;
  rehash(*node);
  data_size += node_size(*node);
  index_owner(path, owner);

  quota_node_created(split->parent, split->name);
  quota_usage_changed(path, static_cast<int64_t>(node->data_size()), 1);

  OpResult r;
  r.path = path;
  r.stat = to_client_stat(*node);
  c.watches.trigger(path, EventType::kNodeCreated, c.events);
  c.watches.trigger(std::string(split->parent), EventType::kNodeChildrenChanged, c.events);
  return r;
}

OpResult DataTree::Impl::remove(Ctx& c, const std::string& path) {
  auto split = split_path(path);
  if (!split) return failed(Err::kNoNode, path);  // the root cannot be deleted
  Znode* parent = find(split->parent);
  if (parent == nullptr) return failed(Err::kNoNode, path);
  // The parent's pzxid moves even if the child is already gone (fuzzy snapshot replay).
  if (c.zxid > parent->stat.pzxid) {
    unhash(*parent);
    parent->stat.pzxid = c.zxid;
    rehash(*parent);
  }
  Znode* node = parent->children().erase(split->name);
  if (node == nullptr) return failed(Err::kNoNode, path);
  auto bytes = static_cast<int64_t>(node->data_size());
  // Prep refuses to delete a node with children; a replay that does so anyway drops the
  // subtree rather than leave unreachable nodes behind.
  erase_subtree(node);

  quota_node_deleted(split->parent, split->name);
  quota_usage_changed(path, -bytes, -1);

  c.watches.trigger(path, EventType::kNodeDeleted, c.events);
  c.watches.trigger(std::string(split->parent), EventType::kNodeChildrenChanged, c.events);
  OpResult r;
  r.path = path;
  return r;
}

OpResult DataTree::Impl::set_data(Ctx& c, const std::string& path,
                                  std::optional<std::string_view> data, int32_t version) {
  Znode* node = find(path);
  if (node == nullptr) return failed(Err::kNoNode, path);
  // Null data counts 0 bytes, as in ZooKeeper.
  int64_t bytes_delta =
      static_cast<int64_t>(data ? data->size() : 0) - static_cast<int64_t>(node->data_size());
  unhash(*node);
  nodes.set_data(node, data);
  node->stat.mtime = c.time_ms;
  node->stat.mzxid = c.zxid;
  node->stat.version = version;
  rehash(*node);
  data_size += bytes_delta;
  OpResult r;
  r.path = path;
  r.stat = to_client_stat(*node);
  quota_usage_changed(path, bytes_delta, 0);
  c.watches.trigger(path, EventType::kNodeDataChanged, c.events);
  return r;
}

OpResult DataTree::Impl::set_acl(Ctx&, const std::string& path, const proto::AclList& acl,
                                 int32_t version) {
  Znode* node = find(path);
  if (node == nullptr) return failed(Err::kNoNode, path);
  uint32_t old_id = node->acl_id;
  node->acl_id = acls.acquire(acl);  // before releasing: an unchanged list keeps its id
  acls.release(old_id);
  unhash(*node);
  node->stat.aversion = version;
  rehash(*node);
  OpResult r;
  r.path = path;
  r.stat = to_client_stat(*node);
  return r;  // setACL fires no watch
}

// ZooKeeper deletes the paths the txn lists, then whatever else the tree still knows as the
// session's ephemerals; a path already gone is skipped.
void DataTree::Impl::close_session(Ctx& c, const std::vector<std::string>& paths) {
  ephemeral_peaks.erase(c.session_id);
  std::set<std::string> known;
  if (auto it = ephemerals.find(c.session_id); it != ephemerals.end()) {
    known = std::move(it->second);
    ephemeral_total -= known.size();
    ephemerals.erase(it);
  }
  for (const std::string& path : paths) {
    remove(c, path);
    known.erase(path);
  }
  for (const std::string& path : known) remove(c, path);
}

OpResult DataTree::Impl::op(Ctx& c, const proto::CreateTxn& t) {
  return create(c, t.path, t.data, t.acl, t.ephemeral ? c.session_id : 0, t.parent_cversion,
                true);
}

OpResult DataTree::Impl::op(Ctx& c, const proto::CreateContainerTxn& t) {
  return create(c, t.path, t.data, t.acl, proto::kContainerOwner, t.parent_cversion, false);
}

OpResult DataTree::Impl::op(Ctx& c, const proto::CreateTtlTxn& t) {
  int64_t owner = proto::kTtlOwnerMask | (t.ttl & proto::kMaxTtlMs);
  return create(c, t.path, t.data, t.acl, owner, t.parent_cversion, false);
}

OpResult DataTree::Impl::op(Ctx& c, const proto::DeleteTxn& t) { return remove(c, t.path); }

OpResult DataTree::Impl::op(Ctx& c, const proto::SetDataTxn& t) {
  return set_data(c, t.path, t.data, t.version);
}

OpResult DataTree::Impl::op(Ctx& c, const proto::SetAclTxn& t) {
  return set_acl(c, t.path, t.acl, t.version);
}

OpResult DataTree::Impl::op(Ctx&, const proto::CheckVersionTxn& t) {
  OpResult r;
  r.path = t.path;
  return r;  // the version was checked at prep; nothing changes
}

OpResult DataTree::Impl::op(Ctx&, const proto::ErrorTxn& t) {
  OpResult r;
  r.err = static_cast<Err>(t.err);
  return r;
}

OpResult DataTree::Impl::op(Ctx&, const proto::CreateSessionTxn&) {
  return failed(Err::kMarshallingError, "");
}

OpResult DataTree::Impl::op(Ctx&, const proto::CloseSessionTxn&) {
  return failed(Err::kMarshallingError, "");
}

// A multi with an error op is a no-op whose results say what happened: ops before the
// failing one 0, error ops their own code, ops after it -2 (RUNTIMEINCONSISTENCY).
// Otherwise every op applies in order, and a failure while applying does not undo the
// others (ZooKeeper does not either).
void DataTree::Impl::multi(Ctx& c, const proto::MultiTxn& t, ApplyResult& out) {
  bool failing = std::any_of(t.ops.begin(), t.ops.end(), [](const proto::MultiTxnOp& o) {
    return std::holds_alternative<proto::ErrorTxn>(o.body);
  });
  bool after_error = false;
  for (const proto::MultiTxnOp& o : t.ops) {
    OpResult r;
    if (const auto* e = std::get_if<proto::ErrorTxn>(&o.body)) {
      after_error = true;
      r.err = static_cast<Err>(e->err);
    } else if (failing) {
      r.err = after_error ? Err::kRuntimeInconsistency : Err::kOk;
    } else {
      r = std::visit([&](const auto& body) { return op(c, body); }, o.body);
    }
    if (out.err == Err::kOk) out.err = r.err;
    bool invalid = std::holds_alternative<proto::CreateSessionTxn>(o.body) ||
                   std::holds_alternative<proto::CloseSessionTxn>(o.body);
    out.multi.push_back(std::move(r));
    if (invalid && !failing) break;  // ZooKeeper stops at an op type it cannot apply
  }
}

std::vector<WatchEvent> DataTree::set_config_node(std::string_view config_text,
                                                  int64_t config_version, int64_t now_ms) {
  std::vector<WatchEvent> events;
  impl_->add_system_nodes();  // ZooKeeper re-adds the node if an old snapshot lacked it
  Impl::Ctx c{0, config_version, now_ms, watches_, events};
  impl_->set_data(c, "/zookeeper/config", config_text, -1);
  return events;
}

ApplyResult DataTree::apply(const proto::Txn& txn) {
  ApplyResult out;
  Impl::Ctx c{txn.header.session_id, txn.header.zxid, txn.header.time_ms, watches_, out.events};
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, proto::MultiTxn>) {
          impl_->multi(c, body, out);
          return;
        } else if constexpr (std::is_same_v<T, proto::CreateSessionTxn>) {
          sessions_[c.session_id] = body.timeout_ms;
        } else if constexpr (std::is_same_v<T, proto::CloseSessionTxn>) {
          sessions_.erase(c.session_id);
          impl_->close_session(c, body.paths_to_delete);
        } else {
          out.single = impl_->op(c, body);
        }
        out.err = out.single.err;
      },
      txn.body);
  last_zxid_ = std::max(last_zxid_, txn.header.zxid);
  return out;
}

}  // namespace paddock::state
