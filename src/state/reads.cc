// Read ops with ZooKeeper 3.8's checks: NONODE before NOAUTH; READ for getData,
// getChildren(2), getAllChildrenNumber and each multiRead op; READ or ADMIN for getACL (digest
// hashes hidden without ADMIN); nothing for exists, getEphemerals, whoAmI, sync.
#include "state/reads.h"

#include <algorithm>

#include "state/auth_provider.h"
#include "state/java_hash_order.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;

template <typename T>
Reply ok_reply(const T& record) {
  return Reply{Err::kOk, proto::encode(record)};
}

}  // namespace

Reader::Reader(DataTree& tree, const AclChecker& acl, const Request& request, size_t decode_limit)
    : tree_(tree),
      acl_(acl),
      request_(request),
      decode_limit_(decode_limit),
      auth_(request.auth != nullptr ? *request.auth : no_ids_) {}

const Znode* Reader::find(std::string_view path) const {
  return tree_.find(path.empty() ? std::string_view("/") : path);
}

bool Reader::may(const Znode& node, int32_t perm) const {
  return acl_.permits(tree_.acl(node), perm, auth_);
}

Outcome Reader::run() {
  proto::JuteReader r(request_.body, decode_limit_);
  Outcome out;
  switch (request_.op) {
    case OpCode::kExists:
      out.reply = exists(r);
      break;
    case OpCode::kGetData:
      out.reply = get_data(r);
      break;
    case OpCode::kGetChildren:
      out.reply = get_children(r, false);
      break;
    case OpCode::kGetChildren2:
      out.reply = get_children(r, true);
      break;
    case OpCode::kGetACL:
      out.reply = get_acl(r);
      break;
    case OpCode::kGetAllChildrenNumber:
      out.reply = get_all_children_number(r);
      break;
    case OpCode::kGetEphemerals:
      out.reply = get_ephemerals(r);
      break;
    case OpCode::kWhoAmI:
      out.reply = who_am_i();
      break;
    case OpCode::kMultiRead:
      out.reply = multi_read(r);
      break;
    case OpCode::kSync:
      out.reply = sync(r);
      break;
    case OpCode::kAddWatch:
      out.reply = add_watch(r);
      break;
    case OpCode::kCheckWatches:
      out.reply = check_watches(r, false);
      break;
    case OpCode::kRemoveWatches:
      out.reply = check_watches(r, true);
      break;
    case OpCode::kSetWatches:
      out.reply = set_watches(r, false, out.events);
      break;
    case OpCode::kSetWatches2:
      out.reply = set_watches(r, true, out.events);
      break;
    default:
      out.reply = error_reply(Err::kUnimplemented);
      break;
  }
  return out;
}

// exists: no ACL check; the watch is set whether or not the node exists (it then fires on
// creation). A NUL in the path is BADARGUMENTS; nothing else about the path is checked.
Reply Reader::exists(proto::JuteReader& r) {
  proto::ExistsRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  if (req.path.find('\0') != std::string::npos) return error_reply(Err::kBadArguments);
  if (req.watch) tree_.watches().add(req.path, request_.watcher, WatchKind::kData);
  const Znode* node = find(req.path);
  if (node == nullptr) return error_reply(Err::kNoNode);
  return ok_reply(proto::ExistsResponse{tree_.client_stat(*node)});
}

Err Reader::read_data(const proto::GetDataRequest& req, proto::GetDataResponse& out) {
  const Znode* node = find(req.path);
  if (node == nullptr) return Err::kNoNode;  // and no watch: only exists() watches absence
  if (!may(*node, proto::perm::kRead)) return Err::kNoAuth;
  if (req.watch) tree_.watches().add(req.path, request_.watcher, WatchKind::kData);
  out.data = node->nullable_data();  // null data answers a null buffer, as ZooKeeper
  out.stat = tree_.client_stat(*node);
  return Err::kOk;
}

Reply Reader::get_data(proto::JuteReader& r) {
  proto::GetDataRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  proto::GetDataResponse resp;
  if (Err e = read_data(req, resp); e != Err::kOk) return error_reply(e);
  return ok_reply(resp);
}

Err Reader::read_children(const std::string& path, bool watch, std::vector<std::string>& children,
                          proto::Stat* stat) {
  const Znode* node = find(path);
  if (node == nullptr) return Err::kNoNode;
  if (!may(*node, proto::perm::kRead)) return Err::kNoAuth;
  if (watch) tree_.watches().add(path, request_.watcher, WatchKind::kChild);
  children.clear();
  children.reserve(node->children().size());
  for (const Znode* child : node->children()) children.emplace_back(child->name());
  if (stat != nullptr) *stat = tree_.client_stat(*node);
  return Err::kOk;
}

Reply Reader::get_children(proto::JuteReader& r, bool with_stat) {
  proto::GetChildren2Request req;  // same fields as GetChildrenRequest
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  proto::GetChildren2Response resp;
  if (Err e = read_children(req.path, req.watch, resp.children, &resp.stat); e != Err::kOk) {
    return error_reply(e);
  }
  if (with_stat) return ok_reply(resp);
  return ok_reply(proto::GetChildrenResponse{std::move(resp.children)});
}

// READ or ADMIN lets a session see the ACL; without ADMIN digest hashes are hidden
// ("user:x"), the CVE-2019-0201 fix.
Reply Reader::get_acl(proto::JuteReader& r) {
  proto::GetAclRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  const Znode* node = find(req.path);
  if (node == nullptr) return error_reply(Err::kNoNode);
  if (!may(*node, proto::perm::kRead | proto::perm::kAdmin)) return error_reply(Err::kNoAuth);
  const proto::AclList& acl = tree_.acl(*node);
  proto::GetAclResponse resp{may(*node, proto::perm::kAdmin) ? acl : redact_digests(acl),
                             tree_.client_stat(*node)};
  return ok_reply(resp);
}

Reply Reader::get_all_children_number(proto::JuteReader& r) {
  proto::GetAllChildrenNumberRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  const Znode* node = find(req.path);
  if (node == nullptr) return error_reply(Err::kNoNode);
  if (!may(*node, proto::perm::kRead)) return error_reply(Err::kNoAuth);
  const std::string_view path = req.path.empty() ? std::string_view("/") : req.path;
  return ok_reply(
      proto::GetAllChildrenNumberResponse{static_cast<int32_t>(tree_.descendant_count(path))});
}

// This session's ephemerals whose path starts with the prefix (all of them for "" or a
// prefix that trims to "/"), full paths, in path order.
Reply Reader::get_ephemerals(proto::JuteReader& r) {
  proto::GetEphemeralsRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  std::string_view trimmed = req.prefix_path;
  while (!trimmed.empty() && static_cast<unsigned char>(trimmed.front()) <= ' ') {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && static_cast<unsigned char>(trimmed.back()) <= ' ') {
    trimmed.remove_suffix(1);
  }
  const bool all = req.prefix_path.empty() || trimmed == "/";
  proto::GetEphemeralsResponse resp;
  for (const std::string& path : tree_.ephemerals(request_.session_id)) {
    if (all || path.starts_with(req.prefix_path)) resp.ephemerals.push_back(path);
  }
  return ok_reply(resp);
}

// One ClientInfo per id of the connection: digest shows the user name only, ip the address,
// super an empty user; in the order ZooKeeper's connection keeps its ids (a hash set).
Reply Reader::who_am_i() {
  proto::WhoAmIResponse resp;
  for (const proto::Id& id : java_auth_info_order(auth_)) {
    resp.client_info.push_back(proto::ClientInfo{id.scheme, who_am_i_user(id)});
  }
  return ok_reply(resp);
}

// multiRead: getData and getChildren only (anything else: the whole request is
// MARSHALLINGERROR); a failing op answers type -1 with its code, the others still answer.
Reply Reader::multi_read(proto::JuteReader& r) {
  std::vector<std::pair<int32_t, proto::GetDataRequest>> ops;  // getChildren: same fields
  while (true) {
    proto::MultiHeader h;
    read(r, h);
    if (!r.ok() || h.done) break;
    if (h.type != static_cast<int32_t>(OpCode::kGetData) &&
        h.type != static_cast<int32_t>(OpCode::kGetChildren)) {
      r.fail();
      break;
    }
    proto::GetDataRequest req;
    read(r, req);
    ops.emplace_back(h.type, std::move(req));
  }
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  std::string out;
  proto::JuteWriter w(out);
  for (const auto& [type, req] : ops) {
    Err e = Err::kOk;
    if (type == static_cast<int32_t>(OpCode::kGetData)) {
      proto::GetDataResponse resp;
      e = read_data(req, resp);
      if (e == Err::kOk) write(w, proto::MultiHeader{type, false, 0}), write(w, resp);
    } else {
      proto::GetChildrenResponse resp;
      e = read_children(req.path, req.watch, resp.children, nullptr);
      if (e == Err::kOk) write(w, proto::MultiHeader{type, false, 0}), write(w, resp);
    }
    if (e != Err::kOk) {
      write(w, proto::MultiHeader{static_cast<int32_t>(OpCode::kError), false,
                                  static_cast<int32_t>(e)});
      write(w, proto::ErrorResponse{static_cast<int32_t>(e)});
    }
  }
  write(w, proto::multi_end_marker());
  return Reply{Err::kOk, std::move(out)};
}

Reply Reader::sync(proto::JuteReader& r) {
  proto::SyncRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  return ok_reply(proto::SyncResponse{req.path});
}

}  // namespace paddock::state
