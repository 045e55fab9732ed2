// Prep of single write ops (create*, delete, setData, setACL, check): ZooKeeper 3.8's checks
// in its order. Each check's position was confirmed against the real server (README-acl.md).
#include "state/prep.h"

#include <cstdio>

#include "proto/path.h"

namespace paddock::state {
namespace {

using proto::Err;

// ZooKeeper's first, cheap path test for create/delete: a '/' somewhere and no NUL.
bool has_bad_shape(std::string_view p) {
  return p.find('/') == std::string_view::npos || p.find('\0') != std::string_view::npos;
}

bool is_sequential(int32_t mode) { return mode == 2 || mode == 3 || mode == 6; }
bool is_ephemeral(int32_t mode) { return mode == 1 || mode == 3; }
bool is_ttl(int32_t mode) { return mode == 5 || mode == 6; }

std::string sequence_suffix(int32_t cversion) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", cversion);  // Java's %010d: sign counts in width
  return buf;
}

// Versions wrap like Java ints.
int32_t next_version(int32_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v) + 1u); }

bool version_matches(int32_t expected, int32_t current) {
  return expected == -1 || expected == current;
}

proto::StatPersisted new_node_stat(int64_t zxid, int64_t now_ms, int64_t owner) {
  proto::StatPersisted s;
  s.czxid = s.mzxid = s.pzxid = zxid;
  s.ctime = s.mtime = now_ms;
  s.ephemeral_owner = owner;
  return s;
}

}  // namespace

NodeKind node_kind(int64_t owner) {
  // The tree's rule: the TTL marker byte with the extended-type bits clear.
  constexpr uint64_t kExtendedTypeBits = 0x00FFFF0000000000ULL;
  if (owner == 0) return NodeKind::kPersistent;
  if (owner == proto::kContainerOwner) return NodeKind::kContainer;
  auto bits = static_cast<uint64_t>(owner);
  auto mask = static_cast<uint64_t>(proto::kTtlOwnerMask);
  if ((bits & mask) == mask && (bits & kExtendedTypeBits) == 0) return NodeKind::kTtl;
  return NodeKind::kSession;
}

bool is_special_path(std::string_view p) {
  return p == "/" || p == "/zookeeper" || p == "/zookeeper/quota" || p == "/zookeeper/config";
}

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

proto::Txn make_txn(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms, int32_t type,
                    proto::TxnBody body) {
  proto::Txn txn;
  txn.header = proto::TxnHeader{session_id, cxid, zxid, now_ms, type};
  txn.body = std::move(body);
  return txn;
}

proto::Txn error_txn(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms, Err err) {
  return make_txn(session_id, cxid, zxid, now_ms, static_cast<int32_t>(proto::OpCode::kError),
                  proto::ErrorTxn{static_cast<int32_t>(err)});
}

bool read_write_op(proto::JuteReader& r, int32_t type, WriteOp& out) {
  using proto::OpCode;
  switch (static_cast<OpCode>(type)) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer: {
      proto::CreateRequest c;
      read(r, c);
      out = CreateOp{type, proto::CreateTtlRequest{c.path, c.data, c.acl, c.flags, -1}};
      return true;
    }
    case OpCode::kCreateTTL: {
      proto::CreateTtlRequest c;
      read(r, c);
      out = CreateOp{type, std::move(c)};
      return true;
    }
    case OpCode::kDelete:
      return read(r, out.emplace<proto::DeleteRequest>()), true;
    case OpCode::kSetData:
      return read(r, out.emplace<proto::SetDataRequest>()), true;
    case OpCode::kCheck:
      return read(r, out.emplace<proto::CheckVersionRequest>()), true;
    case OpCode::kSetACL:
      return read(r, out.emplace<proto::SetAclRequest>()), true;
    default:
      return false;
  }
}

std::optional<NodeRecord> Preparer::node(std::string_view path) const {
  if (path.empty()) path = "/";  // ZooKeeper keys the root as "" too
  if (const PendingChanges::Change* change = pending_.latest(path)) return change->node;
  const Znode* z = tree_.find(path);
  if (z == nullptr) return std::nullopt;
  NodeRecord rec;
  rec.stat = z->stat;
  rec.acl = tree_.acl(*z);
  rec.child_count = static_cast<int32_t>(z->children().size());
  rec.data_length = static_cast<int64_t>(z->data_size());
  return rec;
}

Err Preparer::check_session(int64_t session_id) const {
  // ZooKeeper's checkSession: a session being closed may not write any more.
  return pending_.is_closing(session_id) ? Err::kSessionExpired : Err::kOk;
}

Err Preparer::check_quota(std::string_view path, int64_t count_delta, int64_t bytes_delta) const {
  if (!options_.enforce_quota) return Err::kOk;
  return tree_.check_quota(path, count_delta, bytes_delta);
}

void Preparer::add_removal(int64_t zxid, const std::string& path, NodeRecord parent) {
  parent.child_count -= 1;
  parent.stat.pzxid = zxid;
  pending_.add(zxid, parent_of(path), std::move(parent));
  pending_.add(zxid, path, std::nullopt);
}

Err Preparer::prep_op(const WriteOp& op, const OpContext& ctx, OpTxn& out) {
  return std::visit(
      [&](const auto& req) -> Err {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, CreateOp>) return prep_create(req, ctx, out);
        if constexpr (std::is_same_v<T, proto::DeleteRequest>) return prep_delete(req, ctx, out);
        if constexpr (std::is_same_v<T, proto::SetDataRequest>) {
          return prep_set_data(req, ctx, out);
        }
        if constexpr (std::is_same_v<T, proto::SetAclRequest>) return prep_set_acl(req, ctx, out);
        if constexpr (std::is_same_v<T, proto::CheckVersionRequest>) {
          return prep_check(req, ctx, out);
        }
      },
      op);
}

// Mode and TTL rules (CreateMode.fromFlag, validateCreateRequest, EphemeralType.validateTTL),
// then the session.
Err Preparer::check_create_mode(const CreateOp& op, const OpContext& ctx) const {
  const int32_t mode = op.req.flags;
  if (mode < 0 || mode > 6) return Err::kBadArguments;
  if (is_ttl(mode) && !options_.extended_types_enabled) return Err::kUnimplemented;
  const int64_t ttl = op.req.ttl;
  if (is_ttl(mode) ? (ttl <= 0 || ttl > proto::kMaxTtlMs) : ttl >= 0) return Err::kBadArguments;
  // ZooKeeper 3.8.0 accepts createTTL with a non-TTL mode and ttl < 0, then dies applying it
  // (its log cannot even be replayed): refused here instead.
  if (op.op == static_cast<int32_t>(proto::OpCode::kCreateTTL) && !is_ttl(mode)) {
    return Err::kBadArguments;
  }
  if (Err e = check_session(ctx.session_id); e != Err::kOk) return e;
  // An ephemeral needs a live session (checkGlobalSession): one the tree knows or one whose
  // createSession is pending.
  if (is_ephemeral(mode) && tree_.sessions().count(ctx.session_id) == 0 &&
      !pending_.is_creating(ctx.session_id)) {
    return Err::kSessionExpired;
  }
  return Err::kOk;
}

Err Preparer::prep_create(const CreateOp& op, const OpContext& ctx, OpTxn& out) {
  const proto::CreateTtlRequest& req = op.req;
  if (Err e = check_create_mode(op, ctx); e != Err::kOk) return e;
  if (has_bad_shape(req.path)) return Err::kBadArguments;
  proto::AclList acl;
  if (Err e = fixup_acl(req.acl, ctx.auth, acl); e != Err::kOk) return e;
  const std::string parent_path = parent_of(req.path);
  std::optional<NodeRecord> parent = node(parent_path);
  if (!parent) return Err::kNoNode;
  if (!acl_.permits(parent->acl, proto::perm::kCreate, ctx.auth)) return Err::kNoAuth;
  std::string path = req.path;
  if (is_sequential(req.flags)) path += sequence_suffix(parent->stat.cversion);
  // The full rules come after the parent and ACL checks, as in ZooKeeper ("/a/" -> NONODE
  // when /a is missing, BADARGUMENTS when it exists).
  if (proto::validate_path(path, false) != Err::kOk) return Err::kBadArguments;
  if (node(path)) return Err::kNodeExists;
  if (node_kind(parent->stat.ephemeral_owner) == NodeKind::kSession) {
    return Err::kNoChildrenForEphemerals;
  }
  const auto data_bytes = static_cast<int64_t>(proto::data_size(req.data));
  if (Err e = check_quota(path, 1, data_bytes); e != Err::kOk) return e;

  const int32_t cversion = next_version(parent->stat.cversion);
  int64_t owner = 0;
  switch (static_cast<proto::OpCode>(op.op)) {
    case proto::OpCode::kCreateContainer:
      owner = proto::kContainerOwner;
      out = OpTxn{op.op, proto::CreateContainerTxn{path, req.data, acl, cversion}};
      break;
    case proto::OpCode::kCreateTTL:
      owner = proto::kTtlOwnerMask | req.ttl;
      out = OpTxn{op.op, proto::CreateTtlTxn{path, req.data, acl, cversion, req.ttl}};
      break;
    default: {
      const bool ephemeral = is_ephemeral(req.flags);
      owner = ephemeral ? ctx.session_id : 0;
      // Inside a multi, create2 is logged (and answered) as a plain create.
      const int32_t type = ctx.in_multi ? static_cast<int32_t>(proto::OpCode::kCreate) : op.op;
      out = OpTxn{type, proto::CreateTxn{path, req.data, acl, ephemeral, cversion}};
    }
  }
  parent->stat.cversion = cversion;
  parent->stat.pzxid = ctx.zxid;
  parent->child_count += 1;
  pending_.add(ctx.zxid, parent_path == "" ? "/" : parent_path, std::move(*parent));
  pending_.add(
      ctx.zxid, path,
      NodeRecord{new_node_stat(ctx.zxid, ctx.now_ms, owner), std::move(acl), 0, data_bytes});
  return Err::kOk;
}

Err Preparer::prep_delete(const proto::DeleteRequest& req, const OpContext& ctx, OpTxn& out) {
  if (Err e = check_session(ctx.session_id); e != Err::kOk) return e;
  // No full path validation for delete in ZooKeeper: "/a/" or "/a/." simply do not exist.
  if (has_bad_shape(req.path) || is_special_path(req.path)) return Err::kBadArguments;
  std::optional<NodeRecord> parent = node(parent_of(req.path));
  if (!parent) return Err::kNoNode;
  if (!acl_.permits(parent->acl, proto::perm::kDelete, ctx.auth)) return Err::kNoAuth;
  std::optional<NodeRecord> target = node(req.path);
  if (!target) return Err::kNoNode;
  if (!version_matches(req.version, target->stat.version)) return Err::kBadVersion;
  if (target->child_count > 0) return Err::kNotEmpty;
  out = OpTxn{static_cast<int32_t>(proto::OpCode::kDelete), proto::DeleteTxn{req.path}};
  add_removal(ctx.zxid, req.path, std::move(*parent));
  return Err::kOk;
}

Err Preparer::prep_set_data(const proto::SetDataRequest& req, const OpContext& ctx, OpTxn& out) {
  if (Err e = check_session(ctx.session_id); e != Err::kOk) return e;
  if (proto::validate_path(req.path, false) != Err::kOk) return Err::kBadArguments;
  std::optional<NodeRecord> target = node(req.path);
  if (!target) return Err::kNoNode;
  if (!acl_.permits(target->acl, proto::perm::kWrite, ctx.auth)) return Err::kNoAuth;
  const auto data_bytes = static_cast<int64_t>(proto::data_size(req.data));
  if (Err e = check_quota(req.path, 0, data_bytes - target->data_length); e != Err::kOk) {
    return e;
  }
  if (!version_matches(req.version, target->stat.version)) return Err::kBadVersion;
  const int32_t version = next_version(target->stat.version);
  out = OpTxn{static_cast<int32_t>(proto::OpCode::kSetData),
              proto::SetDataTxn{req.path, req.data, version}};
  target->stat.version = version;
  target->stat.mzxid = ctx.zxid;
  target->stat.mtime = ctx.now_ms;
  target->data_length = data_bytes;
  pending_.add(ctx.zxid, req.path, std::move(*target));
  return Err::kOk;
}

Err Preparer::prep_set_acl(const proto::SetAclRequest& req, const OpContext& ctx, OpTxn& out) {
  if (Err e = check_session(ctx.session_id); e != Err::kOk) return e;
  if (proto::validate_path(req.path, false) != Err::kOk) return Err::kBadArguments;
  proto::AclList acl;
  if (Err e = fixup_acl(req.acl, ctx.auth, acl); e != Err::kOk) return e;
  std::optional<NodeRecord> target = node(req.path);
  if (!target) return Err::kNoNode;
  if (!acl_.permits(target->acl, proto::perm::kAdmin, ctx.auth)) return Err::kNoAuth;
  if (!version_matches(req.version, target->stat.aversion)) return Err::kBadVersion;
  const int32_t aversion = next_version(target->stat.aversion);
  out = OpTxn{static_cast<int32_t>(proto::OpCode::kSetACL),
              proto::SetAclTxn{req.path, acl, aversion}};
  target->stat.aversion = aversion;
  target->acl = std::move(acl);
  pending_.add(ctx.zxid, req.path, std::move(*target));
  return Err::kOk;
}

Err Preparer::prep_check(const proto::CheckVersionRequest& req, const OpContext& ctx, OpTxn& out) {
  if (Err e = check_session(ctx.session_id); e != Err::kOk) return e;
  if (proto::validate_path(req.path, false) != Err::kOk) return Err::kBadArguments;
  std::optional<NodeRecord> target = node(req.path);
  if (!target) return Err::kNoNode;
  if (!acl_.permits(target->acl, proto::perm::kRead, ctx.auth)) return Err::kNoAuth;
  if (!version_matches(req.version, target->stat.version)) return Err::kBadVersion;
  // The txn carries the version plus one, as ZooKeeper logs it.
  out = OpTxn{static_cast<int32_t>(proto::OpCode::kCheck),
              proto::CheckVersionTxn{req.path, next_version(target->stat.version)}};
  return Err::kOk;
}

}  // namespace paddock::state
