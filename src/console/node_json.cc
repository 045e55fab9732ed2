#include "console/node_json.h"

#include <fmt/format.h>

#include <algorithm>

#include "console/base64.h"

namespace paddock::console {

using proto::Err;

std::string hex_id(int64_t v) { return fmt::format("0x{:x}", static_cast<uint64_t>(v)); }

std::string perms_text(int32_t perms) {
  std::string out;
  if (perms & proto::perm::kCreate) out += 'c';
  if (perms & proto::perm::kDelete) out += 'd';
  if (perms & proto::perm::kRead) out += 'r';
  if (perms & proto::perm::kWrite) out += 'w';
  if (perms & proto::perm::kAdmin) out += 'a';
  return out;
}

Json stat_json(const proto::Stat& s) {
  return Json{{"czxid", hex_id(s.czxid)},
              {"mzxid", hex_id(s.mzxid)},
              {"pzxid", hex_id(s.pzxid)},
              {"ctime", s.ctime},
              {"mtime", s.mtime},
              {"version", s.version},
              {"cversion", s.cversion},
              {"aversion", s.aversion},
              {"ephemeralOwner", hex_id(s.ephemeral_owner)},
              {"dataLength", s.data_length},
              {"numChildren", s.num_children}};
}

Json acl_json(const proto::AclList& acl) {
  Json out = Json::array();
  for (const proto::Acl& a : acl) {
    out.push_back(Json{{"perms", perms_text(a.perms)}, {"scheme", a.id.scheme}, {"id", a.id.id}});
  }
  return out;
}

Json node_json(const NodeView& node) {
  std::vector<std::string> children = node.children;
  std::sort(children.begin(), children.end());
  Json j{{"path", node.path}, {"children", children}};
  j["data"] = node.data ? Json(base64_encode(*node.data)) : Json(nullptr);
  j["stat"] = stat_json(node.stat);
  if (node.acl_error == Err::kOk) {
    j["acl"] = acl_json(node.acl);
  } else {
    j["acl"] = nullptr;
    j["acl_error"] = proto::err_name(node.acl_error);
  }
  return j;
}

namespace {

Result<proto::CreateMode> mode_named(std::string_view name) {
  if (name == "persistent") return proto::CreateMode::kPersistent;
  if (name == "persistent_sequential") return proto::CreateMode::kPersistentSequential;
  if (name == "container") return proto::CreateMode::kContainer;
  // Ephemerals would belong to the console's pooled session, not to the user, and vanish
  // when it is closed: not offered.
  return Status::error(fmt::format("unknown mode '{}' (persistent, persistent_sequential or "
                                   "container)", name));
}

Result<proto::NodeData> data_of(const Json& j) {
  if (!j.contains("data") || j["data"].is_null()) return proto::NodeData{};
  if (!j["data"].is_string()) return Status::error("data must be a string or null");
  const std::string text = j["data"].get<std::string>();
  const std::string encoding = j.value("encoding", std::string("text"));
  if (encoding == "text") return proto::NodeData{text};
  if (encoding != "base64") return Status::error("encoding must be text or base64");
  std::optional<std::string> bytes = base64_decode(text);
  if (!bytes) return Status::error("data is not base64");
  return proto::NodeData{std::move(*bytes)};
}

}  // namespace

Result<WriteRequest> parse_write_request(std::string_view body, size_t max_data_bytes) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::error("the body is not a JSON object");
  WriteRequest w;
  if (!j.contains("path") || !j["path"].is_string()) return Status::error("path is missing");
  w.path = j["path"].get<std::string>();
  if (!w.path.starts_with("/")) return Status::error("path must start with /");
  Result<proto::NodeData> data = data_of(j);
  if (!data) return data.status();
  w.data = std::move(*data);
  if (proto::data_size(w.data) > max_data_bytes) {
    return Status::error(fmt::format("data is {} bytes, more than jute.maxbuffer ({})",
                                     proto::data_size(w.data), max_data_bytes));
  }
  if (j.contains("version")) {
    if (!j["version"].is_number_integer()) return Status::error("version must be an integer");
    const int64_t v = j["version"].get<int64_t>();
    if (v < -1 || v > INT32_MAX) return Status::error("version is out of range");
    w.version = static_cast<int32_t>(v);
  }
  if (j.contains("mode")) {
    if (!j["mode"].is_string()) return Status::error("mode must be a string");
    Result<proto::CreateMode> mode = mode_named(j["mode"].get<std::string>());
    if (!mode) return mode.status();
    w.mode = *mode;
  }
  const std::string acl = j.value("acl", std::string("open"));
  if (acl != "open" && acl != "creator") return Status::error("acl must be open or creator");
  w.creator_acl = acl == "creator";
  return w;
}

int http_status_of(Err err) {
  switch (err) {
    case Err::kOk: return 200;
    case Err::kNoNode: return 404;
    case Err::kNoAuth:
    case Err::kAuthFailed: return 403;
    case Err::kBadVersion:
    case Err::kNodeExists:
    case Err::kNotEmpty:
    case Err::kNoChildrenForEphemerals: return 409;
    case Err::kBadArguments:
    case Err::kInvalidAcl: return 400;
    case Err::kConnectionLoss:
    case Err::kOperationTimeout:
    case Err::kSessionExpired:
    case Err::kNotReadOnly:
    case Err::kThrottledOp: return 503;
    default: return 500;
  }
}

Json error_json(Err err, std::string_view path) {
  return Json{{"error", proto::err_name(err)}, {"code", static_cast<int32_t>(err)}, {"path", path}};
}

Json message_json(std::string_view message) { return Json{{"error", message}}; }

}  // namespace paddock::console
