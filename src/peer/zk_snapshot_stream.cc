#include "peer/zk_snapshot_stream.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::peer {
using storage::kZkOpenAclId;

void append_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions,
                             std::string& out) {
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(sessions.size()));
  for (const auto& [id, timeout] : sessions) {
    w.i64(id);
    w.i32(timeout);
  }
  const state::AclTable& acls = tree.acl_table();
  w.i32(static_cast<int32_t>(acls.size()));
  acls.for_each([&](uint32_t id, const proto::AclList& acl) {
    w.i64(id);
    proto::write(w, acl);
  });
  tree.for_each_node([&](std::string_view path, const state::Znode& node) {
    w.string(path == "/" ? std::string_view() : path);  // ZooKeeper's root is ""
    if (auto data = node.data_view()) {
      w.buffer(*data);
    } else {
      w.null_buffer();
    }
    w.i64(node.acl_id == state::AclTable::kOpenId ? kZkOpenAclId : int64_t{node.acl_id});
    proto::write(w, node.stat);
  });
  w.string(kZkSnapshotEndPath);
}

std::string encode_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions) {
  std::string out;
  append_zk_snapshot_body(tree, sessions, out);
  return out;
}

std::string encode_zk_snapshot_body(const state::DataTree& tree) {
  return encode_zk_snapshot_body(tree,
                                 SessionTimeouts(tree.sessions().begin(), tree.sessions().end()));
}

// --- loading into a tree ---------------------------------------------------------------------

namespace {

class TreeLoader final : public ZkSnapshotBodyVisitor {
 public:
  explicit TreeLoader(state::DataTree& tree) : tree_(tree) {}

  Status on_session(int64_t session_id, int32_t timeout_ms) override {
    tree_.restore_session(session_id, timeout_ms);
    ++load_.sessions;
    return Status::ok();
  }
  Status on_acl(int64_t acl_id, proto::AclList acl) override {
    acls_[acl_id] = std::move(acl);
    ++load_.acls;
    return Status::ok();
  }
  Status on_node(storage::ZkSnapshotNode node) override {
    if (load_.nodes == 0 && !node.path.empty()) {
      return Status::error(fmt::format("first node is '{}', not the root", node.path));
    }
    const std::string_view path = node.path.empty() ? std::string_view("/") : node.path;
    std::optional<proto::AclList> acl;  // ZooKeeper's -1: the open ACL
    if (node.acl_id != kZkOpenAclId) {
      auto it = acls_.find(node.acl_id);
      if (it == acls_.end()) {
        return Status::error(
            fmt::format("node '{}' uses ACL id {} missing from the ACL cache", path, node.acl_id));
      }
      acl = it->second;
    }
    std::optional<std::string_view> data;
    if (node.data) data = *node.data;
    ++load_.nodes;
    return tree_.restore_node(path, data, acl, node.stat);
  }
  const ZkSnapshotLoad& load() const { return load_; }

 private:
  state::DataTree& tree_;
  std::map<int64_t, proto::AclList> acls_;
  ZkSnapshotLoad load_;
};

}  // namespace

Result<ZkSnapshotLoad> load_zk_snapshot_body(std::string_view body, int64_t last_zxid,
                                             state::DataTree& tree) {
  tree.begin_restore();
  TreeLoader loader(tree);
  ZkSnapshotBodyParser parser(kZkPeerMaxBuffer);
  auto done = parser.advance(body, &loader);
  if (!done) return done.status();
  if (!*done)
    return Status::error(
        fmt::format("snapshot body ends after {} bytes, inside an item", body.size()));
  if (parser.position() != body.size()) {
    return Status::error(fmt::format("{} unexpected bytes after the snapshot body's end marker",
                                     body.size() - parser.position()));
  }
  if (loader.load().nodes == 0) return Status::error("snapshot body holds no root node");
  if (Status st = tree.finish_restore(last_zxid); !st) return st;
  return loader.load();
}

}  // namespace paddock::peer
