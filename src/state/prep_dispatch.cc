// Prep entry points: the request dispatch, single ops, multi, and the txns the server makes
// itself (sessions, container clean-up).
#include <algorithm>
#include <set>

#include "state/java_hash_order.h"
#include "state/op_table.h"
#include "state/prep.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;

const std::vector<proto::Id>& ids_of(const Request& request) {
  static const std::vector<proto::Id> kNone;  // immutable: not shared mutable state
  return request.auth != nullptr ? *request.auth : kNone;
}

proto::TxnBody widen(proto::SimpleTxnBody body) {
  return std::visit([](auto&& b) -> proto::TxnBody { return std::move(b); }, std::move(body));
}

// ReconfigRequest{joiningServers, leavingServers, newMembers, curConfigId}.
bool is_reconfig_request(std::string_view body) {
  proto::JuteReader r(body);
  r.nullable_buffer();
  r.nullable_buffer();
  r.nullable_buffer();
  r.i64();
  return r.ok();
}

}  // namespace

proto::Txn Preparer::prep(const Request& request, int64_t zxid, int64_t now_ms) {
  const int64_t sid = request.session_id;
  switch (request.op) {
    case OpCode::kMulti:
      return prep_multi(request, zxid, now_ms);
    case OpCode::kCreateSession: {
      // As a learner forwards it: the body is the negotiated timeout.
      proto::JuteReader r(request.body, options_.decode_limit());
      int32_t timeout = r.i32();
      if (!r.ok()) return error_txn(sid, request.xid, zxid, now_ms, Err::kMarshallingError);
      proto::Txn txn = create_session(sid, timeout, zxid, now_ms);
      txn.header.cxid = request.xid;
      return txn;
    }
    case OpCode::kCloseSession:
      return close_session(sid, request.xid, zxid, now_ms);
    case OpCode::kDeleteContainer:  // the body is the bare path (ContainerManager's request)
      return delete_container(std::string(request.body), zxid, now_ms);
    case OpCode::kReconfig:
      // Dynamic reconfiguration is off (reconfigEnabled=false), as in a default ZooKeeper.
      return error_txn(
          sid, request.xid, zxid, now_ms,
          is_reconfig_request(request.body) ? Err::kReconfigDisabled : Err::kMarshallingError);
    default:
      if (op_info(request.op).single_write) return prep_single(request, zxid, now_ms);
      return error_txn(sid, request.xid, zxid, now_ms, Err::kUnimplemented);
  }
}

proto::Txn Preparer::prep_single(const Request& request, int64_t zxid, int64_t now_ms) {
  const int64_t sid = request.session_id;
  proto::JuteReader r(request.body, options_.decode_limit());
  WriteOp op;
  if (!read_write_op(r, static_cast<int32_t>(request.op), op) || !r.ok()) {
    // A record that does not decode still consumes a zxid in ZooKeeper (ErrorTxn -5).
    return error_txn(sid, request.xid, zxid, now_ms, Err::kMarshallingError);
  }
  OpContext ctx{sid, ids_of(request), zxid, now_ms, false};
  OpTxn out;
  if (Err e = prep_op(op, ctx, out); e != Err::kOk) {
    return error_txn(sid, request.xid, zxid, now_ms, e);
  }
  return make_txn(sid, request.xid, zxid, now_ms, out.type, widen(std::move(out.body)));
}

// All or nothing: each op is prepped with the changes of the ops before it in view; on the
// first failure the changes of this multi are rolled back, the failing op becomes
// error(code) and every later op error(RUNTIMEINCONSISTENCY); ops before it keep their
// bodies (the txn is then applied as a no-op).
proto::Txn Preparer::prep_multi(const Request& request, int64_t zxid, int64_t now_ms) {
  const int64_t sid = request.session_id;
  proto::JuteReader r(request.body, options_.decode_limit());
  std::vector<std::pair<int32_t, WriteOp>> ops;
  while (true) {
    proto::MultiHeader h;
    read(r, h);
    if (!r.ok()) break;
    if (h.done) break;
    WriteOp op;
    // Read ops, setACL, session ops... in a write multi: ZooKeeper refuses the whole
    // request as MARSHALLINGERROR (and still logs an error txn).
    if (!op_info(h.type).in_multi || !read_write_op(r, h.type, op)) r.fail();
    if (!r.ok()) break;
    ops.emplace_back(h.type, std::move(op));
  }
  if (!r.ok()) return error_txn(sid, request.xid, zxid, now_ms, Err::kMarshallingError);

  OpContext ctx{sid, ids_of(request), zxid, now_ms, true};
  const uint64_t mark = pending_.mark();
  proto::MultiTxn multi;
  bool failed = false;
  for (const auto& [type, op] : ops) {
    if (failed) {
      multi.ops.push_back(
          proto::MultiTxnOp{static_cast<int32_t>(OpCode::kError),
                            proto::ErrorTxn{static_cast<int32_t>(Err::kRuntimeInconsistency)}});
      continue;
    }
    OpTxn out;
    if (Err e = prep_op(op, ctx, out); e != Err::kOk) {
      failed = true;
      pending_.rollback(mark);
      multi.ops.push_back(proto::MultiTxnOp{static_cast<int32_t>(OpCode::kError),
                                            proto::ErrorTxn{static_cast<int32_t>(e)}});
      continue;
    }
    multi.ops.push_back(proto::MultiTxnOp{out.type, std::move(out.body)});
  }
  return make_txn(sid, request.xid, zxid, now_ms, static_cast<int32_t>(OpCode::kMulti),
                  std::move(multi));
}

proto::Txn Preparer::create_session(int64_t session_id, int32_t timeout_ms, int64_t zxid,
                                    int64_t now_ms) {
  pending_.session_created(session_id, zxid);
  return make_txn(session_id, 0, zxid, now_ms, static_cast<int32_t>(OpCode::kCreateSession),
                  proto::CreateSessionTxn{timeout_ms});
}

// The session's ephemerals as they will be when the close applies, in the order ZooKeeper
// logs them: its HashSet of the session's ephemerals cloned, then each pending change in
// order (a deletion removes the path, a node of this session adds it), then that set's
// iteration order. That order decides the order of the NodeDeleted events. The tree's
// paths are taken in creation order (czxid; paths created by one multi by name, where
// ZooKeeper keeps the op order).
std::vector<std::string> Preparer::session_ephemerals(int64_t session_id) const {
  std::vector<std::pair<int64_t, std::string>> by_creation;
  for (const std::string& path : tree_.ephemerals(session_id)) {
    const Znode* node = tree_.find(path);
    by_creation.emplace_back(node != nullptr ? node->stat.czxid : 0, path);
  }
  std::sort(by_creation.begin(), by_creation.end());
  std::vector<std::string> paths;
  paths.reserve(by_creation.size());
  for (auto& [czxid, path] : by_creation) paths.push_back(std::move(path));
  JavaHashSetOrder set = JavaHashSetOrder::clone_of(
      paths, JavaHashSetOrder::capacity_for_peak(tree_.ephemeral_peak(session_id)));
  pending_.for_each_change([&](const std::string& path, const PendingChanges::Change& c) {
    if (!c.node) {
      set.remove(path);
    } else if (c.node->stat.ephemeral_owner == session_id) {
      set.add(path);
    }
  });
  return set.paths();
}

proto::Txn Preparer::close_session(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms) {
  std::vector<std::string> paths = session_ephemerals(session_id);
  for (const std::string& path : paths) {
    std::optional<NodeRecord> parent = node(parent_of(path));
    if (parent) {
      add_removal(zxid, path, std::move(*parent));
    } else {
      pending_.add(zxid, path, std::nullopt);
    }
  }
  pending_.session_closing(session_id, zxid);
  return make_txn(session_id, cxid, zxid, now_ms, static_cast<int32_t>(OpCode::kCloseSession),
                  proto::CloseSessionTxn{std::move(paths)});
}

// ZooKeeper deletes whatever is at the path if it has no children and is not a session's
// ephemeral (errors NONODE / NOTEMPTY / BADVERSION). Paddock also requires it still to be a
// container, or a TTL node whose TTL has passed, since a pending write may have replaced or
// refreshed it after the clean-up pass chose it; otherwise BADVERSION.
proto::Txn Preparer::delete_container(const std::string& path, int64_t zxid, int64_t now_ms) {
  auto fail = [&](Err e) { return error_txn(0, 0, zxid, now_ms, e); };
  if (path.find('/') == std::string::npos || path.find('\0') != std::string::npos ||
      is_special_path(path)) {
    return fail(Err::kBadArguments);
  }
  std::optional<NodeRecord> target = node(path);
  if (!target) return fail(Err::kNoNode);
  if (target->child_count > 0) return fail(Err::kNotEmpty);
  const int64_t owner = target->stat.ephemeral_owner;
  const NodeKind kind = node_kind(owner);
  if (kind == NodeKind::kSession || kind == NodeKind::kPersistent) return fail(Err::kBadVersion);
  if (kind == NodeKind::kTtl && now_ms - target->stat.mtime <= (owner & proto::kMaxTtlMs)) {
    return fail(Err::kBadVersion);
  }
  std::optional<NodeRecord> parent = node(parent_of(path));
  if (!parent) return fail(Err::kNoNode);
  add_removal(zxid, path, std::move(*parent));
  return make_txn(0, 0, zxid, now_ms, static_cast<int32_t>(OpCode::kDeleteContainer),
                  proto::DeleteTxn{path});
}

}  // namespace paddock::state
