// Database: wiring of prep, reads and apply, and the encoding of write replies.
#include "state/database.h"

#include <map>

#include "proto/records.h"
#include "state/acl_check.h"
#include "state/auth_provider.h"
#include "state/op_table.h"
#include "state/pending_changes.h"
#include "state/prep.h"
#include "state/reads.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::OpCode;

constexpr int32_t kErrorType = static_cast<int32_t>(OpCode::kError);

// The reply body of a write that applied, alone or as an op result inside a multi.
void write_reply_body(proto::JuteWriter& w, WriteReply shape, const OpResult& result) {
  switch (shape) {
    case WriteReply::kPath:
      write(w, proto::CreateResponse{result.path});
      return;
    case WriteReply::kPathAndStat:
      write(w, proto::Create2Response{result.path, result.stat});
      return;
    case WriteReply::kStat:  // SetAclResponse is the same bare Stat
      write(w, proto::SetDataResponse{result.stat});
      return;
    case WriteReply::kNone:
      return;
  }
}

// One op result of a multi that applied (MultiResponse), typed by the txn op's type as
// the op table says (create2/createContainer/createTTL answer as create2, deleteContainer
// as delete).
void write_op_result(proto::JuteWriter& w, int32_t type, const OpResult& result) {
  const OpInfo& info = op_info(type);
  const int32_t result_type =
      info.multi_result == OpCode::kError ? type : static_cast<int32_t>(info.multi_result);
  write(w, proto::MultiHeader{result_type, false, 0});
  write_reply_body(w, info.reply, result);
}

void write_error_result(proto::JuteWriter& w, int32_t err) {
  write(w, proto::MultiHeader{kErrorType, false, err});
  write(w, proto::ErrorResponse{err});
}

// A failed multi answers every op as an error: 0 for the ops before the failing one, its
// code for it, RUNTIMEINCONSISTENCY (-2, already in the txn) for the ones after.
std::string encode_multi_response(const proto::MultiTxn& multi, const ApplyResult& applied) {
  bool failed = false;
  for (const proto::MultiTxnOp& op : multi.ops) failed = failed || op.type == kErrorType;
  std::string out;
  proto::JuteWriter w(out);
  for (size_t i = 0; i < multi.ops.size(); ++i) {
    const proto::MultiTxnOp& op = multi.ops[i];
    const auto* error = std::get_if<proto::ErrorTxn>(&op.body);
    const OpResult* result = i < applied.multi.size() ? &applied.multi[i] : nullptr;
    if (failed || error != nullptr) {
      write_error_result(w, error != nullptr ? error->err : 0);
    } else if (result != nullptr && result->err != Err::kOk) {
      write_error_result(w, static_cast<int32_t>(result->err));
    } else {
      write_op_result(w, op.type, result != nullptr ? *result : OpResult{});
    }
  }
  write(w, proto::multi_end_marker());
  return out;
}

Reply encode_write_reply(const proto::Txn& txn, const ApplyResult& applied, OpCode op) {
  if (const auto* error = std::get_if<proto::ErrorTxn>(&txn.body)) {
    return Reply{static_cast<Err>(error->err), {}};
  }
  if (const auto* multi = std::get_if<proto::MultiTxn>(&txn.body)) {
    return Reply{Err::kOk, encode_multi_response(*multi, applied)};
  }
  if (applied.err != Err::kOk) return Reply{applied.err, {}};
  // delete, deleteContainer, createSession, closeSession: no body. A top-level check gets
  // none either (ZooKeeper 3.8.0 fails to encode its reply and sends nothing).
  std::string body;
  proto::JuteWriter w(body);
  write_reply_body(w, op_info(op).reply, applied.single);
  return Reply{Err::kOk, std::move(body)};
}

// The ACLs of nodes a txn removes (taken before it applies) or creates, for the watch
// events about paths that are gone afterwards.
class RemovedNodeAcls {
 public:
  RemovedNodeAcls(const DataTree& tree, const proto::Txn& txn) : tree_(tree) {
    std::visit([&](const auto& body) { note(body); }, txn.body);
  }
  // The ACL that decides who sees an event on `path`, or nullptr if unknown.
  const proto::AclList* acl_for(const std::string& path) const {
    if (const Znode* node = tree_.find(path)) return &tree_.acl(*node);
    auto it = acls_.find(path);
    return it == acls_.end() ? nullptr : &it->second;
  }

 private:
  void remember(const std::string& path) {
    if (const Znode* node = tree_.find(path)) acls_.emplace(path, tree_.acl(*node));
  }
  void note(const proto::DeleteTxn& t) { remember(t.path); }
  void note(const proto::CloseSessionTxn& t) {
    for (const std::string& path : t.paths_to_delete) remember(path);
  }
  void note(const proto::CreateTxn& t) { acls_.emplace(t.path, t.acl); }
  void note(const proto::CreateContainerTxn& t) { acls_.emplace(t.path, t.acl); }
  void note(const proto::CreateTtlTxn& t) { acls_.emplace(t.path, t.acl); }
  void note(const proto::MultiTxn& t) {
    for (const proto::MultiTxnOp& op : t.ops) {
      std::visit([&](const auto& body) { note(body); }, op.body);
    }
  }
  template <typename T>
  void note(const T&) {}

  const DataTree& tree_;
  std::map<std::string, proto::AclList> acls_;
};

}  // namespace

struct Database::Pending {
  explicit Pending(const DatabaseOptions& options)
      : acl(AclPolicy{options.skip_acl, options.super_digest}) {}
  PendingChanges changes;
  AclChecker acl;
};

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), pending_(std::make_unique<Pending>(options_)) {}

Database::~Database() = default;

bool Database::is_write(OpCode op) { return op_info(op).kind == OpKind::kWrite; }

Outcome Database::read(const Request& request) {
  Reader reader(tree_, pending_->acl, request, options_.decode_limit());
  return reader.run();
}

proto::Txn Database::prep(const Request& request, int64_t zxid, int64_t now_ms) {
  Preparer p(options_, tree_, pending_->changes, pending_->acl);
  return p.prep(request, zxid, now_ms);
}

proto::Txn Database::prep_create_session(int64_t session_id, int32_t timeout_ms, int64_t zxid,
                                         int64_t now_ms) {
  Preparer p(options_, tree_, pending_->changes, pending_->acl);
  return p.create_session(session_id, timeout_ms, zxid, now_ms);
}

proto::Txn Database::prep_close_session(int64_t session_id, int64_t zxid, int64_t now_ms) {
  Preparer p(options_, tree_, pending_->changes, pending_->acl);
  return p.close_session(session_id, 0, zxid, now_ms);
}

proto::Txn Database::prep_delete_container(const std::string& path, int64_t zxid, int64_t now_ms) {
  Preparer p(options_, tree_, pending_->changes, pending_->acl);
  return p.delete_container(path, zxid, now_ms);
}

Outcome Database::apply(const proto::Txn& txn, const Request* origin) {
  std::optional<RemovedNodeAcls> acls;
  if (watcher_auth_) acls.emplace(tree_, txn);
  ApplyResult applied = tree_.apply(txn);
  pending_->changes.applied(txn.header.zxid);
  Outcome out;
  out.events = std::move(applied.events);
  if (acls) {
    std::erase_if(out.events, [&](const WatchEvent& e) {
      const std::vector<proto::Id>* ids = watcher_auth_(e.watcher);
      const proto::AclList* acl = acls->acl_for(e.path);
      return ids != nullptr && acl != nullptr &&
             !pending_->acl.permits(*acl, proto::perm::kRead, *ids);
    });
  }
  if (origin != nullptr) out.reply = encode_write_reply(txn, applied, origin->op);
  return out;
}

void Database::drop_pending() { pending_->changes.clear(); }

void Database::reset() {
  drop_pending();
  tree_ = DataTree();
}

size_t Database::pending_change_count() const { return pending_->changes.change_count(); }

std::optional<proto::Id> Database::authenticate(std::string_view scheme,
                                                std::string_view auth) const {
  if (scheme != "digest") return std::nullopt;
  return proto::Id{"digest", digest_of(auth)};
}

std::vector<proto::Id> Database::authenticate_ids(std::string_view scheme, std::string_view auth,
                                                  std::string_view peer_ip) const {
  return state::authenticate_ids(scheme, auth, peer_ip, options_.super_digest);
}

}  // namespace paddock::state
