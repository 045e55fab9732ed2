#include "pipeline/tree_snapshot.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_map>

namespace paddock::pipeline {

TreeSnapshotCursor::TreeSnapshotCursor(const state::DataTree& tree)
    : tree_(tree), start_zxid_(tree.last_zxid()) {
  sessions_.assign(tree.sessions().begin(), tree.sessions().end());
}

void TreeSnapshotCursor::emit_node(storage::SnapshotChunk& chunk, const std::string& path,
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
    stack_.push_back(Frame{"/", "", false});
    root_written_ = true;
  }
  while (!stack_.empty() && chunk.bytes.size() < target_bytes) {
    Frame& f = stack_.back();
    const state::Znode* node = tree_.find(f.path);
    if (node == nullptr) {  // deleted since it was written: its subtree goes with it
      stack_.pop_back();
      continue;
    }
    auto it = f.started ? node->children.upper_bound(f.last_child) : node->children.begin();
    if (it == node->children.end()) {
      stack_.pop_back();
      continue;
    }
    f.started = true;
    f.last_child = *it;
    std::string child = f.path == "/" ? "/" + *it : f.path + "/" + *it;
    const state::Znode* child_node = tree_.find(child);
    if (child_node == nullptr) continue;  // not expected: the parent lists it
    emit_node(chunk, child, *child_node);
    stack_.push_back(Frame{std::move(child), "", false});
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
    proto::NodeData data;
    if (node.data) data.emplace(*node.data);
    return tree_.restore_node(node.path, std::move(data), acl, node.stat);
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
  tree.begin_restore();
  TreeRestorer restorer(tree);
  auto info = storage::read_snapshot(env, path, &restorer);
  if (!info) return info.status();
  if (Status st = tree.finish_restore(info->header.zxid); !st) {
    return Status::error(fmt::format("snapshot {}: {}", path, st.message()));
  }
  return info;
}

}  // namespace paddock::pipeline
