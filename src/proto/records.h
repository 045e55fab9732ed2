#pragma once
// ZooKeeper 3.8 client protocol records (fields in ZooKeeper's wire order) and their jute
// write/read functions, plus those of the value records in proto/types.h. Encode with
// proto::encode(record), decode with proto::decode(bytes, record) (proto/jute.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/jute.h"
#include "proto/types.h"

namespace paddock::proto {

// --- session handshake ----------------------------------------------------------------------
struct ConnectRequest {
  int32_t protocol_version = 0;
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  std::optional<bool> read_only;  // present on the wire only when the client sent it
  friend bool operator==(const ConnectRequest&, const ConnectRequest&) = default;
};
struct ConnectResponse {
  int32_t protocol_version = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  std::optional<bool> read_only;  // written only when set (37 bytes with, 36 without)
  friend bool operator==(const ConnectResponse&, const ConnectResponse&) = default;
};

// --- headers --------------------------------------------------------------------------------
struct RequestHeader {
  int32_t xid = 0;
  int32_t type = 0;
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};
struct ReplyHeader {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;
  friend bool operator==(const ReplyHeader&, const ReplyHeader&) = default;
};
// Multi request/response framing: one per op, ended by {-1, true, -1}.
struct MultiHeader {
  int32_t type = 0;
  bool done = false;
  int32_t err = 0;
  friend bool operator==(const MultiHeader&, const MultiHeader&) = default;
};
struct ErrorResponse {
  int32_t err = 0;
  friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;
};

// --- create / delete ------------------------------------------------------------------------
struct CreateRequest {
  std::string path;
  NodeData data = std::string();
  AclList acl;
  int32_t flags = 0;
  friend bool operator==(const CreateRequest&, const CreateRequest&) = default;
};
struct CreateTtlRequest {
  std::string path;
  NodeData data = std::string();
  AclList acl;
  int32_t flags = 0;
  int64_t ttl = 0;
  friend bool operator==(const CreateTtlRequest&, const CreateTtlRequest&) = default;
};
struct CreateResponse {
  std::string path;
  friend bool operator==(const CreateResponse&, const CreateResponse&) = default;
};
struct Create2Response {
  std::string path;
  Stat stat;
  friend bool operator==(const Create2Response&, const Create2Response&) = default;
};
struct DeleteRequest {
  std::string path;
  int32_t version = 0;
  friend bool operator==(const DeleteRequest&, const DeleteRequest&) = default;
};

// --- reads and writes of one node -----------------------------------------------------------
struct ExistsRequest {
  std::string path;
  bool watch = false;
  friend bool operator==(const ExistsRequest&, const ExistsRequest&) = default;
};
struct ExistsResponse {
  Stat stat;
  friend bool operator==(const ExistsResponse&, const ExistsResponse&) = default;
};
struct GetDataRequest {
  std::string path;
  bool watch = false;
  friend bool operator==(const GetDataRequest&, const GetDataRequest&) = default;
};
struct GetDataResponse {
  NodeData data = std::string();
  Stat stat;
  friend bool operator==(const GetDataResponse&, const GetDataResponse&) = default;
};
struct SetDataRequest {
  std::string path;
  NodeData data = std::string();
  int32_t version = 0;
  friend bool operator==(const SetDataRequest&, const SetDataRequest&) = default;
};
struct SetDataResponse {
  Stat stat;
  friend bool operator==(const SetDataResponse&, const SetDataResponse&) = default;
};
struct GetAclRequest {
  std::string path;
  friend bool operator==(const GetAclRequest&, const GetAclRequest&) = default;
};
struct GetAclResponse {
  AclList acl;
  Stat stat;
  friend bool operator==(const GetAclResponse&, const GetAclResponse&) = default;
};
struct SetAclRequest {
  std::string path;
  AclList acl;
  int32_t version = 0;
  friend bool operator==(const SetAclRequest&, const SetAclRequest&) = default;
};
struct SetAclResponse {
  Stat stat;
  friend bool operator==(const SetAclResponse&, const SetAclResponse&) = default;
};

// --- children -------------------------------------------------------------------------------
struct GetChildrenRequest {
  std::string path;
  bool watch = false;
  friend bool operator==(const GetChildrenRequest&, const GetChildrenRequest&) = default;
};
struct GetChildrenResponse {
  std::vector<std::string> children;
  friend bool operator==(const GetChildrenResponse&, const GetChildrenResponse&) = default;
};
struct GetChildren2Request {
  std::string path;
  bool watch = false;
  friend bool operator==(const GetChildren2Request&, const GetChildren2Request&) = default;
};
struct GetChildren2Response {
  std::vector<std::string> children;
  Stat stat;
  friend bool operator==(const GetChildren2Response&, const GetChildren2Response&) = default;
};
struct GetEphemeralsRequest {
  std::string prefix_path;
  friend bool operator==(const GetEphemeralsRequest&, const GetEphemeralsRequest&) = default;
};
struct GetEphemeralsResponse {
  std::vector<std::string> ephemerals;
  friend bool operator==(const GetEphemeralsResponse&, const GetEphemeralsResponse&) = default;
};
struct GetAllChildrenNumberRequest {
  std::string path;
  friend bool operator==(const GetAllChildrenNumberRequest&,
                         const GetAllChildrenNumberRequest&) = default;
};
struct GetAllChildrenNumberResponse {
  int32_t total_number = 0;
  friend bool operator==(const GetAllChildrenNumberResponse&,
                         const GetAllChildrenNumberResponse&) = default;
};

// --- sync, check ----------------------------------------------------------------------------
struct SyncRequest {
  std::string path;
  friend bool operator==(const SyncRequest&, const SyncRequest&) = default;
};
struct SyncResponse {
  std::string path;
  friend bool operator==(const SyncResponse&, const SyncResponse&) = default;
};
struct CheckVersionRequest {
  std::string path;
  int32_t version = 0;
  friend bool operator==(const CheckVersionRequest&, const CheckVersionRequest&) = default;
};

// --- watches --------------------------------------------------------------------------------
struct AddWatchRequest {
  std::string path;
  int32_t mode = 0;  // AddWatchMode
  friend bool operator==(const AddWatchRequest&, const AddWatchRequest&) = default;
};
struct CheckWatchesRequest {
  std::string path;
  int32_t type = 0;  // WatcherType
  friend bool operator==(const CheckWatchesRequest&, const CheckWatchesRequest&) = default;
};
struct RemoveWatchesRequest {
  std::string path;
  int32_t type = 0;  // WatcherType
  friend bool operator==(const RemoveWatchesRequest&, const RemoveWatchesRequest&) = default;
};
struct SetWatches {
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  friend bool operator==(const SetWatches&, const SetWatches&) = default;
};
struct SetWatches2 {
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
  friend bool operator==(const SetWatches2&, const SetWatches2&) = default;
};
struct WatcherEvent {
  int32_t type = 0;   // EventType
  int32_t state = 0;  // KeeperState
  std::string path;
  friend bool operator==(const WatcherEvent&, const WatcherEvent&) = default;
};

// --- auth -----------------------------------------------------------------------------------
struct AuthPacket {
  int32_t type = 0;
  std::string scheme;
  std::string auth;
  friend bool operator==(const AuthPacket&, const AuthPacket&) = default;
};
struct ClientInfo {
  std::string auth_scheme;
  std::string user;
  friend bool operator==(const ClientInfo&, const ClientInfo&) = default;
};
struct WhoAmIResponse {
  std::vector<ClientInfo> client_info;
  friend bool operator==(const WhoAmIResponse&, const WhoAmIResponse&) = default;
};

// --- jute functions -------------------------------------------------------------------------
#define PADDOCK_JUTE_RECORD(T)           \
  void write(JuteWriter& w, const T& r); \
  void read(JuteReader& r, T& out)

// Value records of proto/types.h.
PADDOCK_JUTE_RECORD(Id);
PADDOCK_JUTE_RECORD(Acl);
PADDOCK_JUTE_RECORD(AclList);
PADDOCK_JUTE_RECORD(Stat);
PADDOCK_JUTE_RECORD(StatPersisted);

PADDOCK_JUTE_RECORD(ConnectRequest);
PADDOCK_JUTE_RECORD(ConnectResponse);
PADDOCK_JUTE_RECORD(RequestHeader);
PADDOCK_JUTE_RECORD(ReplyHeader);
PADDOCK_JUTE_RECORD(MultiHeader);
PADDOCK_JUTE_RECORD(ErrorResponse);
PADDOCK_JUTE_RECORD(CreateRequest);
PADDOCK_JUTE_RECORD(CreateTtlRequest);
PADDOCK_JUTE_RECORD(CreateResponse);
PADDOCK_JUTE_RECORD(Create2Response);
PADDOCK_JUTE_RECORD(DeleteRequest);
PADDOCK_JUTE_RECORD(ExistsRequest);
PADDOCK_JUTE_RECORD(ExistsResponse);
PADDOCK_JUTE_RECORD(GetDataRequest);
PADDOCK_JUTE_RECORD(GetDataResponse);
PADDOCK_JUTE_RECORD(SetDataRequest);
PADDOCK_JUTE_RECORD(SetDataResponse);
PADDOCK_JUTE_RECORD(GetAclRequest);
PADDOCK_JUTE_RECORD(GetAclResponse);
PADDOCK_JUTE_RECORD(SetAclRequest);
PADDOCK_JUTE_RECORD(SetAclResponse);
PADDOCK_JUTE_RECORD(GetChildrenRequest);
PADDOCK_JUTE_RECORD(GetChildrenResponse);
PADDOCK_JUTE_RECORD(GetChildren2Request);
PADDOCK_JUTE_RECORD(GetChildren2Response);
PADDOCK_JUTE_RECORD(GetEphemeralsRequest);
PADDOCK_JUTE_RECORD(GetEphemeralsResponse);
PADDOCK_JUTE_RECORD(GetAllChildrenNumberRequest);
PADDOCK_JUTE_RECORD(GetAllChildrenNumberResponse);
PADDOCK_JUTE_RECORD(SyncRequest);
PADDOCK_JUTE_RECORD(SyncResponse);
PADDOCK_JUTE_RECORD(CheckVersionRequest);
PADDOCK_JUTE_RECORD(AddWatchRequest);
PADDOCK_JUTE_RECORD(CheckWatchesRequest);
PADDOCK_JUTE_RECORD(RemoveWatchesRequest);
PADDOCK_JUTE_RECORD(SetWatches);
PADDOCK_JUTE_RECORD(SetWatches2);
PADDOCK_JUTE_RECORD(WatcherEvent);
PADDOCK_JUTE_RECORD(AuthPacket);
PADDOCK_JUTE_RECORD(ClientInfo);
PADDOCK_JUTE_RECORD(WhoAmIResponse);
#undef PADDOCK_JUTE_RECORD

// A vector<string> (children, ephemerals, watch paths): also usable on its own.
void write_strings(JuteWriter& w, const std::vector<std::string>& v);
void read_strings(JuteReader& r, std::vector<std::string>& out);

// The MultiHeader that ends a multi request or response.
inline MultiHeader multi_end_marker() { return MultiHeader{-1, true, -1}; }

}  // namespace paddock::proto
