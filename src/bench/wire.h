#pragma once
// The load generator's side of the ZooKeeper client protocol: request frames appended to a
// connection's output buffer (length prefix, RequestHeader, record -- encoded with
// proto::JuteWriter, so nothing is allocated once the buffer has its capacity), and replies
// read as views into the input buffer (header fields only; bodies are looked at only where
// a mode needs them).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::bench {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// Parses "host:port,host:port" (a missing port means 2181).
Result<std::vector<Endpoint>> parse_servers(std::string_view text);

// A reply frame seen without copying: header fields and the undecoded body.
struct ReplyView {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;
  std::string_view body;
};
// Reads the ReplyHeader at the start of `frame` (without its length prefix).
bool parse_reply(std::string_view frame, ReplyView& out);
// The path of a CreateResponse body, as a view into it; empty if malformed.
std::string_view create_response_path(std::string_view body);
// The type and path of a WatcherEvent body (a notification, xid -1).
bool parse_watch_event(std::string_view body, int32_t& type, std::string_view& path);

// Appends whole request frames to `out`. Paths and data are copied into the frame.
class RequestEncoder {
 public:
  explicit RequestEncoder(std::string& out) : out_(out) {}

  void connect(int32_t timeout_ms);
  void get_data(int32_t xid, std::string_view path, bool watch);
  void exists(int32_t xid, std::string_view path, bool watch);
  void get_children(int32_t xid, std::string_view path, bool watch);
  void set_data(int32_t xid, std::string_view path, std::string_view data, int32_t version);
  // Open ACL (world:anyone, ALL); `flags` is a CreateMode.
  void create(int32_t xid, std::string_view path, std::string_view data, int32_t flags);
  void delete_node(int32_t xid, std::string_view path, int32_t version);
  // multi { setData(a, data, -1), setData(b, data, -1) }
  void multi_set_two(int32_t xid, std::string_view a, std::string_view b, std::string_view data);
  void ping();
  void close_session(int32_t xid);

 private:
  // Starts a frame: reserves the length prefix and writes the RequestHeader.
  size_t begin(int32_t xid, int32_t type);
  // Patches the length prefix of the frame that starts at `start`.
  void end(size_t start);

  std::string& out_;
};

}  // namespace paddock::bench
