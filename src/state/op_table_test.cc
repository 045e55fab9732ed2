#include "state/op_table.h"

#include <gtest/gtest.h>

#include <cstring>

namespace paddock::state {
namespace {

using proto::OpCode;

TEST(OpTable, NamesAreRequestOp2String) {
  EXPECT_STREQ(op_name(OpCode::kCreate), "create");
  EXPECT_STREQ(op_name(OpCode::kGetData), "getData");
  EXPECT_STREQ(op_name(OpCode::kGetACL), "getACL");
  EXPECT_STREQ(op_name(OpCode::kCreateTTL), "createTtl");
  EXPECT_STREQ(op_name(OpCode::kCreateSession), "createSession");
  EXPECT_STREQ(op_name(OpCode::kGetAllChildrenNumber), "getAllChildrenNumber");
  EXPECT_STREQ(op_name(OpCode::kAddWatch), "addWatch");
  EXPECT_STREQ(op_name(static_cast<OpCode>(55)), "unknown");
  EXPECT_STREQ(op_name(static_cast<OpCode>(-9999)), "unknown");
}

TEST(OpTable, ShortNamesAreWhatConsPrints) {
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

TEST(OpTable, EveryCodeHasARowWhoseCodeIsItself) {
  for (int32_t code = -20; code <= 120; ++code) {
    const OpInfo& info = op_info(code);
    EXPECT_NE(info.name, nullptr);
    EXPECT_LE(std::strlen(info.short_name), 6u) << code;
    if (std::strcmp(info.name, "unknown") != 0) {
      EXPECT_EQ(static_cast<int32_t>(info.code), code);
    } else {
      EXPECT_EQ(info.kind, OpKind::kNone) << code;
    }
  }
}

TEST(OpTable, ReadsAreTheOpsAnsweredFromAppliedState) {
  for (OpCode op : {OpCode::kExists, OpCode::kGetData, OpCode::kGetACL, OpCode::kGetChildren,
                    OpCode::kGetChildren2, OpCode::kGetEphemerals, OpCode::kGetAllChildrenNumber,
                    OpCode::kWhoAmI, OpCode::kMultiRead, OpCode::kAddWatch, OpCode::kCheckWatches,
                    OpCode::kRemoveWatches, OpCode::kSetWatches, OpCode::kSetWatches2}) {
    EXPECT_EQ(op_info(op).kind, OpKind::kRead) << op_name(op);
  }
  for (OpCode op : {OpCode::kPing, OpCode::kAuth, OpCode::kSync}) {
    EXPECT_EQ(op_info(op).kind, OpKind::kSpecial) << op_name(op);
  }
  for (OpCode op : {OpCode::kNotification, OpCode::kSasl, OpCode::kError}) {
    EXPECT_EQ(op_info(op).kind, OpKind::kNone) << op_name(op);
  }
}

TEST(OpTable, OnlyTheServerMakesSessionsAndContainerDeletions) {
  for (int32_t code = -11; code <= 107; ++code) {
    const auto op = static_cast<OpCode>(code);
    const bool expected = op == OpCode::kCreateSession || op == OpCode::kDeleteContainer;
    EXPECT_EQ(op_info(op).server_only, expected) << code;
  }
}

TEST(OpTable, MultiTakesCreatesDeleteSetDataAndCheckButNotSetAcl) {
  for (OpCode op : {OpCode::kCreate, OpCode::kCreate2, OpCode::kCreateContainer, OpCode::kCreateTTL,
                    OpCode::kDelete, OpCode::kSetData, OpCode::kCheck}) {
    EXPECT_TRUE(op_info(op).in_multi) << op_name(op);
    EXPECT_TRUE(op_info(op).single_write) << op_name(op);
  }
  EXPECT_FALSE(op_info(OpCode::kSetACL).in_multi);
  EXPECT_TRUE(op_info(OpCode::kSetACL).single_write);
  for (OpCode op : {OpCode::kMulti, OpCode::kGetData, OpCode::kCreateSession, OpCode::kCloseSession,
                    OpCode::kDeleteContainer, OpCode::kReconfig}) {
    EXPECT_FALSE(op_info(op).in_multi) << op_name(op);
    EXPECT_FALSE(op_info(op).single_write) << op_name(op);
  }
}

TEST(OpTable, CreatesThatReturnAStatAnswerAsCreate2InAMulti) {
  EXPECT_EQ(op_info(OpCode::kCreate).multi_result, OpCode::kCreate);
  EXPECT_EQ(op_info(OpCode::kCreate).reply, WriteReply::kPath);
  for (OpCode op : {OpCode::kCreate2, OpCode::kCreateContainer, OpCode::kCreateTTL}) {
    EXPECT_EQ(op_info(op).multi_result, OpCode::kCreate2) << op_name(op);
    EXPECT_EQ(op_info(op).reply, WriteReply::kPathAndStat) << op_name(op);
  }
  EXPECT_EQ(op_info(OpCode::kDeleteContainer).multi_result, OpCode::kDelete);
  EXPECT_EQ(op_info(OpCode::kSetData).reply, WriteReply::kStat);
  EXPECT_EQ(op_info(OpCode::kSetACL).reply, WriteReply::kStat);
  EXPECT_EQ(op_info(OpCode::kCheck).reply, WriteReply::kNone);
}

}  // namespace
}  // namespace paddock::state
