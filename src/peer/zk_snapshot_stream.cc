#include "peer/zk_snapshot_stream.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <optional>

#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::peer {
namespace {

constexpr size_t kStatPersistedBytes = 60;
constexpr int64_t kOpenAclId = -1;

// A reader failure that more bytes could cure (the input ended inside the item), as opposed
// to bytes that are wrong whatever follows.
bool needs_more(const proto::JuteReader& r) {
  const char* why = r.failure();
  return why != nullptr && (std::strcmp(why, "truncated") == 0 ||
                            std::strcmp(why, "vector count exceeds remaining bytes") == 0);
}

}  // namespace

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
    w.i64(node.acl_id == state::AclTable::kOpenId ? kOpenAclId : int64_t{node.acl_id});
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

// --- parsing ---------------------------------------------------------------------------------

ZkSnapshotBodyParser::ZkSnapshotBodyParser(size_t max_buffer)
    : max_buffer_(max_buffer), max_item_bytes_(2 * max_buffer + 1024) {}

Result<bool> ZkSnapshotBodyParser::advance(std::string_view body, ZkSnapshotBodyVisitor* visitor) {
  PADDOCK_ASSERT(body.size() >= pos_);
  while (phase_ != Phase::kDone) {
    std::string_view rest = body.substr(pos_);
    auto stepped = step(rest, visitor);
    if (!stepped) {
      return Status::error(fmt::format("snapshot body offset {}: {}", pos_, stepped.error()));
    }
    if (*stepped == Step::kNeedMore) {
      if (rest.size() >= max_item_bytes_) {
        return Status::error(fmt::format("snapshot body offset {}: an item runs past {} bytes",
                                         pos_, max_item_bytes_));
      }
      return false;
    }
  }
  return true;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::step(std::string_view rest,
                                                              ZkSnapshotBodyVisitor* visitor) {
  switch (phase_) {
    case Phase::kSessionCount:
      return read_count(rest, Phase::kSessions);
    case Phase::kSessions:
      if (left_ == 0) {
        phase_ = Phase::kAclCount;
        return Step::kDone;
      }
      return read_session(rest, visitor);
    case Phase::kAclCount:
      return read_count(rest, Phase::kAcls);
    case Phase::kAcls:
      if (left_ == 0) {
        phase_ = Phase::kNodes;
        return Step::kDone;
      }
      return read_acl(rest, visitor);
    case Phase::kNodes:
      return read_node(rest, visitor);
    case Phase::kDone:
      break;
  }
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_count(std::string_view rest,
                                                                    Phase next) {
  proto::JuteReader r(rest, max_buffer_);
  const int32_t count = r.i32();
  if (!r.ok()) return Step::kNeedMore;
  if (count < 0) return Status::error(fmt::format("negative count {}", count));
  left_ = count;
  pos_ += 4;
  phase_ = next;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_session(
    std::string_view rest, ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  const int64_t id = r.i64();
  const int32_t timeout = r.i32();
  if (!r.ok()) return Step::kNeedMore;
  if (visitor != nullptr) {
    if (Status st = visitor->on_session(id, timeout); !st) return st;
  }
  pos_ += r.position();
  --left_;
  ++sessions_;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_acl(std::string_view rest,
                                                                  ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  const int64_t id = r.i64();
  proto::AclList acl;
  proto::read(r, acl);
  if (!r.ok()) {
    if (needs_more(r)) return Step::kNeedMore;
    return Status::error(fmt::format("ACL cache entry: {}", r.failure()));
  }
  if (visitor != nullptr) {
    if (Status st = visitor->on_acl(id, std::move(acl)); !st) return st;
  }
  pos_ += r.position();
  --left_;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_node(std::string_view rest,
                                                                   ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  storage::ZkSnapshotNode node;
  node.path = r.string();
  if (r.ok() && node.path == kZkSnapshotEndPath) {
    pos_ += r.position();
    phase_ = Phase::kDone;
    return Step::kDone;
  }
  node.data = r.nullable_buffer();
  node.acl_id = r.i64();
  if (r.ok() && r.remaining() < kStatPersistedBytes) return Step::kNeedMore;
  proto::read(r, node.stat);
  if (!r.ok()) {
    if (needs_more(r)) return Step::kNeedMore;
    return Status::error(fmt::format("node record: {}", r.failure()));
  }
  const size_t size = r.position();
  if (visitor != nullptr) {
    if (Status st = visitor->on_node(std::move(node)); !st) return st;
  }
  pos_ += size;
  ++nodes_;
  return Step::kDone;
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
    if (node.acl_id != kOpenAclId) {
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
  ZkSnapshotBodyParser parser;
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
