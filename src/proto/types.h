#pragma once
// ZooKeeper 3.8 protocol constants and the value records shared by every layer
// (see ../shared/PROTOCOL.md). Pure data: no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace paddock::proto {

enum class OpCode : int32_t {
  kNotification = 0,
  kCreate = 1,
  kDelete = 2,
  kExists = 3,
  kGetData = 4,
  kSetData = 5,
  kGetACL = 6,
  kSetACL = 7,
  kGetChildren = 8,
  kSync = 9,
  kPing = 11,
  kGetChildren2 = 12,
  kCheck = 13,
  kMulti = 14,
  kCreate2 = 15,
  kReconfig = 16,
  kCheckWatches = 17,
  kRemoveWatches = 18,
  kCreateContainer = 19,
  kDeleteContainer = 20,
  kCreateTTL = 21,
  kMultiRead = 22,
  kAuth = 100,
  kSetWatches = 101,
  kSasl = 102,
  kGetEphemerals = 103,
  kGetAllChildrenNumber = 104,
  kSetWatches2 = 105,
  kAddWatch = 106,
  kWhoAmI = 107,
  kCreateSession = -10,
  kCloseSession = -11,
  kError = -1,
};

// ZooKeeper error codes (KeeperException.Code), carried as values everywhere.
enum class Err : int32_t {
  kOk = 0,
  kSystemError = -1,
  kRuntimeInconsistency = -2,
  kDataInconsistency = -3,
  kConnectionLoss = -4,
  kMarshallingError = -5,
  kUnimplemented = -6,
  kOperationTimeout = -7,
  kBadArguments = -8,
  kUnknownSession = -12,
  kNewConfigNoQuorum = -13,
  kReconfigInProgress = -14,
  kApiError = -100,
  kNoNode = -101,
  kNoAuth = -102,
  kBadVersion = -103,
  kNoChildrenForEphemerals = -108,
  kNodeExists = -110,
  kNotEmpty = -111,
  kSessionExpired = -112,
  kInvalidCallback = -113,
  kInvalidAcl = -114,
  kAuthFailed = -115,
  kSessionMoved = -118,
  kNotReadOnly = -119,
  kEphemeralOnLocalSession = -120,
  kNoWatcher = -121,
  kRequestTimeout = -122,
  kReconfigDisabled = -123,
  kSessionClosedRequireSaslAuth = -124,
  kQuotaExceeded = -125,
  kThrottledOp = -127,
};

const char* err_name(Err e);

enum class EventType : int32_t {
  kNone = -1,
  kNodeCreated = 1,
  kNodeDeleted = 2,
  kNodeDataChanged = 3,
  kNodeChildrenChanged = 4,
  kDataWatchRemoved = 5,
  kChildWatchRemoved = 6,
  kPersistentWatchRemoved = 7,
};

enum class KeeperState : int32_t {
  kUnknown = -1,
  kDisconnected = 0,
  kNoSyncConnected = 1,
  kSyncConnected = 3,
  kAuthFailed = 4,
  kConnectedReadOnly = 5,
  kSaslAuthenticated = 6,
  kExpired = -112,
  kClosed = 7,
};

enum class CreateMode : int32_t {
  kPersistent = 0,
  kEphemeral = 1,
  kPersistentSequential = 2,
  kEphemeralSequential = 3,
  kContainer = 4,
  kPersistentWithTtl = 5,
  kPersistentSequentialWithTtl = 6,
};

enum class WatcherType : int32_t { kChildren = 1, kData = 2, kAny = 3 };
enum class AddWatchMode : int32_t { kPersistent = 0, kPersistentRecursive = 1 };

namespace perm {
constexpr int32_t kRead = 1;
constexpr int32_t kWrite = 2;
constexpr int32_t kCreate = 4;
constexpr int32_t kDelete = 8;
constexpr int32_t kAdmin = 16;
constexpr int32_t kAll = 31;
}  // namespace perm

// Special xids on the client connection.
namespace xid {
constexpr int32_t kNotification = -1;
constexpr int32_t kPing = -2;
constexpr int32_t kAuth = -4;
constexpr int32_t kSetWatches = -8;
}  // namespace xid

// ephemeralOwner values that mark container and TTL nodes inside the tree.
constexpr int64_t kContainerOwner = INT64_MIN;                // 0x8000000000000000
constexpr int64_t kTtlOwnerMask = static_cast<int64_t>(0xFF00000000000000ULL);
constexpr int64_t kMaxTtlMs = (1LL << 40) - 1;

struct Id {
  std::string scheme;
  std::string id;
  friend bool operator==(const Id&, const Id&) = default;
};

struct Acl {
  int32_t perms = 0;
  Id id;
  friend bool operator==(const Acl&, const Acl&) = default;
};
using AclList = std::vector<Acl>;

// A znode's data as ZooKeeper carries it (a Java byte[]): nullopt is NULL data (a buffer of
// length -1 on the wire, in txns and in snapshots), which ZooKeeper keeps apart from empty
// data: getData then answers a null buffer (zkCli prints "null", kazoo returns None).
// Records default to empty, not null. Null counts as 0 bytes everywhere (Stat dataLength,
// quotas, zk_approximate_data_size) and adds nothing to the tree digest.
using NodeData = std::optional<std::string>;
inline size_t data_size(const NodeData& data) { return data ? data->size() : 0; }

// The Stat clients see (68 bytes on the wire).
struct Stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
  friend bool operator==(const Stat&, const Stat&) = default;
};

// The Stat as the tree and snapshots keep it: no dataLength/numChildren (derived), and
// cversion counts child creates only (clients see 2*creates - numChildren).
struct StatPersisted {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int64_t pzxid = 0;
  friend bool operator==(const StatPersisted&, const StatPersisted&) = default;
};

}  // namespace paddock::proto
