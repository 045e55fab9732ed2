#pragma once
// What the server knows about each ZooKeeper op code, in one table: its names (as ZooKeeper
// prints them), how a request of it is handled, and what its reply carries. Every place that
// used to decide this with its own switch (is a write, is a read, how prep dispatches, the
// names in logs, `cons` and dumps) reads it from here, so a new op is added in one row.
//
// The names live here and not in proto/: proto/ carries the codes on the wire and needs no
// names; everything that prints them sits above state/.
#include <cstdint>

#include "proto/types.h"

namespace paddock::state {

// How the pipeline handles a request of an op.
enum class OpKind : uint8_t {
  kRead,     // answered from applied state without a txn, after the connection's earlier
             // writes (Database::read): getData, exists, getChildren, setWatches, ...
  kWrite,    // becomes a txn (prepped, ordered, logged, applied, then answered)
  kSpecial,  // answered by the pipeline itself, with neither a txn nor a tree read:
             // ping, auth, sync
  kNone,     // not a request the server answers: notification, error, sasl, unknown
             // codes (answered UNIMPLEMENTED)
};

// The body of a write's reply, by itself or as its op result inside a MultiResponse.
enum class WriteReply : uint8_t {
  kNone,         // delete, deleteContainer, check, sessions, reconfig
  kPath,         // CreateResponse: create
  kPathAndStat,  // Create2Response: create2, createContainer, createTTL
  kStat,         // a bare Stat (SetDataResponse, SetAclResponse): setData, setACL
};

struct OpInfo {
  proto::OpCode code = proto::OpCode::kError;
  // Request.op2String in ZooKeeper 3.8.0, except that addWatch is named (3.8.0 prints
  // "unknown106"); "unknown" for codes ZooKeeper does not define.
  const char* name = "unknown";
  // The 4-character name `cons` prints (lop=GETD); "NA" where ZooKeeper's final stage names
  // none (auth, sasl, notification, error, unknown codes). Irregular ones: getChildren2 is
  // GETC like getChildren, every create flavour is CREA, deleteContainer is DELE,
  // getAllChildrenNumber is the 6-letter GETACN, whoAmI is HOMI.
  const char* short_name = "NA";
  OpKind kind = OpKind::kNone;
  // Only the server makes these txns (createSession when a client connects, deleteContainer
  // in container clean-up); ZooKeeper drops a client that sends one.
  bool server_only = false;
  // Prepped one op at a time against the tree (Preparer::prep_single); the other writes have
  // their own prep (multi, sessions, deleteContainer, reconfig).
  bool single_write = false;
  // Allowed inside a write multi (ZooKeeper refuses anything else with MARSHALLINGERROR).
  bool in_multi = false;
  WriteReply reply = WriteReply::kNone;
  // The op result type a multi answers for it (create2 for every create that returns a
  // Stat, delete for deleteContainer); kError where it cannot be in a multi.
  proto::OpCode multi_result = proto::OpCode::kError;
};

// The row for `op`; codes ZooKeeper does not define get a kNone row named "unknown"/"NA".
const OpInfo& op_info(proto::OpCode op);
inline const OpInfo& op_info(int32_t type) { return op_info(static_cast<proto::OpCode>(type)); }

inline const char* op_name(proto::OpCode op) { return op_info(op).name; }
inline const char* op_short_name(proto::OpCode op) { return op_info(op).short_name; }

}  // namespace paddock::state
