#include "proto/path.h"

#include <gtest/gtest.h>

#include <string>

namespace paddock::proto {
namespace {

using namespace std::string_literals;

struct PathCase {
  std::string path;
  bool sequential;
  bool valid;
};

// Expectations follow ZooKeeper 3.8's PathUtils.validatePath.
// clang-format off
const PathCase kCases[] = {
    {"/", false, true},
    {"/a", false, true},
    {"/a/b/c", false, true},
    {"/zookeeper/quota", false, true},
    {"/a.b", false, true},
    {"/.a", false, true},
    {"/a.", false, true},
    {"/..a", false, true},
    {"/a..", false, true},
    {"/...", false, true},
    {"/a/.../b", false, true},
    {"/with space", false, true},
    {"/caf\xc3\xa9", false, true},            // é, U+00E9
    {"/\xe4\xb8\xad\xe6\x96\x87", false, true},  // CJK, U+4E2D U+6587
    {"/\xef\xbf\xaf", false, true},           // U+FFEF, just below the rejected range
    {"/\xc2\xa0", false, true},               // U+00A0, just above the C1 controls
    {"/~", false, true},                      // U+007E
    {"", false, false},
    {"a", false, false},
    {"a/b", false, false},
    {"//", false, false},
    {"/a/", false, false},
    {"/a//b", false, false},
    {"/.", false, false},
    {"/..", false, false},
    {"/a/.", false, false},
    {"/a/..", false, false},
    {"/./a", false, false},
    {"/../a", false, false},
    {"/a/./b", false, false},
    {"/a/../b", false, false},
    {std::string("/a\0b", 4), false, false},
    {"/a\x01", false, false},
    {"/a\x1f", false, false},
    {"/a\x7f", false, false},
    {"/\xc2\x80", false, false},               // U+0080
    {"/\xc2\x9f", false, false},               // U+009F
    {"/\xee\x80\x80", false, false},           // U+E000, private use
    {"/\xef\xa3\xbf", false, false},           // U+F8FF
    {"/\xef\xbf\xb0", false, false},           // U+FFF0
    {"/\xef\xbf\xbd", false, false},           // U+FFFD
    {"/\xef\xbf\xbf", false, false},           // U+FFFF
    {"/\xf0\x9f\x98\x80", false, false},       // U+1F600: a surrogate pair in Java
    {"/\xff", false, false},                   // malformed UTF-8 -> U+FFFD
    {"/\xc3", false, false},                   // truncated sequence
    {"/\xc0\xaf", false, false},               // overlong '/'
    {"/\xed\xa0\x80", false, false},           // an encoded surrogate
    {"/\x80", false, false},                   // stray continuation byte
    // Sequential: the server appends the suffix, so a trailing '/' is fine.
    {"/a/", true, true},
    {"/", true, true},
    {"/a/b-", true, true},
    {"/a", true, true},
    {"/a//", true, false},
    {"/a/.", true, true},   // "/a/.1" is a fine name
    {"/a/./", true, false},
    {"", true, false},
    {"a/", true, false},
};
// clang-format on

TEST(ValidatePath, FollowsZooKeeperRules) {
  for (const PathCase& c : kCases) {
    std::string reason;
    Err err = validate_path(c.path, c.sequential, &reason);
    EXPECT_EQ(err, c.valid ? Err::kOk : Err::kBadArguments)
        << "path \"" << c.path << "\" sequential=" << c.sequential << " reason: " << reason;
    EXPECT_EQ(reason.empty(), c.valid) << c.path;
  }
}

TEST(ValidatePath, ReasonsMatchZooKeeperMessages) {
  std::string reason;
  validate_path("", false, &reason);
  EXPECT_EQ(reason, "Path length must be > 0");
  validate_path("a", false, &reason);
  EXPECT_EQ(reason, "Path must start with / character");
  validate_path("/a/", false, &reason);
  EXPECT_EQ(reason, "Path must not end with / character");
  validate_path("/a//b", false, &reason);
  EXPECT_EQ(reason, "Invalid path string \"/a//b\" caused by empty node name specified @3");
  validate_path("/a/..", false, &reason);
  EXPECT_EQ(reason, "Invalid path string \"/a/..\" caused by relative paths not allowed @4");
  validate_path("/.", false, &reason);
  EXPECT_EQ(reason, "Invalid path string \"/.\" caused by relative paths not allowed @1");
  validate_path(std::string("/ab\0", 4), false, &reason);
  EXPECT_EQ(reason, "Invalid path string \"/ab\0\" caused by null character not allowed @3"s);
}

TEST(ValidatePath, ReasonIndexCountsUtf16Units) {
  std::string reason;
  // "é" is 2 bytes but one UTF-16 unit, so the control char is at index 3.
  validate_path("/\xc3\xa9x\x01", false, &reason);
  EXPECT_EQ(reason, "Invalid path string \"/\xc3\xa9x\x01\" caused by invalid character @3");
}

TEST(ValidatePath, ReasonIsOptional) {
  EXPECT_EQ(validate_path("/a//b", false), Err::kBadArguments);
  EXPECT_EQ(validate_path("/a/b", false), Err::kOk);
}

}  // namespace
}  // namespace paddock::proto
