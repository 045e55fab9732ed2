// Jute write/read of the value records (types.h) and the session/header records. The
// per-op request/response records are in records_ops.cc.
#include "proto/records.h"

namespace paddock::proto {

// Smallest encodings, so vector counts that cannot fit fail before allocating.
constexpr size_t kMinAclBytes = 4 + 4 + 4;  // perms + two empty strings
constexpr size_t kMinStringBytes = 4;

void write(JuteWriter& w, const Id& r) {
  w.string(r.scheme);
  w.string(r.id);
}
void read(JuteReader& r, Id& out) {
  out.scheme = r.string();
  out.id = r.string();
}

void write(JuteWriter& w, const Acl& r) {
  w.i32(r.perms);
  write(w, r.id);
}
void read(JuteReader& r, Acl& out) {
  out.perms = r.i32();
  read(r, out.id);
}

void write(JuteWriter& w, const AclList& r) {
  w.vector(r, [](JuteWriter& ww, const Acl& a) { write(ww, a); });
}
void read(JuteReader& r, AclList& out) {
  r.vector(
      out, [](JuteReader& rr, Acl& a) { read(rr, a); }, kMinAclBytes);
}

void write(JuteWriter& w, const Stat& r) {
  w.i64(r.czxid);
  w.i64(r.mzxid);
  w.i64(r.ctime);
  w.i64(r.mtime);
  w.i32(r.version);
  w.i32(r.cversion);
  w.i32(r.aversion);
  w.i64(r.ephemeral_owner);
  w.i32(r.data_length);
  w.i32(r.num_children);
  w.i64(r.pzxid);
}
void read(JuteReader& r, Stat& out) {
  out.czxid = r.i64();
  out.mzxid = r.i64();
  out.ctime = r.i64();
  out.mtime = r.i64();
  out.version = r.i32();
  out.cversion = r.i32();
  out.aversion = r.i32();
  out.ephemeral_owner = r.i64();
  out.data_length = r.i32();
  out.num_children = r.i32();
  out.pzxid = r.i64();
}

void write(JuteWriter& w, const StatPersisted& r) {
  w.i64(r.czxid);
  w.i64(r.mzxid);
  w.i64(r.ctime);
  w.i64(r.mtime);
  w.i32(r.version);
  w.i32(r.cversion);
  w.i32(r.aversion);
  w.i64(r.ephemeral_owner);
  w.i64(r.pzxid);
}
void read(JuteReader& r, StatPersisted& out) {
  out.czxid = r.i64();
  out.mzxid = r.i64();
  out.ctime = r.i64();
  out.mtime = r.i64();
  out.version = r.i32();
  out.cversion = r.i32();
  out.aversion = r.i32();
  out.ephemeral_owner = r.i64();
  out.pzxid = r.i64();
}

void write_strings(JuteWriter& w, const std::vector<std::string>& v) {
  w.vector(v, [](JuteWriter& ww, const std::string& s) { ww.string(s); });
}
void read_strings(JuteReader& r, std::vector<std::string>& out) {
  r.vector(
      out, [](JuteReader& rr, std::string& s) { s = rr.string(); }, kMinStringBytes);
}

// --- handshake ------------------------------------------------------------------------------
// The trailing readOnly byte is optional: old clients omit it, and the server answers with
// it only when the client sent it.
void write(JuteWriter& w, const ConnectRequest& r) {
  w.i32(r.protocol_version);
  w.i64(r.last_zxid_seen);
  w.i32(r.timeout_ms);
  w.i64(r.session_id);
  w.buffer(r.passwd);
  if (r.read_only) w.boolean(*r.read_only);
}
void read(JuteReader& r, ConnectRequest& out) {
  out.protocol_version = r.i32();
  out.last_zxid_seen = r.i64();
  out.timeout_ms = r.i32();
  out.session_id = r.i64();
  out.passwd = r.buffer();
  out.read_only.reset();
  if (r.ok() && r.remaining() > 0) out.read_only = r.boolean();
}

void write(JuteWriter& w, const ConnectResponse& r) {
  w.i32(r.protocol_version);
  w.i32(r.timeout_ms);
  w.i64(r.session_id);
  w.buffer(r.passwd);
  if (r.read_only) w.boolean(*r.read_only);
}
void read(JuteReader& r, ConnectResponse& out) {
  out.protocol_version = r.i32();
  out.timeout_ms = r.i32();
  out.session_id = r.i64();
  out.passwd = r.buffer();
  out.read_only.reset();
  if (r.ok() && r.remaining() > 0) out.read_only = r.boolean();
}

// --- headers --------------------------------------------------------------------------------
void write(JuteWriter& w, const RequestHeader& r) {
  w.i32(r.xid);
  w.i32(r.type);
}
void read(JuteReader& r, RequestHeader& out) {
  out.xid = r.i32();
  out.type = r.i32();
}

void write(JuteWriter& w, const ReplyHeader& r) {
  w.i32(r.xid);
  w.i64(r.zxid);
  w.i32(r.err);
}
void read(JuteReader& r, ReplyHeader& out) {
  out.xid = r.i32();
  out.zxid = r.i64();
  out.err = r.i32();
}

void write(JuteWriter& w, const MultiHeader& r) {
  w.i32(r.type);
  w.boolean(r.done);
  w.i32(r.err);
}
void read(JuteReader& r, MultiHeader& out) {
  out.type = r.i32();
  out.done = r.boolean();
  out.err = r.i32();
}

void write(JuteWriter& w, const ErrorResponse& r) { w.i32(r.err); }
void read(JuteReader& r, ErrorResponse& out) { out.err = r.i32(); }

// --- auth -----------------------------------------------------------------------------------
void write(JuteWriter& w, const AuthPacket& r) {
  w.i32(r.type);
  w.string(r.scheme);
  w.buffer(r.auth);
}
void read(JuteReader& r, AuthPacket& out) {
  out.type = r.i32();
  out.scheme = r.string();
  out.auth = r.buffer();
}

void write(JuteWriter& w, const ClientInfo& r) {
  w.string(r.auth_scheme);
  w.string(r.user);
}
void read(JuteReader& r, ClientInfo& out) {
  out.auth_scheme = r.string();
  out.user = r.string();
}

void write(JuteWriter& w, const WhoAmIResponse& r) {
  w.vector(r.client_info, [](JuteWriter& ww, const ClientInfo& c) { write(ww, c); });
}
void read(JuteReader& r, WhoAmIResponse& out) {
  r.vector(
      out.client_info, [](JuteReader& rr, ClientInfo& c) { read(rr, c); }, 2 * kMinStringBytes);
}

void write(JuteWriter& w, const WatcherEvent& r) {
  w.i32(r.type);
  w.i32(r.state);
  w.string(r.path);
}
void read(JuteReader& r, WatcherEvent& out) {
  out.type = r.i32();
  out.state = r.i32();
  out.path = r.string();
}

}  // namespace paddock::proto
