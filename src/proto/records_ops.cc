// Jute write/read of the per-operation request and response records.
#include "proto/records.h"

namespace paddock::proto {

// --- create / delete ------------------------------------------------------------------------
void write(JuteWriter& w, const CreateRequest& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  write(w, r.acl);
  w.i32(r.flags);
}
void read(JuteReader& r, CreateRequest& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  read(r, out.acl);
  out.flags = r.i32();
}

void write(JuteWriter& w, const CreateTtlRequest& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  write(w, r.acl);
  w.i32(r.flags);
  w.i64(r.ttl);
}
void read(JuteReader& r, CreateTtlRequest& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  read(r, out.acl);
  out.flags = r.i32();
  out.ttl = r.i64();
}

void write(JuteWriter& w, const CreateResponse& r) { w.string(r.path); }
void read(JuteReader& r, CreateResponse& out) { out.path = r.string(); }

void write(JuteWriter& w, const Create2Response& r) {
  w.string(r.path);
  write(w, r.stat);
}
void read(JuteReader& r, Create2Response& out) {
  out.path = r.string();
  read(r, out.stat);
}

void write(JuteWriter& w, const DeleteRequest& r) {
  w.string(r.path);
  w.i32(r.version);
}
void read(JuteReader& r, DeleteRequest& out) {
  out.path = r.string();
  out.version = r.i32();
}

// --- one node -------------------------------------------------------------------------------
void write(JuteWriter& w, const ExistsRequest& r) {
  w.string(r.path);
  w.boolean(r.watch);
}
void read(JuteReader& r, ExistsRequest& out) {
  out.path = r.string();
  out.watch = r.boolean();
}

void write(JuteWriter& w, const ExistsResponse& r) { write(w, r.stat); }
void read(JuteReader& r, ExistsResponse& out) { read(r, out.stat); }

void write(JuteWriter& w, const GetDataRequest& r) {
  w.string(r.path);
  w.boolean(r.watch);
}
void read(JuteReader& r, GetDataRequest& out) {
  out.path = r.string();
  out.watch = r.boolean();
}

void write(JuteWriter& w, const GetDataResponse& r) {
  w.nullable_buffer(r.data);
  write(w, r.stat);
}
void read(JuteReader& r, GetDataResponse& out) {
  out.data = r.nullable_buffer();
  read(r, out.stat);
}

void write(JuteWriter& w, const SetDataRequest& r) {
  w.string(r.path);
  w.nullable_buffer(r.data);
  w.i32(r.version);
}
void read(JuteReader& r, SetDataRequest& out) {
  out.path = r.string();
  out.data = r.nullable_buffer();
  out.version = r.i32();
}

void write(JuteWriter& w, const SetDataResponse& r) { write(w, r.stat); }
void read(JuteReader& r, SetDataResponse& out) { read(r, out.stat); }

void write(JuteWriter& w, const GetAclRequest& r) { w.string(r.path); }
void read(JuteReader& r, GetAclRequest& out) { out.path = r.string(); }

void write(JuteWriter& w, const GetAclResponse& r) {
  write(w, r.acl);
  write(w, r.stat);
}
void read(JuteReader& r, GetAclResponse& out) {
  read(r, out.acl);
  read(r, out.stat);
}

void write(JuteWriter& w, const SetAclRequest& r) {
  w.string(r.path);
  write(w, r.acl);
  w.i32(r.version);
}
void read(JuteReader& r, SetAclRequest& out) {
  out.path = r.string();
  read(r, out.acl);
  out.version = r.i32();
}

void write(JuteWriter& w, const SetAclResponse& r) { write(w, r.stat); }
void read(JuteReader& r, SetAclResponse& out) { read(r, out.stat); }

// --- children -------------------------------------------------------------------------------
void write(JuteWriter& w, const GetChildrenRequest& r) {
  w.string(r.path);
  w.boolean(r.watch);
}
void read(JuteReader& r, GetChildrenRequest& out) {
  out.path = r.string();
  out.watch = r.boolean();
}

void write(JuteWriter& w, const GetChildrenResponse& r) { write_strings(w, r.children); }
void read(JuteReader& r, GetChildrenResponse& out) { read_strings(r, out.children); }

void write(JuteWriter& w, const GetChildren2Request& r) {
  w.string(r.path);
  w.boolean(r.watch);
}
void read(JuteReader& r, GetChildren2Request& out) {
  out.path = r.string();
  out.watch = r.boolean();
}

void write(JuteWriter& w, const GetChildren2Response& r) {
  write_strings(w, r.children);
  write(w, r.stat);
}
void read(JuteReader& r, GetChildren2Response& out) {
  read_strings(r, out.children);
  read(r, out.stat);
}

void write(JuteWriter& w, const GetEphemeralsRequest& r) { w.string(r.prefix_path); }
void read(JuteReader& r, GetEphemeralsRequest& out) { out.prefix_path = r.string(); }

void write(JuteWriter& w, const GetEphemeralsResponse& r) { write_strings(w, r.ephemerals); }
void read(JuteReader& r, GetEphemeralsResponse& out) { read_strings(r, out.ephemerals); }

void write(JuteWriter& w, const GetAllChildrenNumberRequest& r) { w.string(r.path); }
void read(JuteReader& r, GetAllChildrenNumberRequest& out) { out.path = r.string(); }

void write(JuteWriter& w, const GetAllChildrenNumberResponse& r) { w.i32(r.total_number); }
void read(JuteReader& r, GetAllChildrenNumberResponse& out) { out.total_number = r.i32(); }

// --- sync, check ----------------------------------------------------------------------------
void write(JuteWriter& w, const SyncRequest& r) { w.string(r.path); }
void read(JuteReader& r, SyncRequest& out) { out.path = r.string(); }

void write(JuteWriter& w, const SyncResponse& r) { w.string(r.path); }
void read(JuteReader& r, SyncResponse& out) { out.path = r.string(); }

void write(JuteWriter& w, const CheckVersionRequest& r) {
  w.string(r.path);
  w.i32(r.version);
}
void read(JuteReader& r, CheckVersionRequest& out) {
  out.path = r.string();
  out.version = r.i32();
}

// --- watches --------------------------------------------------------------------------------
void write(JuteWriter& w, const AddWatchRequest& r) {
  w.string(r.path);
  w.i32(r.mode);
}
void read(JuteReader& r, AddWatchRequest& out) {
  out.path = r.string();
  out.mode = r.i32();
}

void write(JuteWriter& w, const CheckWatchesRequest& r) {
  w.string(r.path);
  w.i32(r.type);
}
void read(JuteReader& r, CheckWatchesRequest& out) {
  out.path = r.string();
  out.type = r.i32();
}

void write(JuteWriter& w, const RemoveWatchesRequest& r) {
  w.string(r.path);
  w.i32(r.type);
}
void read(JuteReader& r, RemoveWatchesRequest& out) {
  out.path = r.string();
  out.type = r.i32();
}

void write(JuteWriter& w, const SetWatches& r) {
  w.i64(r.relative_zxid);
  write_strings(w, r.data_watches);
  write_strings(w, r.exist_watches);
  write_strings(w, r.child_watches);
}
void read(JuteReader& r, SetWatches& out) {
  out.relative_zxid = r.i64();
  read_strings(r, out.data_watches);
  read_strings(r, out.exist_watches);
  read_strings(r, out.child_watches);
}

void write(JuteWriter& w, const SetWatches2& r) {
  w.i64(r.relative_zxid);
  write_strings(w, r.data_watches);
  write_strings(w, r.exist_watches);
  write_strings(w, r.child_watches);
  write_strings(w, r.persistent_watches);
  write_strings(w, r.persistent_recursive_watches);
}
void read(JuteReader& r, SetWatches2& out) {
  out.relative_zxid = r.i64();
  read_strings(r, out.data_watches);
  read_strings(r, out.exist_watches);
  read_strings(r, out.child_watches);
  read_strings(r, out.persistent_watches);
  read_strings(r, out.persistent_recursive_watches);
}

}  // namespace paddock::proto
