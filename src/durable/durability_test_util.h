#pragma once
// Test helpers for snapshots and recovery: a seeded stream of random writes made by a real
// Database (so every txn is one the server could have logged), and a full dump of a tree
// for comparing two trees exactly.
#include <fmt/format.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "proto/records.h"
#include "proto/txn.h"
#include "state/database.h"
#include "storage/snapshot_format.h"

namespace paddock::durable::testing {

// The snapshot dir of a server whose dataDir is /data (on an in-memory Env).
inline const std::string kSnapDir = storage::snapshot_dir("/data");

inline const proto::AclList kAcls[] = {
    {{proto::perm::kAll, {"world", "anyone"}}},
    {{proto::perm::kRead, {"world", "anyone"}}, {proto::perm::kAll, {"ip", "127.0.0.1"}}},
    {{proto::perm::kAll, {"digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="}}},
};

// Makes random txns with Database::prep (creates of every kind, deletes, setData, setACL,
// session create/close) and applies them to `db`, keeping each txn.
class TxnGenerator {
 public:
  TxnGenerator(state::Database& db, uint64_t seed) : db_(db), random_(seed) {}

  proto::Txn next() {
    proto::Txn txn = make();
    db_.apply(txn, nullptr);
    history.push_back(txn);
    return txn;
  }
  // Continues a history that already reached `zxid` (a recovered database).
  void continue_after(int64_t zxid) { zxid_ = zxid; }
  void run(int n) {
    for (int i = 0; i < n; ++i) next();
  }

  std::vector<proto::Txn> history;

 private:
  int pick(int n) { return static_cast<int>(random_() % static_cast<uint64_t>(n)); }

  std::string path() {
    static const char* kParents[] = {"", "/a", "/a/b", "/c", "/a/b/d"};
    static const char* kNames[] = {"a", "b", "c", "d", "x", "y", "seq-"};
    return std::string(kParents[pick(5)]) + "/" + kNames[pick(7)];
  }

  proto::Txn make() {
    const int64_t zxid = ++zxid_;
    now_ += 1 + pick(5);
    const int op = pick(100);
    if (sessions_.empty() || op < 6) {
      const int64_t id = 0x100000000000 + static_cast<int64_t>(++session_counter_);
      sessions_.push_back(id);
      return db_.prep_create_session(id, 4000 + 1000 * pick(20), zxid, now_);
    }
    const int64_t session =
        sessions_[static_cast<size_t>(pick(static_cast<int>(sessions_.size())))];
    if (op < 9) {
      sessions_.erase(std::find(sessions_.begin(), sessions_.end(), session));
      return db_.prep_close_session(session, zxid, now_);
    }
    state::Request r;
    r.session_id = session;
    r.auth = &auth_;
    std::string body;
    if (op < 55) {
      proto::NodeData data = fmt::format("v{}", zxid);
      if (pick(8) == 0) data = std::nullopt;
      const int32_t flags = pick(4);  // persistent, ephemeral, sequential, both
      r.op = proto::OpCode::kCreate;
      body = proto::encode(proto::CreateRequest{path(), data, kAcls[pick(3)], flags});
    } else if (op < 70) {
      r.op = proto::OpCode::kDelete;
      body = proto::encode(proto::DeleteRequest{path(), -1});
    } else if (op < 90) {
      proto::NodeData data = fmt::format("set{}", zxid);
      if (pick(8) == 0) data = std::nullopt;
      r.op = proto::OpCode::kSetData;
      body = proto::encode(proto::SetDataRequest{path(), data, -1});
    } else {
      r.op = proto::OpCode::kSetACL;
      body = proto::encode(proto::SetAclRequest{path(), kAcls[pick(3)], -1});
    }
    r.body = body;
    return db_.prep(r, zxid, now_);
  }

  state::Database& db_;
  std::mt19937_64 random_;
  int64_t zxid_ = 0;
  int64_t now_ = 1'700'000'000'000;
  uint64_t session_counter_ = 0;
  std::vector<int64_t> sessions_;
  std::vector<proto::Id> auth_{{"ip", "127.0.0.1"}, {"digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="}};
};

// Everything a tree holds that a snapshot must keep, one line per node/session.
inline std::vector<std::string> dump(const state::DataTree& tree) {
  std::vector<std::string> out;
  tree.for_each_node([&](std::string_view path, const state::Znode& n) {
    const proto::StatPersisted& s = n.stat;
    std::string acl;
    for (const auto& a : tree.acl(n))
      acl += fmt::format("{}:{}:{},", a.perms, a.id.scheme, a.id.id);
    out.push_back(
        fmt::format("{} data={} czxid={} mzxid={} ctime={} mtime={} v={} cv={} av={} "
                    "owner={:x} pzxid={} children={} acl={}",
                    path, n.data_null() ? "null" : "'" + std::string(n.data()) + "'", s.czxid,
                    s.mzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion, s.ephemeral_owner,
                    s.pzxid, n.children().size(), acl));
  });
  for (const auto& [id, timeout] : tree.sessions()) {
    out.push_back(fmt::format("session {:x} timeout={} ephemerals={}", id, timeout,
                              tree.ephemerals(id).size()));
  }
  out.push_back(fmt::format("last_zxid={} digest={} nodes={} ephemerals={}", tree.last_zxid(),
                            tree.digest(), tree.node_count(), tree.ephemeral_count()));
  return out;
}

}  // namespace paddock::durable::testing
