#pragma once
// Transactions: the single unit that is ordered, logged, replayed over snapshots, sent in
// proposals and applied to the tree. The wire form is Apache ZooKeeper 3.8's txn bytes
// (TxnHeader + body + optional TxnDigest, ../shared/ZK-FORMATS.md section 3), so that
// Paddock logs can be compared with ZooKeeper's and ensembles can mix the two.
// Applying a txn is deterministic: everything it needs (final sequential name, resulting
// versions, time, zxid) is decided before it is ordered.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/types.h"
#include "util/result.h"

namespace paddock::proto {

struct TxnHeader {
  int64_t session_id = 0;  // clientId
  int32_t cxid = 0;
  int64_t zxid = 0;
  int64_t time_ms = 0;  // leader wall clock when the txn was made
  int32_t type = 0;     // an OpCode value
  friend bool operator==(const TxnHeader&, const TxnHeader&) = default;
};

struct CreateTxn {  // header type create (1) or create2 (15)
  std::string path;
  NodeData data = std::string();
  AclList acl;
  bool ephemeral = false;
  int32_t parent_cversion = 0;  // the parent's new (internal) cversion
  friend bool operator==(const CreateTxn&, const CreateTxn&) = default;
};
struct CreateContainerTxn {
  std::string path;
  NodeData data = std::string();
  AclList acl;
  int32_t parent_cversion = 0;
  friend bool operator==(const CreateContainerTxn&, const CreateContainerTxn&) = default;
};
struct CreateTtlTxn {
  std::string path;
  NodeData data = std::string();
  AclList acl;
  int32_t parent_cversion = 0;
  int64_t ttl = 0;
  friend bool operator==(const CreateTtlTxn&, const CreateTtlTxn&) = default;
};
struct DeleteTxn {  // delete (2) or deleteContainer (20)
  std::string path;
  friend bool operator==(const DeleteTxn&, const DeleteTxn&) = default;
};
struct SetDataTxn {
  std::string path;
  NodeData data = std::string();
  int32_t version = 0;  // resulting version
  friend bool operator==(const SetDataTxn&, const SetDataTxn&) = default;
};
struct SetAclTxn {
  std::string path;
  AclList acl;
  int32_t version = 0;  // resulting aversion
  friend bool operator==(const SetAclTxn&, const SetAclTxn&) = default;
};
struct CheckVersionTxn {
  std::string path;
  int32_t version = 0;
  friend bool operator==(const CheckVersionTxn&, const CheckVersionTxn&) = default;
};
struct CreateSessionTxn {
  int32_t timeout_ms = 0;
  friend bool operator==(const CreateSessionTxn&, const CreateSessionTxn&) = default;
};
struct CloseSessionTxn {
  std::vector<std::string> paths_to_delete;  // the session's ephemerals
  friend bool operator==(const CloseSessionTxn&, const CloseSessionTxn&) = default;
};
struct ErrorTxn {
  int32_t err = 0;
  friend bool operator==(const ErrorTxn&, const ErrorTxn&) = default;
};

// One operation inside a multi: `type` is the op code (create 1, delete 2, setData 5,
// check 13, error -1, ...), the body its record.
struct MultiTxnOp;
struct MultiTxn {
  std::vector<MultiTxnOp> ops;
  friend bool operator==(const MultiTxn&, const MultiTxn&) = default;
};

using SimpleTxnBody = std::variant<CreateTxn, CreateContainerTxn, CreateTtlTxn, DeleteTxn,
                                   SetDataTxn, SetAclTxn, CheckVersionTxn, CreateSessionTxn,
                                   CloseSessionTxn, ErrorTxn>;

struct MultiTxnOp {
  int32_t type = 0;
  SimpleTxnBody body;
  friend bool operator==(const MultiTxnOp&, const MultiTxnOp&) = default;
};

using TxnBody = std::variant<CreateTxn, CreateContainerTxn, CreateTtlTxn, DeleteTxn, SetDataTxn,
                             SetAclTxn, CheckVersionTxn, CreateSessionTxn, CloseSessionTxn,
                             ErrorTxn, MultiTxn>;

struct Txn {
  TxnHeader header;
  TxnBody body;
  std::optional<int64_t> digest;  // TxnDigest{version 2, treeDigest} when present
  friend bool operator==(const Txn&, const Txn&) = default;
};

// Serializes to ZooKeeper's txn bytes; `decode_txn` is the inverse and names what is wrong
// with malformed input (it never trusts lengths).
std::string encode_txn(const Txn& txn);
Result<Txn> decode_txn(std::string_view bytes);

// --- additions (proto helper) ---------------------------------------------------------------
class JuteWriter;
class JuteReader;

// The largest buffer a txn reader accepts by default: jute.maxbuffer plus
// zookeeper.jute.maxbuffer.extrasize, as ZooKeeper's readers allow (2 * 0xfffff).
constexpr size_t kTxnMaxBuffer = 2 * 0xfffff;
// decode_txn with an explicit buffer-length limit (a peer configured with a larger
// jute.maxbuffer may send larger buffers).
Result<Txn> decode_txn(std::string_view bytes, size_t max_buffer);

// TxnHeader alone is 32 bytes; storage and quorum code may peek at it without decoding the
// body.
constexpr size_t kTxnHeaderBytes = 32;
constexpr int32_t kTxnDigestVersion = 2;

// Jute write/read of the header and each body record (fields in ZooKeeper's order).
// MultiTxn has no read(): its inner bodies need the type-directed decoding of decode_txn.
void write(JuteWriter& w, const TxnHeader& r);
void read(JuteReader& r, TxnHeader& out);
void write(JuteWriter& w, const CreateTxn& r);
void read(JuteReader& r, CreateTxn& out);
void write(JuteWriter& w, const CreateContainerTxn& r);
void read(JuteReader& r, CreateContainerTxn& out);
void write(JuteWriter& w, const CreateTtlTxn& r);
void read(JuteReader& r, CreateTtlTxn& out);
void write(JuteWriter& w, const DeleteTxn& r);
void read(JuteReader& r, DeleteTxn& out);
void write(JuteWriter& w, const SetDataTxn& r);
void read(JuteReader& r, SetDataTxn& out);
void write(JuteWriter& w, const SetAclTxn& r);
void read(JuteReader& r, SetAclTxn& out);
void write(JuteWriter& w, const CheckVersionTxn& r);
void read(JuteReader& r, CheckVersionTxn& out);
void write(JuteWriter& w, const CreateSessionTxn& r);
void read(JuteReader& r, CreateSessionTxn& out);
void write(JuteWriter& w, const CloseSessionTxn& r);
void read(JuteReader& r, CloseSessionTxn& out);
void write(JuteWriter& w, const ErrorTxn& r);
void read(JuteReader& r, ErrorTxn& out);
void write(JuteWriter& w, const MultiTxn& r);

// The body alone (no header, no digest), as a multi op's inner buffer holds it.
std::string encode_txn_body(const TxnBody& body);
std::string encode_txn_body(const SimpleTxnBody& body);
// Whether `body` is the record ZooKeeper uses for header type `type` (create2 -> CreateTxn,
// reconfig -> SetDataTxn, deleteContainer -> DeleteTxn, ...).
bool txn_body_matches_type(int32_t type, const TxnBody& body);

}  // namespace paddock::proto
