#include "bench/wire.h"

#include <charconv>
#include <cstring>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/types.h"

namespace paddock::bench {
namespace {

using proto::JuteReader;
using proto::JuteWriter;
using proto::OpCode;

constexpr int32_t op(OpCode code) { return static_cast<int32_t>(code); }

void write_open_acl(JuteWriter& w) {
  w.i32(1);  // one ACL entry
  w.i32(proto::perm::kAll);
  w.string("world");
  w.string("anyone");
}

}  // namespace

Result<std::vector<Endpoint>> parse_servers(std::string_view text) {
  std::vector<Endpoint> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    Endpoint e;
    size_t colon = item.rfind(':');
    e.host = std::string(item.substr(0, colon));
    e.port = 2181;
    if (colon != std::string_view::npos) {
      std::string_view port = item.substr(colon + 1);
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
      if (ec != std::errc() || end != port.data() + port.size() || e.port == 0) {
        return Status::error("bad port in server '" + std::string(item) + "'");
      }
    }
    if (e.host.empty()) e.host = "127.0.0.1";
    out.push_back(std::move(e));
  }
  if (out.empty()) return Status::error("no servers given");
  return out;
}

bool parse_reply(std::string_view frame, ReplyView& out) {
  JuteReader r(frame);
  out.xid = r.i32();
  out.zxid = r.i64();
  out.err = r.i32();
  out.body = r.rest();
  return r.ok();
}

std::string_view create_response_path(std::string_view body) {
  JuteReader r(body);
  int32_t n = r.i32();
  if (!r.ok() || n < 0) return {};
  std::string_view path = r.raw(static_cast<size_t>(n));
  return r.ok() ? path : std::string_view();
}

bool parse_watch_event(std::string_view body, int32_t& type, std::string_view& path) {
  JuteReader r(body);
  type = r.i32();
  r.i32();  // KeeperState
  int32_t n = r.i32();
  if (!r.ok() || n < 0) return false;
  path = r.raw(static_cast<size_t>(n));
  return r.ok();
}

size_t RequestEncoder::begin(int32_t xid, int32_t type) {
  size_t start = out_.size();
  JuteWriter w(out_);
  w.i32(0);  // length, patched by end()
  w.i32(xid);
  w.i32(type);
  return start;
}

void RequestEncoder::end(size_t start) {
  auto len = static_cast<uint32_t>(out_.size() - start - 4);
  char b[4] = {static_cast<char>(len >> 24), static_cast<char>(len >> 16),
               static_cast<char>(len >> 8), static_cast<char>(len)};
  std::memcpy(out_.data() + start, b, 4);
}

void RequestEncoder::connect(int32_t timeout_ms) {
  proto::ConnectRequest req;
  req.timeout_ms = timeout_ms;
  req.passwd = std::string(16, '\0');
  req.read_only = false;
  size_t start = out_.size();
  JuteWriter w(out_);
  w.i32(0);
  write(w, req);
  end(start);
}

void RequestEncoder::get_data(int32_t xid, std::string_view path, bool watch) {
  size_t start = begin(xid, op(OpCode::kGetData));
  JuteWriter w(out_);
  w.string(path);
  w.boolean(watch);
  end(start);
}

void RequestEncoder::exists(int32_t xid, std::string_view path, bool watch) {
  size_t start = begin(xid, op(OpCode::kExists));
  JuteWriter w(out_);
  w.string(path);
  w.boolean(watch);
  end(start);
}

void RequestEncoder::get_children(int32_t xid, std::string_view path, bool watch) {
  size_t start = begin(xid, op(OpCode::kGetChildren));
  JuteWriter w(out_);
  w.string(path);
  w.boolean(watch);
  end(start);
}

void RequestEncoder::set_data(int32_t xid, std::string_view path, std::string_view data,
                              int32_t version) {
  size_t start = begin(xid, op(OpCode::kSetData));
  JuteWriter w(out_);
  w.string(path);
  w.buffer(data);
  w.i32(version);
  end(start);
}

void RequestEncoder::create(int32_t xid, std::string_view path, std::string_view data,
                            int32_t flags) {
  size_t start = begin(xid, op(OpCode::kCreate));
  JuteWriter w(out_);
  w.string(path);
  w.buffer(data);
  write_open_acl(w);
  w.i32(flags);
  end(start);
}

void RequestEncoder::delete_node(int32_t xid, std::string_view path, int32_t version) {
  size_t start = begin(xid, op(OpCode::kDelete));
  JuteWriter w(out_);
  w.string(path);
  w.i32(version);
  end(start);
}

void RequestEncoder::multi_set_two(int32_t xid, std::string_view a, std::string_view b,
                                   std::string_view data) {
  size_t start = begin(xid, op(OpCode::kMulti));
  JuteWriter w(out_);
  for (std::string_view path : {a, b}) {
    w.i32(op(OpCode::kSetData));  // MultiHeader{type, done=false, err=-1}
    w.boolean(false);
    w.i32(-1);
    w.string(path);
    w.buffer(data);
    w.i32(-1);
  }
  w.i32(-1);  // end marker
  w.boolean(true);
  w.i32(-1);
  end(start);
}

void RequestEncoder::ping() { end(begin(proto::xid::kPing, op(OpCode::kPing))); }

void RequestEncoder::close_session(int32_t xid) { end(begin(xid, op(OpCode::kCloseSession))); }

}  // namespace paddock::bench
