// encode_txn/decode_txn: ZooKeeper 3.8's txn bytes (TxnHeader + body + optional TxnDigest),
// ZK-FORMATS.md section 3. Decoding is type-directed by the header and never trusts a
// length; every failure names the record and the byte offset.
#include "proto/txn.h"

#include <algorithm>
#include <string>
#include <utility>

#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::proto {
namespace {

constexpr size_t kTxnDigestBytes = 4 + 8;
constexpr size_t kMinMultiOpBytes = 4 + 4;  // type + inner buffer length
constexpr size_t kMaxReserve = 1024;        // a hostile count must not allocate much up front

// The body record for a header type: its index in SimpleTxnBody/TxnBody and its name.
struct BodyKind {
  size_t index;
  const char* name;
};

// clang-format off
std::optional<BodyKind> body_kind(int32_t type) {
  switch (static_cast<OpCode>(type)) {
    case OpCode::kCreate:
    case OpCode::kCreate2: return BodyKind{0, "CreateTxn"};
    case OpCode::kCreateContainer: return BodyKind{1, "CreateContainerTxn"};
    case OpCode::kCreateTTL: return BodyKind{2, "CreateTTLTxn"};
    case OpCode::kDelete:
    case OpCode::kDeleteContainer: return BodyKind{3, "DeleteTxn"};
    case OpCode::kSetData:
    case OpCode::kReconfig: return BodyKind{4, "SetDataTxn"};
    case OpCode::kSetACL: return BodyKind{5, "SetACLTxn"};
    case OpCode::kCheck: return BodyKind{6, "CheckVersionTxn"};
    case OpCode::kCreateSession: return BodyKind{7, "CreateSessionTxn"};
    case OpCode::kCloseSession: return BodyKind{8, "CloseSessionTxn"};
    case OpCode::kError: return BodyKind{9, "ErrorTxn"};
    case OpCode::kMulti: return BodyKind{10, "MultiTxn"};
    default: return std::nullopt;
  }
}
// clang-format on

std::string reader_error(const JuteReader& r, const char* record) {
  return std::string(r.failure()) + " " + record + " at offset " +
         std::to_string(r.failure_offset());
}

template <typename T>
void read_into(JuteReader& r, SimpleTxnBody& out) {
  T record;
  read(r, record);
  out = std::move(record);
}

// CreateTxnV0 (before parentCVersion existed) is a CreateTxn that ends after `ephemeral`;
// ZooKeeper reads it with parentCVersion -1.
void read_create(JuteReader& r, bool allow_v0, SimpleTxnBody& out) {
  CreateTxn t;
  t.path = r.string();
  t.data = r.nullable_buffer();
  read(r, t.acl);
  t.ephemeral = r.boolean();
  if (allow_v0 && r.ok() && r.remaining() < 4) {
    t.parent_cversion = -1;
  } else {
    t.parent_cversion = r.i32();
  }
  out = std::move(t);
}

// Reads the body for header type `type` (not multi). `top_level` enables the legacy forms
// ZooKeeper accepts in logs: CreateTxnV0 and an empty closeSession body.
// clang-format off
Status read_simple_body(JuteReader& r, int32_t type, bool top_level, SimpleTxnBody& out) {
  std::optional<BodyKind> kind = body_kind(type);
  if (!kind) return Status::error("txn type " + std::to_string(type) + " unknown");
  switch (kind->index) {
    case 0: read_create(r, top_level && type == static_cast<int32_t>(OpCode::kCreate), out); break;
    case 1: read_into<CreateContainerTxn>(r, out); break;
    case 2: read_into<CreateTtlTxn>(r, out); break;
    case 3: read_into<DeleteTxn>(r, out); break;
    case 4: read_into<SetDataTxn>(r, out); break;
    case 5: read_into<SetAclTxn>(r, out); break;
    case 6: read_into<CheckVersionTxn>(r, out); break;
    case 7: read_into<CreateSessionTxn>(r, out); break;
    case 8:
      if (top_level && r.at_end()) {
        out = CloseSessionTxn{};
      } else {
        read_into<CloseSessionTxn>(r, out);
      }
      break;
    case 9: read_into<ErrorTxn>(r, out); break;
    default: return Status::error("txn type " + std::to_string(type) + " not a simple txn");
  }
  if (!r.ok()) return Status::error(reader_error(r, kind->name));
  return Status::ok();
}
// clang-format on

bool allowed_in_multi(int32_t type) {
  switch (static_cast<OpCode>(type)) {
    case OpCode::kMulti:
    case OpCode::kCreateSession:
    case OpCode::kCloseSession:
      return false;
    default:
      return true;
  }
}

Status read_multi_op(JuteReader& r, int32_t index, size_t max_buffer, MultiTxnOp& op) {
  const std::string where = "multi op " + std::to_string(index) + ": ";
  op.type = r.i32();
  std::string inner_bytes = r.buffer();
  if (!r.ok()) return Status::error(where + reader_error(r, "MultiTxn"));
  if (!allowed_in_multi(op.type)) {
    return Status::error(where + "txn type " + std::to_string(op.type) + " not allowed in multi");
  }
  JuteReader inner(inner_bytes, max_buffer);
  Status s = read_simple_body(inner, op.type, /*top_level=*/false, op.body);
  if (!s) return Status::error(where + s.message());
  if (!inner.at_end()) {
    return Status::error(where + std::to_string(inner.remaining()) + " trailing bytes after " +
                         body_kind(op.type)->name);
  }
  return Status::ok();
}

Status read_multi(JuteReader& r, size_t max_buffer, MultiTxn& out) {
  int32_t n = r.vector_size(kMinMultiOpBytes);
  if (!r.ok()) return Status::error(reader_error(r, "MultiTxn"));
  out.ops.clear();
  out.ops.reserve(std::min<size_t>(static_cast<size_t>(n), kMaxReserve));
  for (int32_t i = 0; i < n; ++i) {
    MultiTxnOp op;
    Status s = read_multi_op(r, i, max_buffer, op);
    if (!s) return s;
    out.ops.push_back(std::move(op));
  }
  return Status::ok();
}

// What follows the body: nothing, or exactly one TxnDigest. A digest of another version
// than 2 is dropped, as ZooKeeper skips comparing digests it cannot compute.
Status read_digest(JuteReader& r, const char* body_name, std::optional<int64_t>& digest) {
  digest.reset();
  if (r.at_end()) return Status::ok();
  if (r.remaining() != kTxnDigestBytes) {
    return Status::error(std::to_string(r.remaining()) + " unexpected bytes after " + body_name +
                         " (a TxnDigest is 12)");
  }
  int32_t version = r.i32();
  int64_t value = r.i64();
  if (version == kTxnDigestVersion) digest = value;
  return Status::ok();
}

constexpr size_t kEncodeTxnReserve = 256;

}  // namespace

std::string encode_txn(const Txn& txn) {
  std::string out;
  // Most txns (a setData or create of ~100 bytes) fit: one allocation instead of the four
  // that growing from the small-string buffer takes, on the pipeline thread for every write.
  out.reserve(kEncodeTxnReserve);
  JuteWriter w(out);
  write(w, txn.header);
  std::visit([&w](const auto& record) { write(w, record); }, txn.body);
  if (txn.digest) {
    w.i32(kTxnDigestVersion);
    w.i64(*txn.digest);
  }
  return out;
}

Result<Txn> decode_txn(std::string_view bytes) { return decode_txn(bytes, kTxnMaxBuffer); }

Result<Txn> decode_txn(std::string_view bytes, size_t max_buffer) {
  JuteReader r(bytes, max_buffer);
  Txn txn;
  read(r, txn.header);
  if (!r.ok()) {
    return Status::error("truncated TxnHeader: " + std::to_string(bytes.size()) + " bytes, need " +
                         std::to_string(kTxnHeaderBytes));
  }
  const int32_t type = txn.header.type;
  std::optional<BodyKind> kind = body_kind(type);
  if (!kind) return Status::error("txn type " + std::to_string(type) + " unknown");
  if (type == static_cast<int32_t>(OpCode::kMulti)) {
    MultiTxn multi;
    Status s = read_multi(r, max_buffer, multi);
    if (!s) return s;
    txn.body = std::move(multi);
  } else {
    SimpleTxnBody simple;
    Status s = read_simple_body(r, type, /*top_level=*/true, simple);
    if (!s) return s;
    txn.body =
        std::visit([](auto&& record) -> TxnBody { return std::move(record); }, std::move(simple));
  }
  Status s = read_digest(r, kind->name, txn.digest);
  if (!s) return s;
  return txn;
}

bool txn_body_matches_type(int32_t type, const TxnBody& body) {
  std::optional<BodyKind> kind = body_kind(type);
  return kind && kind->index == body.index();
}

}  // namespace paddock::proto
