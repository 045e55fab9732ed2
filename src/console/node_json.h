#pragma once
// The console's JSON: a znode (children, data, Stat, ACL) as the page shows it, the write
// requests it sends, and ZooKeeper errors as HTTP answers. Pure: no I/O.
//
// Data travels as base64 (it is bytes; the page shows it as text, JSON or hex). zxids and
// session ids are hex strings: JavaScript numbers lose 64-bit integers past 2^53.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/types.h"
#include "util/result.h"

namespace paddock::console {

using Json = nlohmann::ordered_json;

std::string hex_id(int64_t v);  // "0x100000002", as ZooKeeper prints zxids and sessions
// zkCli's letters for an ACL's permissions, in its order: "cdrwa" for all.
std::string perms_text(int32_t perms);
Json stat_json(const proto::Stat& stat);
Json acl_json(const proto::AclList& acl);
// A read of `path`: its children sorted, data (null data stays null), Stat and ACL. An
// ACL the identity may not read (get_acl needs READ or ADMIN) comes as acl_error instead.
struct NodeView {
  std::string path;
  std::vector<std::string> children;
  proto::NodeData data;
  proto::Stat stat;
  proto::AclList acl;
  proto::Err acl_error = proto::Err::kOk;
};
Json node_json(const NodeView& node);

// What the page asks to create or change.
struct WriteRequest {
  std::string path;
  proto::NodeData data;
  int32_t version = -1;  // set and delete: -1 means any
  proto::CreateMode mode = proto::CreateMode::kPersistent;
  bool creator_acl = false;  // create: CREATOR_ALL (the identity's), else world:anyone all
};
// A JSON body {"path", "data", "encoding": "text"|"base64", "version", "mode":
// "persistent"|"persistent_sequential"|"container", "acl": "open"|"creator"}; data longer
// than `max_data_bytes` (jute.maxbuffer) is refused here, not by a dropped connection.
Result<WriteRequest> parse_write_request(std::string_view body, size_t max_data_bytes);

// What an API call answers: an HTTP status and a JSON body.
struct ApiAnswer {
  int status = 200;
  Json body;
};

// A ZooKeeper error as the page gets it: {"error": "NONODE", "code": -101, "path": ...}.
int http_status_of(proto::Err err);
Json error_json(proto::Err err, std::string_view path);
Json message_json(std::string_view message);  // {"error": message}, for the console's own

}  // namespace paddock::console
