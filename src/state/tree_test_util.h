#pragma once
// Helpers for the state layer's tests: build txns the way prep would.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "proto/txn.h"
#include "proto/types.h"
#include "state/data_tree.h"

namespace paddock::state::testing {

inline proto::AclList open_acl() {
  return {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
}

inline proto::Txn make_txn(int64_t zxid, proto::TxnBody body, int64_t session = 0x100,
                           int64_t time_ms = 1000) {
  proto::Txn t;
  t.header.session_id = session;
  t.header.zxid = zxid;
  t.header.time_ms = time_ms;
  t.body = std::move(body);
  return t;
}

inline proto::CreateTxn create_body(std::string path, proto::NodeData data, int32_t parent_cversion,
                                    bool ephemeral = false) {
  return proto::CreateTxn{std::move(path), std::move(data), open_acl(), ephemeral, parent_cversion};
}

// A node's child names, in the order the tree keeps them.
inline std::vector<std::string> child_names(const Znode& node) {
  std::vector<std::string> out;
  for (const Znode* child : node.children()) out.emplace_back(child->name());
  return out;
}

// Applies txns with consecutive zxids starting after the tree's last zxid and remembers the
// parent cversions prep would have chosen (the parent's current one + 1).
class TreeDriver {
 public:
  explicit TreeDriver(DataTree& tree) : tree_(tree) {}

  int64_t next_zxid() const { return tree_.last_zxid() + 1; }
  int32_t next_cversion(const std::string& path) const {
    auto slash = path.rfind('/');
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    const Znode* p = tree_.find(parent);
    return p == nullptr ? 1 : p->stat.cversion + 1;
  }
  ApplyResult apply(proto::TxnBody body, int64_t session = 0x100, int64_t time_ms = 1000) {
    return tree_.apply(make_txn(next_zxid(), std::move(body), session, time_ms));
  }
  ApplyResult create(const std::string& path, const proto::NodeData& data = std::string(),
                     bool ephemeral = false, int64_t session = 0x100, int64_t time_ms = 1000) {
    return apply(create_body(path, data, next_cversion(path), ephemeral), session, time_ms);
  }
  ApplyResult remove(const std::string& path) { return apply(proto::DeleteTxn{path}); }
  ApplyResult set_data(const std::string& path, const proto::NodeData& data,
                       int64_t time_ms = 1000) {
    const Znode* n = tree_.find(path);
    int32_t version = n == nullptr ? 1 : n->stat.version + 1;
    return apply(proto::SetDataTxn{path, data, version}, 0x100, time_ms);
  }

 private:
  DataTree& tree_;
};

}  // namespace paddock::state::testing
