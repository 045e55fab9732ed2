// Jute write/read of TxnHeader and the txn body records (ZK-FORMATS.md section 3).
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/txn.h"

namespace paddock::proto {

void write(JuteWriter& w, const TxnHeader& r) {
  w.i64(r.session_id);
  w.i32(r.cxid);
  w.i64(r.zxid);
  w.i64(r.time_ms);
  w.i32(r.type);
}
void read(JuteReader& r, TxnHeader& out) {
  out.session_id = r.i64();
  out.cxid = r.i32();
  out.zxid = r.i64();
  out.time_ms = r.i64();
  out.type = r.i32();
}

void write(JuteWriter& w, const CreateTxn& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  write(w, r.acl);
  w.boolean(r.ephemeral);
  w.i32(r.parent_cversion);
}
void read(JuteReader& r, CreateTxn& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  read(r, out.acl);
  out.ephemeral = r.boolean();
  out.parent_cversion = r.i32();
}

void write(JuteWriter& w, const CreateContainerTxn& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  write(w, r.acl);
  w.i32(r.parent_cversion);
}
void read(JuteReader& r, CreateContainerTxn& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  read(r, out.acl);
  out.parent_cversion = r.i32();
}

void write(JuteWriter& w, const CreateTtlTxn& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  write(w, r.acl);
  w.i32(r.parent_cversion);
  w.i64(r.ttl);
}
void read(JuteReader& r, CreateTtlTxn& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  read(r, out.acl);
  out.parent_cversion = r.i32();
  out.ttl = r.i64();
}

void write(JuteWriter& w, const DeleteTxn& r) { w.string(r.path); }
void read(JuteReader& r, DeleteTxn& out) { out.path = r.string(); }

void write(JuteWriter& w, const SetDataTxn& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  w.i32(r.version);
}
void read(JuteReader& r, SetDataTxn& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  out.version = r.i32();
}

void write(JuteWriter& w, const SetAclTxn& r) {
  w.string(r.path);
  write(w, r.acl);
  w.i32(r.version);
}
void read(JuteReader& r, SetAclTxn& out) {
  out.path = r.string();
  read(r, out.acl);
  out.version = r.i32();
}

void write(JuteWriter& w, const CheckVersionTxn& r) {
  w.string(r.path);
  w.i32(r.version);
}
void read(JuteReader& r, CheckVersionTxn& out) {
  out.path = r.string();
  out.version = r.i32();
}

void write(JuteWriter& w, const CreateSessionTxn& r) { w.i32(r.timeout_ms); }
void read(JuteReader& r, CreateSessionTxn& out) { out.timeout_ms = r.i32(); }

void write(JuteWriter& w, const CloseSessionTxn& r) { write_strings(w, r.paths_to_delete); }
void read(JuteReader& r, CloseSessionTxn& out) { read_strings(r, out.paths_to_delete); }

void write(JuteWriter& w, const ErrorTxn& r) { w.i32(r.err); }
void read(JuteReader& r, ErrorTxn& out) { out.err = r.i32(); }

// Each op is {int type, buffer body}: the inner body is length-prefixed.
void write(JuteWriter& w, const MultiTxn& r) {
  w.vector(r.ops, [](JuteWriter& ww, const MultiTxnOp& op) {
    ww.i32(op.type);
    ww.buffer(encode_txn_body(op.body));
  });
}

std::string encode_txn_body(const SimpleTxnBody& body) {
  std::string out;
  JuteWriter w(out);
  std::visit([&w](const auto& record) { write(w, record); }, body);
  return out;
}

std::string encode_txn_body(const TxnBody& body) {
  std::string out;
  JuteWriter w(out);
  std::visit([&w](const auto& record) { write(w, record); }, body);
  return out;
}

}  // namespace paddock::proto
