#include <gtest/gtest.h>

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

}  // namespace
}  // namespace paddock::proto
