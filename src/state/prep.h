#pragma once
// Private to the Database implementation: turning write requests into txns with ZooKeeper
// 3.8's PrepRequestProcessor checks, in its order, against the tree plus pending changes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/txn.h"
#include "state/acl_check.h"
#include "state/data_tree.h"
#include "state/database.h"
#include "state/pending_changes.h"

namespace paddock::state {

// One create, whichever op carried it (create 1, create2 15, createContainer 19,
// createTTL 21). `req.ttl` is -1 unless the op is createTTL, as ZooKeeper passes it on.
struct CreateOp {
  int32_t op = 0;
  proto::CreateTtlRequest req;
};
using WriteOp = std::variant<CreateOp, proto::DeleteRequest, proto::SetDataRequest,
                             proto::SetAclRequest, proto::CheckVersionRequest>;

// Reads the record of a single write op `type` (OpInfo::single_write: create*, delete,
// setData, setACL, check) from `r`. False for any other op.
bool read_write_op(proto::JuteReader& r, int32_t type, WriteOp& out);

// The body and header type one op contributes (top level or inside a multi).
struct OpTxn {
  int32_t type = 0;
  proto::SimpleTxnBody body;
};

// What kind of node an ephemeralOwner makes (EphemeralType).
enum class NodeKind { kPersistent, kSession, kContainer, kTtl };
NodeKind node_kind(int64_t owner);

// Paths ZooKeeper refuses to delete (ZKDatabase.isSpecialPath).
bool is_special_path(std::string_view p);
std::string parent_of(std::string_view path);  // "/a/b" -> "/a"; "/a" -> "/"; "a" -> ""

proto::Txn make_txn(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms, int32_t type,
                    proto::TxnBody body);
proto::Txn error_txn(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms,
                     proto::Err err);

class Preparer {
 public:
  Preparer(const DatabaseOptions& options, const DataTree& tree, PendingChanges& pending,
           const AclChecker& acl)
      : options_(options), tree_(tree), pending_(pending), acl_(acl) {}

  proto::Txn prep(const Request& request, int64_t zxid, int64_t now_ms);
  proto::Txn create_session(int64_t session_id, int32_t timeout_ms, int64_t zxid, int64_t now_ms);
  proto::Txn close_session(int64_t session_id, int32_t cxid, int64_t zxid, int64_t now_ms);
  proto::Txn delete_container(const std::string& path, int64_t zxid, int64_t now_ms);

  // The node as the pending txns will leave it (nullopt: absent).
  std::optional<NodeRecord> node(std::string_view path) const;

 private:
  struct OpContext {
    int64_t session_id = 0;
    const std::vector<proto::Id>& auth;
    int64_t zxid = 0;
    int64_t now_ms = 0;
    bool in_multi = false;
  };

  proto::Txn prep_single(const Request& request, int64_t zxid, int64_t now_ms);
  proto::Txn prep_multi(const Request& request, int64_t zxid, int64_t now_ms);
  proto::Err prep_op(const WriteOp& op, const OpContext& ctx, OpTxn& out);
  proto::Err prep_create(const CreateOp& op, const OpContext& ctx, OpTxn& out);
  proto::Err check_create_mode(const CreateOp& op, const OpContext& ctx) const;
  proto::Err prep_delete(const proto::DeleteRequest& req, const OpContext& ctx, OpTxn& out);
  proto::Err prep_set_data(const proto::SetDataRequest& req, const OpContext& ctx, OpTxn& out);
  proto::Err prep_set_acl(const proto::SetAclRequest& req, const OpContext& ctx, OpTxn& out);
  proto::Err prep_check(const proto::CheckVersionRequest& req, const OpContext& ctx, OpTxn& out);
  proto::Err check_session(int64_t session_id) const;
  proto::Err check_quota(std::string_view path, int64_t count_delta, int64_t bytes_delta) const;
  // Records a removed node and its parent losing a child.
  void add_removal(int64_t zxid, const std::string& path, NodeRecord parent);
  std::vector<std::string> session_ephemerals(int64_t session_id) const;

  const DatabaseOptions& options_;
  const DataTree& tree_;
  PendingChanges& pending_;
  const AclChecker& acl_;
};

}  // namespace paddock::state
