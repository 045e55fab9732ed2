#pragma once
// Database: the request-level face of the state layer. It validates client requests against
// the tree plus the txns prepared but not yet applied (so many writes can be in flight during
// group commit), turns writes into deterministic txns, serves reads, applies committed txns
// and encodes the replies. Pure and single-threaded: time, zxids and session ids come in as
// arguments; no I/O, no clock, no randomness.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/txn.h"
#include "proto/types.h"
#include "state/data_tree.h"
#include "state/watch_registry.h"

namespace paddock::state {

struct DatabaseOptions {
  // jute.maxbuffer. ZooKeeper has no data-size error of its own: a request frame over this
  // closes the connection (the server's job). Here it bounds the buffers prep/read decode.
  int64_t max_data_bytes = 0xfffff;
  bool extended_types_enabled = false;  // zookeeper.extendedTypesEnabled: TTL nodes
  bool enforce_quota = false;           // zookeeper.enforceQuota
  std::string super_digest;  // zookeeper.DigestAuthenticationProvider.superDigest "super:base64"
  bool skip_acl = false;     // zookeeper.skipACL=yes

  // The longest buffer a request record may hold when decoded: jute.maxbuffer plus
  // zookeeper.jute.maxbuffer.extrasize (which defaults to jute.maxbuffer, at least 1024).
  size_t decode_limit() const {
    const int64_t base = max_data_bytes > 0 ? max_data_bytes : 0;
    return static_cast<size_t>(base + (base > 1024 ? base : 1024));
  }
};

// One client request as the pipeline hands it over: the header fields and the raw record.
struct Request {
  int64_t session_id = 0;
  int32_t xid = 0;
  proto::OpCode op = proto::OpCode::kError;
  std::string_view body;                         // the request record bytes after RequestHeader
  const std::vector<proto::Id>* auth = nullptr;  // the connection's ids (ip, digest, super...)
  WatcherId watcher = 0;                         // the connection, for watches it sets
};

struct Reply {
  proto::Err err = proto::Err::kOk;
  std::string body;  // the encoded response record; empty when err != kOk (except multi)
};

// A reply that carries an error code only.
inline Reply error_reply(proto::Err e) { return Reply{e, {}}; }

struct Outcome {
  Reply reply;
  std::vector<WatchEvent> events;  // to deliver before the reply
};

class Database {
 public:
  explicit Database(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Whether `op` becomes a txn (OpKind::kWrite in the op table, state/op_table.h).
  static bool is_write(proto::OpCode op);
  // Reads (exists, getData, getChildren(2), getACL, getEphemerals, getAllChildrenNumber,
  // whoAmI, multiRead, addWatch, checkWatches, removeWatches, setWatches(2)): answered from
  // applied state only. May set watches; setWatches may fire events at once.
  // Also answers sync (the path back). Unknown ops: UNIMPLEMENTED.
  Outcome read(const Request& request);

  // Writes: decides the txn for `request` against applied state plus pending txns. Always
  // returns a txn: a failed write becomes an ErrorTxn (or a MultiTxn of error results), as
  // ZooKeeper logs it. The txn is remembered as pending until apply() sees its zxid.
  proto::Txn prep(const Request& request, int64_t zxid, int64_t now_ms);
  // Txns the server makes itself: session create/close, container and TTL clean-up.
  proto::Txn prep_create_session(int64_t session_id, int32_t timeout_ms, int64_t zxid,
                                 int64_t now_ms);
  proto::Txn prep_close_session(int64_t session_id, int64_t zxid, int64_t now_ms);
  proto::Txn prep_delete_container(const std::string& path, int64_t zxid, int64_t now_ms);

  // Applies a committed txn (in zxid order) and encodes the reply for the request that made
  // it, when given. Replay passes no request.
  Outcome apply(const proto::Txn& txn, const Request* origin);

  // ZooKeeper 3.8.0 (Debian 3.8.0-11+deb12u2, checked) delivers a triggered watch
  // event only to a connection that holds READ on the changed node's ACL at that moment
  // (super and skipACL pass; setWatches' immediate events are not filtered). With a lookup
  // set, apply() drops the events whose watcher fails that check; the lookup returns the
  // watcher's ids, or nullptr for an unknown watcher (its events are kept).
  using WatcherAuthLookup = std::function<const std::vector<proto::Id>*(WatcherId)>;
  void set_watcher_auth(WatcherAuthLookup lookup) { watcher_auth_ = std::move(lookup); }

  // Forgets pending txns (e.g. the log failed and they will never be applied).
  void drop_pending();
  // Back to a fresh tree (the system nodes only) with nothing pending: before the state is
  // loaded again from disk or from a leader's snapshot. Watches go too; no client may be
  // attached then.
  void reset();

  // Authentication: the id an AuthPacket proves, or nullopt (AUTHFAILED). Digest only: for
  // "ip" it returns nullopt, as it cannot know the peer; use authenticate_ids.
  std::optional<proto::Id> authenticate(std::string_view scheme, std::string_view auth) const;
  // Every id an AuthPacket adds to the connection, as ZooKeeper 3.8 does; empty = AUTHFAILED.
  // digest -> [super:"" when it is the super digest], digest:"user:hash";
  // ip -> ip:<peer_ip> (the connection's address; ZooKeeper answers OK).
  // The connection's ids are a set in ZooKeeper: add each id once.
  std::vector<proto::Id> authenticate_ids(std::string_view scheme, std::string_view auth,
                                          std::string_view peer_ip) const;

  // Txns prepared and not yet applied (for tests and metrics).
  size_t pending_change_count() const;

  DataTree& tree() { return tree_; }
  const DataTree& tree() const { return tree_; }

 private:
  DatabaseOptions options_;
  DataTree tree_;
  // pending-change overlay lives in the implementation
  struct Pending;
  std::unique_ptr<Pending> pending_;
  WatcherAuthLookup watcher_auth_;
};

}  // namespace paddock::state
