#include "durable/tree_snapshot.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_map>

namespace paddock::durable {

TreeSnapshotCursor::TreeSnapshotCursor(const state::DataTree& tree)
    : tree_(tree), start_zxid_(tree.last_zxid()) {
  sessions_.assign(tree.sessions().begin(), tree.sessions().end());
}

void TreeSnapshotCursor::emit_node(storage::SnapshotChunk& chunk, std::string_view path,
                                   const state::Znode& node) {
  if (node.acl_id != state::AclTable::kOpenId && acls_written_.insert(node.acl_id).second) {
    chunk.add_acl(node.acl_id, tree_.acl(node));
  }
  chunk.add_node(path, node.data_view(), node.acl_id, node.stat);
}

bool TreeSnapshotCursor::next_chunk(storage::SnapshotChunk& chunk, size_t target_bytes) {
  if (!sessions_written_) {
    for (const auto& [id, timeout] : sessions_) chunk.add_session(id, timeout);
    sessions_written_ = true;
  }
  if (!root_written_) {
    const state::Znode* root = tree_.find("/");
    if (root != nullptr) emit_node(chunk, "/", *root);
    stack_.push_back(Frame{"/", "", false, nullptr, {}});
    root_written_ = true;
  }
  // Node pointers and child-list iterators stay valid during this call only (the tree
  // changes between calls): each frame finds its node again, once per call.
  for (Frame& f : stack_) f.node = nullptr;
  while (!stack_.empty() && chunk.bytes.size() < target_bytes) {
    Frame& f = stack_.back();
    if (f.node == nullptr) {
      f.node = tree_.find(f.path);
      if (f.node == nullptr) {  // deleted since it was written: its subtree goes with it
        stack_.pop_back();
        continue;
      }
      // Resume by name: a child that exists throughout is found again however the list
      // changed between calls.
      const state::ChildList& children = f.node->children();
      f.next = f.started ? children.upper_bound(f.last_child) : children.begin();
    }
    if (f.next == f.node->children().end()) {
      stack_.pop_back();
      continue;
    }
    const state::Znode* child = *f.next++;
    f.started = true;
    f.last_child.assign(child->name());
    emit_node(chunk, child->path(), *child);
    // A leaf needs no frame: children added to it after this call were not there
    // throughout, and recovery replays their creation.
    if (!child->children().empty()) {
      stack_.push_back(
          Frame{std::string(child->path()), "", false, child, child->children().begin()});
    }
  }
  done_ = stack_.empty();
  return done_;
}

Result<std::string> write_tree_snapshot(storage::Env& env, const std::string& dir,
                                        const state::DataTree& tree, uint64_t dbid,
                                        int64_t created_ms, int64_t end_zxid, int64_t end_digest) {
  storage::SnapshotWriteOptions options;
  options.dir = dir;
  options.header.zxid = tree.last_zxid();
  options.header.dbid = dbid;
  options.header.created_ms = created_ms;
  auto writer = storage::SnapshotFileWriter::create(env, options);
  if (!writer) return writer.status();
  TreeSnapshotCursor cursor(tree);
  bool done = false;
  while (!done) {
    storage::SnapshotChunk chunk;
    done = cursor.next_chunk(chunk, 1 << 20);
    if (Status st = (*writer)->add(chunk); !st) return st;
  }
  if (end_zxid < 0) {
    end_zxid = tree.last_zxid();
    end_digest = tree.digest();
  }
  return (*writer)->finish(end_zxid, end_digest);
}

namespace {

class TreeRestorer final : public storage::SnapshotVisitor {
 public:
  explicit TreeRestorer(state::DataTree& tree) : tree_(tree) {}

  Status on_session(int64_t session_id, int32_t timeout_ms) override {
    tree_.restore_session(session_id, timeout_ms);
    return Status::ok();
  }
  Status on_acl(uint32_t acl_id, const proto::AclList& acl) override {
    acls_[acl_id] = acl;
    return Status::ok();
  }
  Status on_node(const storage::SnapshotNode& node) override {
    if (first_ && node.path != "/") {
      return Status::error(fmt::format("first node is '{}', not the root", node.path));
    }
    first_ = false;
    const std::optional<proto::AclList>& acl = node.acl_id == 0 ? kOpen : acls_[node.acl_id];
    return tree_.restore_node(node.path, node.data, acl, node.stat);
  }

 private:
  inline static const std::optional<proto::AclList> kOpen;
  state::DataTree& tree_;
  std::unordered_map<uint32_t, std::optional<proto::AclList>> acls_;
  bool first_ = true;
};

}  // namespace

Result<storage::SnapshotInfo> load_tree_snapshot(storage::Env& env, const std::string& path,
                                                 state::DataTree& tree) {
  // The trailer's node count sizes the node table once (a damaged file fails below).
  auto peek = storage::peek_snapshot(env, path);
  tree.begin_restore(peek ? static_cast<size_t>(peek->trailer.nodes) : 0);
  TreeRestorer restorer(tree);
  auto info = storage::read_snapshot(env, path, &restorer);
  if (!info) return info.status();
  if (Status st = tree.finish_restore(info->header.zxid); !st) {
    return Status::error(fmt::format("snapshot {}: {}", path, st.message()));
  }
  return info;
}

}  // namespace paddock::durable
