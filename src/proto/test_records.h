#pragma once
// Test-only: every jute record type, and one sample of each with a distinct nonzero value in
// every field (so a swapped or skipped field changes the bytes). Used by records_test.cc and
// fuzz_smoke_test.cc.
#include "proto/records.h"
#include "proto/txn.h"

namespace paddock::proto::testing {

// clang-format off
// X(Type) for every record with write/read.
#define PADDOCK_FOR_EACH_RECORD(X)                                                          \
  X(Id) X(Acl) X(AclList) X(Stat) X(StatPersisted) X(ConnectRequest) X(ConnectResponse)     \
  X(RequestHeader) X(ReplyHeader) X(MultiHeader) X(ErrorResponse) X(CreateRequest)          \
  X(CreateTtlRequest) X(CreateResponse) X(Create2Response) X(DeleteRequest) X(ExistsRequest) \
  X(ExistsResponse) X(GetDataRequest) X(GetDataResponse) X(SetDataRequest)                 \
  X(SetDataResponse) X(GetAclRequest) X(GetAclResponse) X(SetAclRequest) X(SetAclResponse)  \
  X(GetChildrenRequest) X(GetChildrenResponse) X(GetChildren2Request)                      \
  X(GetChildren2Response) X(GetEphemeralsRequest) X(GetEphemeralsResponse)                 \
  X(GetAllChildrenNumberRequest) X(GetAllChildrenNumberResponse) X(SyncRequest)            \
  X(SyncResponse) X(CheckVersionRequest) X(AddWatchRequest) X(CheckWatchesRequest)         \
  X(RemoveWatchesRequest) X(SetWatches) X(SetWatches2) X(WatcherEvent) X(AuthPacket)       \
  X(ClientInfo) X(WhoAmIResponse) X(TxnHeader) X(CreateTxn) X(CreateContainerTxn)          \
  X(CreateTtlTxn) X(DeleteTxn) X(SetDataTxn) X(SetAclTxn) X(CheckVersionTxn)               \
  X(CreateSessionTxn) X(CloseSessionTxn) X(ErrorTxn)

inline Stat sample_stat() {
  return Stat{0x0102030405060708, 2, 3, 4, 5, 6, 7, 0x7f00000000000008, 9, 10, 11};
}
inline AclList sample_acl() {
  return {Acl{perm::kAll, Id{"world", "anyone"}}, Acl{perm::kRead, Id{"ip", "10.0.0.1"}}};
}

template <typename T>
T sample();

#define PADDOCK_SAMPLE(T, ...) \
  template <>                  \
  inline T sample<T>() {       \
    return T __VA_ARGS__;      \
  }
PADDOCK_SAMPLE(Id, {"digest", "u:x"})
PADDOCK_SAMPLE(Acl, {perm::kAdmin, Id{"auth", ""}})
PADDOCK_SAMPLE(AclList, (sample_acl()))
PADDOCK_SAMPLE(Stat, (sample_stat()))
PADDOCK_SAMPLE(StatPersisted, {1, 2, 3, 4, 5, 6, 7, 8, 9})
PADDOCK_SAMPLE(ConnectRequest, {0, 0x100000005, 30000, 0x1234, std::string(16, 'p'), true})
PADDOCK_SAMPLE(ConnectResponse, {0, 4000, 0x1234, std::string(16, 'q'), false})
PADDOCK_SAMPLE(RequestHeader, {7, 4})
PADDOCK_SAMPLE(ReplyHeader, {7, 0x200000001, -101})
PADDOCK_SAMPLE(MultiHeader, {1, false, -1})
PADDOCK_SAMPLE(ErrorResponse, {-110})
PADDOCK_SAMPLE(CreateRequest, {"/a", "data", sample_acl(), 3})
PADDOCK_SAMPLE(CreateTtlRequest, {"/t", "d", sample_acl(), 5, 60000})
PADDOCK_SAMPLE(CreateResponse, {"/a0000000001"})
PADDOCK_SAMPLE(Create2Response, {"/b", sample_stat()})
PADDOCK_SAMPLE(DeleteRequest, {"/a", 4})
PADDOCK_SAMPLE(ExistsRequest, {"/e", true})
PADDOCK_SAMPLE(ExistsResponse, {sample_stat()})
PADDOCK_SAMPLE(GetDataRequest, {"/g", true})
PADDOCK_SAMPLE(GetDataResponse, {std::string("x\0y", 3), sample_stat()})
PADDOCK_SAMPLE(SetDataRequest, {"/s", "new", 2})
PADDOCK_SAMPLE(SetDataResponse, {sample_stat()})
PADDOCK_SAMPLE(GetAclRequest, {"/acl"})
PADDOCK_SAMPLE(GetAclResponse, {sample_acl(), sample_stat()})
PADDOCK_SAMPLE(SetAclRequest, {"/acl", sample_acl(), 9})
PADDOCK_SAMPLE(SetAclResponse, {sample_stat()})
PADDOCK_SAMPLE(GetChildrenRequest, {"/c", true})
PADDOCK_SAMPLE(GetChildrenResponse, {{"x", "y", "zz"}})
PADDOCK_SAMPLE(GetChildren2Request, {"/c2", true})
PADDOCK_SAMPLE(GetChildren2Response, {{"k"}, sample_stat()})
PADDOCK_SAMPLE(GetEphemeralsRequest, {"/e"})
PADDOCK_SAMPLE(GetEphemeralsResponse, {{"/e/1", "/e/2"}})
PADDOCK_SAMPLE(GetAllChildrenNumberRequest, {"/n"})
PADDOCK_SAMPLE(GetAllChildrenNumberResponse, {42})
PADDOCK_SAMPLE(SyncRequest, {"/sync"})
PADDOCK_SAMPLE(SyncResponse, {"/sync"})
PADDOCK_SAMPLE(CheckVersionRequest, {"/v", 3})
PADDOCK_SAMPLE(AddWatchRequest, {"/w", 1})
PADDOCK_SAMPLE(CheckWatchesRequest, {"/w", 3})
PADDOCK_SAMPLE(RemoveWatchesRequest, {"/w", 2})
PADDOCK_SAMPLE(SetWatches, {0x300000002, {"/d"}, {"/e1", "/e2"}, {"/c"}})
PADDOCK_SAMPLE(SetWatches2, {0x300000002, {"/d"}, {"/e"}, {"/c"}, {"/p"}, {"/r1", "/r2"}})
PADDOCK_SAMPLE(WatcherEvent, {4, 3, "/parent"})
PADDOCK_SAMPLE(AuthPacket, {0, "digest", "user:pw"})
PADDOCK_SAMPLE(ClientInfo, {"ip", "127.0.0.1"})
PADDOCK_SAMPLE(WhoAmIResponse, {{ClientInfo{"ip", "127.0.0.1"}, ClientInfo{"digest", "u"}}})
PADDOCK_SAMPLE(TxnHeader, {0x100000abc, 5, 0x200000007, 1700000000000, 1})
PADDOCK_SAMPLE(CreateTxn, {"/n0000000003", "v", sample_acl(), true, 4})
PADDOCK_SAMPLE(CreateContainerTxn, {"/box", "", sample_acl(), 2})
PADDOCK_SAMPLE(CreateTtlTxn, {"/ttl", "t", sample_acl(), 6, 60000})
PADDOCK_SAMPLE(DeleteTxn, {"/gone"})
PADDOCK_SAMPLE(SetDataTxn, {"/s", "payload", 8})
PADDOCK_SAMPLE(SetAclTxn, {"/s", sample_acl(), 2})
PADDOCK_SAMPLE(CheckVersionTxn, {"/s", 9})
PADDOCK_SAMPLE(CreateSessionTxn, {30000})
PADDOCK_SAMPLE(CloseSessionTxn, {{"/eph/a", "/eph/b"}})
PADDOCK_SAMPLE(ErrorTxn, {-103})
#undef PADDOCK_SAMPLE
// clang-format on

}  // namespace paddock::proto::testing
