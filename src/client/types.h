#pragma once
// The client library's public value types: results, watch events, options. Protocol
// constants (error codes, create modes, event types, Stat, ACLs) are proto/'s, re-exported
// here so a user includes only client/client.h.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "proto/records.h"
#include "proto/types.h"

namespace paddock::client {

using proto::Acl;
using proto::AclList;
using proto::AddWatchMode;
using proto::ClientInfo;
using proto::CreateMode;
using proto::Err;
using proto::EventType;
using proto::Id;
using proto::KeeperState;
using proto::NodeData;
using proto::OpCode;
using proto::Stat;
using proto::WatcherType;

// world:anyone with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE).
inline AclList open_acl_unsafe() { return {Acl{proto::perm::kAll, Id{"world", "anyone"}}}; }
// Every permission for the ids the session has authenticated as (CREATOR_ALL_ACL).
inline AclList creator_all_acl() { return {Acl{proto::perm::kAll, Id{"auth", ""}}}; }
// world:anyone may read (READ_ACL_UNSAFE).
inline AclList read_acl_unsafe() { return {Acl{proto::perm::kRead, Id{"world", "anyone"}}}; }

// The exception of the blocking facade (and of Result::value() on a failed result): the
// ZooKeeper error code and the path of the call (empty for calls without one).
class KeeperException : public std::runtime_error {
 public:
  KeeperException(Err code, std::string path);
  Err code() const { return code_; }
  const std::string& path() const { return path_; }

 private:
  Err code_;
  std::string path_;
};

// The outcome of one call: a value, or a ZooKeeper error code with the call's path. A failed
// multi carries both: the code of the op that failed and the per-op results.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Err code, std::string path, std::optional<T> partial = std::nullopt)
      : code_(code), path_(std::move(path)), value_(std::move(partial)) {}

  bool ok() const { return code_ == Err::kOk; }
  explicit operator bool() const { return ok(); }
  Err code() const { return code_; }
  const std::string& path() const { return path_; }
  bool has_value() const { return value_.has_value(); }

  // The value; throws KeeperException when the call failed.
  T& value() & {
    check();
    return *value_;
  }
  const T& value() const& {
    check();
    return *value_;
  }
  T&& value() && {
    check();
    return std::move(*value_);
  }
  // The value even of a failed call, where there is one (a failed multi's per-op results).
  const std::optional<T>& partial() const { return value_; }

 private:
  void check() const {
    if (!ok()) throw KeeperException(code_, path_);
  }
  Err code_ = Err::kOk;
  std::string path_;
  std::optional<T> value_;
};

// The value of calls that answer nothing but success (delete, addWatch, addAuth, ...).
struct Empty {
  friend bool operator==(const Empty&, const Empty&) = default;
};

struct CreateResult {
  std::string path;  // the created path (with its sequence suffix), chroot removed
  Stat stat;
};
struct DataResult {
  NodeData data;  // nullopt: the znode holds null data
  Stat stat;
};
struct ChildrenResult {
  std::vector<std::string> children;
  Stat stat;
};
struct AclResult {
  AclList acl;
  Stat stat;
};
// One op's outcome inside a multi. `type` is the op code the server answered with (create,
// create2, setData, delete, check; kError for an op that failed or was not run).
struct OpResult {
  OpCode type = OpCode::kError;
  Err err = Err::kOk;
  std::string path;  // create: the created path
  Stat stat;         // create2/createTTL/createContainer, setData
};
// One op's outcome inside a multiRead: getData fills data and stat, getChildren children.
struct ReadResult {
  OpCode type = OpCode::kError;
  Err err = Err::kOk;
  NodeData data;
  Stat stat;
  std::vector<std::string> children;
};

// A watch or session event. Session events have type kNone and an empty path.
struct WatchEvent {
  EventType type = EventType::kNone;
  KeeperState state = KeeperState::kSyncConnected;
  std::string path;
  friend bool operator==(const WatchEvent&, const WatchEvent&) = default;
};
using Watcher = std::function<void(const WatchEvent&)>;

template <typename T>
using Callback = std::function<void(Result<T>)>;

enum class SessionState { kConnecting, kConnected, kExpired, kAuthFailed, kClosed };
const char* session_state_name(SessionState s);

struct CreateOptions {
  CreateMode mode = CreateMode::kPersistent;
  AclList acl = open_acl_unsafe();
  int64_t ttl_ms = 0;  // only for kPersistentWithTtl / kPersistentSequentialWithTtl
};

// Limits with names (see README.md, "Bounded queues").
struct ClientLimits {
  // Calls submitted and not yet completed (waiting to be sent or waiting for their reply).
  // One more fails at once with kThrottledOp.
  size_t max_pending_requests = 10000;
  // Completions and watch events waiting for the event thread. While it is full the I/O
  // thread stops reading the socket (back-pressure); see README.md.
  size_t max_queued_events = 10000;
  // The largest reply frame accepted; a larger one drops the connection.
  size_t max_frame_bytes = size_t{4} << 20;
};

struct ClientOptions {
  // "host1:port1,host2:port2/chroot" (a missing port means 2181).
  std::string connect_string;
  // Asked of the server; the server clamps it to [minSessionTimeout, maxSessionTimeout].
  std::chrono::milliseconds session_timeout{10000};
  // Receives session events (Disconnected, SyncConnected, Expired, AuthFailed, Closed) on
  // the event thread. May be empty.
  Watcher session_watcher;
  // Resume an existing session (both 0/empty: start a new one).
  int64_t session_id = 0;
  std::string session_password;
  // Seed of the host shuffle; 0 draws one from std::random_device.
  uint64_t shuffle_seed = 0;
  ClientLimits limits;
};

}  // namespace paddock::client
