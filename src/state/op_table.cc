// The op table (checked against the 3.8.0 jar: Request.op2String, FinalRequestProcessor's
// lastOp values, PrepRequestProcessor's dispatch, MultiOperationRecord's accepted ops).
#include "state/op_table.h"

#include <array>

namespace paddock::state {
namespace {

using proto::OpCode;
using K = OpKind;
using R = WriteReply;

constexpr OpCode kNoResult = OpCode::kError;

// One op per line reads best as a table.
// clang-format off
constexpr OpInfo kRows[] = {
  // code                          name                    short     kind        srv    single multi  reply             multi result
  {OpCode::kNotification,         "notification",         "NA",     K::kNone,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kCreate,               "create",               "CREA",   K::kWrite,   false, true,  true,  R::kPath,        OpCode::kCreate},
  {OpCode::kDelete,               "delete",               "DELE",   K::kWrite,   false, true,  true,  R::kNone,        OpCode::kDelete},
  {OpCode::kExists,               "exists",               "EXIS",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kGetData,              "getData",              "GETD",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kSetData,              "setData",              "SETD",   K::kWrite,   false, true,  true,  R::kStat,        OpCode::kSetData},
  {OpCode::kGetACL,               "getACL",               "GETA",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kSetACL,               "setACL",               "SETA",   K::kWrite,   false, true,  false, R::kStat,        kNoResult},
  {OpCode::kGetChildren,          "getChildren",          "GETC",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kSync,                 "sync",                 "SYNC",   K::kSpecial, false, false, false, R::kNone,        kNoResult},
  {OpCode::kPing,                 "ping",                 "PING",   K::kSpecial, false, false, false, R::kNone,        kNoResult},
  {OpCode::kGetChildren2,         "getChildren2",         "GETC",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kCheck,                "check",                "CHEC",   K::kWrite,   false, true,  true,  R::kNone,        OpCode::kCheck},
  {OpCode::kMulti,                "multi",                "MULT",   K::kWrite,   false, false, false, R::kNone,        kNoResult},
  {OpCode::kCreate2,              "create2",              "CREA",   K::kWrite,   false, true,  true,  R::kPathAndStat, OpCode::kCreate2},
  {OpCode::kReconfig,             "reconfig",             "RECO",   K::kWrite,   false, false, false, R::kNone,        kNoResult},
  {OpCode::kCheckWatches,         "checkWatches",         "CHKW",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kRemoveWatches,        "removeWatches",        "REMW",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kCreateContainer,      "createContainer",      "CREA",   K::kWrite,   false, true,  true,  R::kPathAndStat, OpCode::kCreate2},
  {OpCode::kDeleteContainer,      "deleteContainer",      "DELE",   K::kWrite,   true,  false, false, R::kNone,        OpCode::kDelete},
  {OpCode::kCreateTTL,            "createTtl",            "CREA",   K::kWrite,   false, true,  true,  R::kPathAndStat, OpCode::kCreate2},
  {OpCode::kMultiRead,            "multiRead",            "MLTR",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kAuth,                 "auth",                 "NA",     K::kSpecial, false, false, false, R::kNone,        kNoResult},
  {OpCode::kSetWatches,           "setWatches",           "SETW",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kSasl,                 "sasl",                 "NA",     K::kNone,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kGetEphemerals,        "getEphemerals",        "GETE",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kGetAllChildrenNumber, "getAllChildrenNumber", "GETACN", K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kSetWatches2,          "setWatches2",          "STW2",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kAddWatch,             "addWatch",             "ADDW",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kWhoAmI,               "whoAmI",               "HOMI",   K::kRead,    false, false, false, R::kNone,        kNoResult},
  {OpCode::kCreateSession,        "createSession",        "SESS",   K::kWrite,   true,  false, false, R::kNone,        kNoResult},
  {OpCode::kCloseSession,         "closeSession",         "CLOS",   K::kWrite,   false, false, false, R::kNone,        kNoResult},
  {OpCode::kError,                "error",                "NA",     K::kNone,    false, false, false, R::kNone,        kNoResult},
};
// clang-format on

// The codes ZooKeeper defines span [-11, 107]; a lookup is one index into this range.
constexpr int32_t kLowestCode = -11;
constexpr int32_t kHighestCode = 107;
constexpr size_t kCodeCount = kHighestCode - kLowestCode + 1;

// Row of each code in kRows, -1 for codes ZooKeeper leaves undefined.
using CodeIndex = std::array<int8_t, kCodeCount>;

constexpr CodeIndex build_index() {
  CodeIndex index{};
  for (int8_t& i : index) i = -1;
  for (size_t i = 0; i < std::size(kRows); ++i) {
    int8_t& slot = index[static_cast<size_t>(static_cast<int32_t>(kRows[i].code) - kLowestCode)];
    if (slot != -1) throw "an op code has two rows";  // fails the build: kIndex is constexpr
    slot = static_cast<int8_t>(i);
  }
  return index;
}

constexpr CodeIndex kIndex = build_index();
constexpr OpInfo kUnknown{};

}  // namespace

const OpInfo& op_info(OpCode op) {
  const int32_t code = static_cast<int32_t>(op);
  if (code < kLowestCode || code > kHighestCode) return kUnknown;
  const int8_t row = kIndex[static_cast<size_t>(code - kLowestCode)];
  return row < 0 ? kUnknown : kRows[static_cast<size_t>(row)];
}

}  // namespace paddock::state
