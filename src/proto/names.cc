// Names ZooKeeper prints for error codes (checked against the 3.8.0 jar: KeeperException.Code
// names). Op names are in the op table (state/op_table.h), with the rest of what the server
// knows about each op.
#include "proto/types.h"

namespace paddock::proto {

// Tables read best one case per line.
// clang-format off
const char* err_name(Err e) {
  switch (e) {
    case Err::kOk: return "OK";
    case Err::kSystemError: return "SYSTEMERROR";
    case Err::kRuntimeInconsistency: return "RUNTIMEINCONSISTENCY";
    case Err::kDataInconsistency: return "DATAINCONSISTENCY";
    case Err::kConnectionLoss: return "CONNECTIONLOSS";
    case Err::kMarshallingError: return "MARSHALLINGERROR";
    case Err::kUnimplemented: return "UNIMPLEMENTED";
    case Err::kOperationTimeout: return "OPERATIONTIMEOUT";
    case Err::kBadArguments: return "BADARGUMENTS";
    case Err::kUnknownSession: return "UNKNOWNSESSION";
    case Err::kNewConfigNoQuorum: return "NEWCONFIGNOQUORUM";
    case Err::kReconfigInProgress: return "RECONFIGINPROGRESS";
    case Err::kApiError: return "APIERROR";
    case Err::kNoNode: return "NONODE";
    case Err::kNoAuth: return "NOAUTH";
    case Err::kBadVersion: return "BADVERSION";
    case Err::kNoChildrenForEphemerals: return "NOCHILDRENFOREPHEMERALS";
    case Err::kNodeExists: return "NODEEXISTS";
    case Err::kNotEmpty: return "NOTEMPTY";
    case Err::kSessionExpired: return "SESSIONEXPIRED";
    case Err::kInvalidCallback: return "INVALIDCALLBACK";
    case Err::kInvalidAcl: return "INVALIDACL";
    case Err::kAuthFailed: return "AUTHFAILED";
    case Err::kSessionMoved: return "SESSIONMOVED";
    case Err::kNotReadOnly: return "NOTREADONLY";
    case Err::kEphemeralOnLocalSession: return "EPHEMERALONLOCALSESSION";
    case Err::kNoWatcher: return "NOWATCHER";
    case Err::kRequestTimeout: return "REQUESTTIMEOUT";
    case Err::kReconfigDisabled: return "RECONFIGDISABLED";
    case Err::kSessionClosedRequireSaslAuth: return "SESSIONCLOSEDREQUIRESASLAUTH";
    case Err::kQuotaExceeded: return "QUOTAEXCEEDED";
    case Err::kThrottledOp: return "THROTTLEDOP";
  }
  return "UNKNOWN";
}

// clang-format on

}  // namespace paddock::proto
