#pragma once
// Database: the request-level face of the state layer. It validates client requests against
// the tree plus the txns prepared but not yet applied (so many writes can be in flight during
// group commit), turns writes into deterministic txns, serves reads, applies committed txns
// and encodes the replies. Pure and single-threaded: time, zxids and session ids come in as
// arguments; no I/O, no clock, no randomness.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/txn.h"
#include "proto/types.h"
#include "state/data_tree.h"

namespace paddock::state {

struct DatabaseOptions {
  int64_t max_data_bytes = 0xfffff;        // jute.maxbuffer: data larger than this -> BADARGUMENTS? (ZK: too large)
  bool extended_types_enabled = false;     // zookeeper.extendedTypesEnabled: TTL nodes
  bool enforce_quota = false;              // zookeeper.enforceQuota
  std::string super_digest;                // zookeeper.DigestAuthenticationProvider.superDigest "super:base64"
  bool skip_acl = false;                   // zookeeper.skipACL=yes
};

// One client request as the pipeline hands it over: the header fields and the raw record.
struct Request {
  int64_t session_id = 0;
  int32_t xid = 0;
  proto::OpCode op = proto::OpCode::kError;
  std::string_view body;                    // the request record bytes after RequestHeader
  const std::vector<proto::Id>* auth = nullptr;  // the connection's ids (ip, digest, super...)
  WatcherId watcher = 0;                    // the connection, for watches it sets
};

struct Reply {
  proto::Err err = proto::Err::kOk;
  std::string body;  // the encoded response record; empty when err != kOk (except multi)
};

struct Outcome {
  Reply reply;
  std::vector<WatchEvent> events;  // to deliver before the reply
};

class Database {
 public:
  explicit Database(DatabaseOptions options);

  static bool is_write(proto::OpCode op);  // create*, delete, setData, setACL, multi, check,
                                           // createSession, closeSession, reconfig
  // Reads (exists, getData, getChildren(2), getACL, getEphemerals, getAllChildrenNumber,
  // whoAmI, multiRead, addWatch, checkWatches, removeWatches, setWatches(2)): answered from
  // applied state only. May set watches; setWatches may fire events at once.
  Outcome read(const Request& request, int64_t last_zxid_seen_by_watches = 0);

  // Writes: decides the txn for `request` against applied state plus pending txns. Always
  // returns a txn: a failed write becomes an ErrorTxn (or a MultiTxn of error results), as
  // ZooKeeper logs it. The txn is remembered as pending until apply() sees its zxid.
  proto::Txn prep(const Request& request, int64_t zxid, int64_t now_ms);
  // Txns the server makes itself: session create/close, container and TTL clean-up.
  proto::Txn prep_create_session(int64_t session_id, int32_t timeout_ms, int64_t zxid, int64_t now_ms);
  proto::Txn prep_close_session(int64_t session_id, int64_t zxid, int64_t now_ms);
  proto::Txn prep_delete_container(const std::string& path, int64_t zxid, int64_t now_ms);

  // Applies a committed txn (in zxid order) and encodes the reply for the request that made
  // it, when given. Replay passes no request.
  Outcome apply(const proto::Txn& txn, const Request* origin);

  // Forgets pending txns (e.g. the log failed and they will never be applied).
  void drop_pending();

  // Authentication: the id an AuthPacket proves, or nullopt (AUTHFAILED).
  std::optional<proto::Id> authenticate(std::string_view scheme, std::string_view auth) const;

  DataTree& tree() { return tree_; }
  const DataTree& tree() const { return tree_; }

 private:
  DatabaseOptions options_;
  DataTree tree_;
  // pending-change overlay lives in the implementation
  struct Pending;
  std::unique_ptr<Pending> pending_;
};

}  // namespace paddock::state
