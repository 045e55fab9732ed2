#include <gtest/gtest.h>

#include <cstring>

#include "proto/types.h"

namespace paddock::proto {
namespace {

TEST(Names, ErrorNamesAreZooKeeperCodeNames) {
  EXPECT_STREQ(err_name(Err::kOk), "OK");
  EXPECT_STREQ(err_name(Err::kNoNode), "NONODE");
  EXPECT_STREQ(err_name(Err::kNodeExists), "NODEEXISTS");
  EXPECT_STREQ(err_name(Err::kBadArguments), "BADARGUMENTS");
  EXPECT_STREQ(err_name(Err::kSessionClosedRequireSaslAuth), "SESSIONCLOSEDREQUIRESASLAUTH");
  EXPECT_STREQ(err_name(Err::kThrottledOp), "THROTTLEDOP");
  EXPECT_STREQ(err_name(static_cast<Err>(-9999)), "UNKNOWN");
}

TEST(Names, OpNamesAreRequestOp2String) {
  EXPECT_STREQ(op_name(OpCode::kCreate), "create");
  EXPECT_STREQ(op_name(OpCode::kGetData), "getData");
  EXPECT_STREQ(op_name(OpCode::kGetACL), "getACL");
  EXPECT_STREQ(op_name(OpCode::kCreateTTL), "createTtl");
  EXPECT_STREQ(op_name(OpCode::kCreateSession), "createSession");
  EXPECT_STREQ(op_name(OpCode::kGetAllChildrenNumber), "getAllChildrenNumber");
  EXPECT_STREQ(op_name(static_cast<OpCode>(55)), "unknown");
}

TEST(Names, ShortOpNamesAreWhatConsPrints) {
  EXPECT_STREQ(op_short_name(OpCode::kGetData), "GETD");
  EXPECT_STREQ(op_short_name(OpCode::kSetData), "SETD");
  EXPECT_STREQ(op_short_name(OpCode::kCreate2), "CREA");
  EXPECT_STREQ(op_short_name(OpCode::kCreateTTL), "CREA");
  EXPECT_STREQ(op_short_name(OpCode::kDeleteContainer), "DELE");
  EXPECT_STREQ(op_short_name(OpCode::kGetChildren2), "GETC");
  EXPECT_STREQ(op_short_name(OpCode::kPing), "PING");
  EXPECT_STREQ(op_short_name(OpCode::kCreateSession), "SESS");
  EXPECT_STREQ(op_short_name(OpCode::kCloseSession), "CLOS");
  EXPECT_STREQ(op_short_name(OpCode::kSetWatches2), "STW2");
  EXPECT_STREQ(op_short_name(OpCode::kGetAllChildrenNumber), "GETACN");
  EXPECT_STREQ(op_short_name(OpCode::kWhoAmI), "HOMI");
  EXPECT_STREQ(op_short_name(OpCode::kAuth), "NA");
  EXPECT_STREQ(op_short_name(OpCode::kError), "NA");
}

TEST(Names, EveryKnownOpHasANameAndShortNameIsAtMostSixChars) {
  for (int32_t code = -11; code <= 107; ++code) {
    auto op = static_cast<OpCode>(code);
    EXPECT_NE(op_name(op), nullptr);
    EXPECT_LE(std::strlen(op_short_name(op)), 6u) << code;
  }
}

}  // namespace
}  // namespace paddock::proto
