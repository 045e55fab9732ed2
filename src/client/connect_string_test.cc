#include "client/connect_string.h"

#include <gtest/gtest.h>

namespace paddock::client {
namespace {

TEST(ConnectString, ParsesHostsPortsAndChroot) {
  auto cs = parse_connect_string("a:1,b:2,[::1]:3,c/app/x");
  ASSERT_TRUE(cs) << cs.error();
  ASSERT_EQ(cs->hosts.size(), 4u);
  EXPECT_EQ(cs->hosts[0], (HostPort{"a", 1}));
  EXPECT_EQ(cs->hosts[1], (HostPort{"b", 2}));
  EXPECT_EQ(cs->hosts[2], (HostPort{"::1", 3}));
  EXPECT_EQ(cs->hosts[3], (HostPort{"c", 2181}));
  EXPECT_EQ(cs->chroot, "/app/x");
}

TEST(ConnectString, RootChrootMeansNone) {
  auto cs = parse_connect_string("127.0.0.1:2181/");
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->chroot, "");
}

TEST(ConnectString, RejectsBadInput) {
  EXPECT_FALSE(parse_connect_string(""));
  EXPECT_FALSE(parse_connect_string("/app"));
  EXPECT_FALSE(parse_connect_string("a:"));
  EXPECT_FALSE(parse_connect_string("a:0"));
  EXPECT_FALSE(parse_connect_string("a:65536"));
  EXPECT_FALSE(parse_connect_string("a:12x"));
  EXPECT_FALSE(parse_connect_string("[::1"));
  EXPECT_FALSE(parse_connect_string("a:1/app/"));
  EXPECT_FALSE(parse_connect_string("a:1/app//b"));
}

TEST(ConnectString, SkipsEmptyItemsAndSpaces) {
  auto cs = parse_connect_string(" a:1 ,, b:2 ");
  ASSERT_TRUE(cs);
  ASSERT_EQ(cs->hosts.size(), 2u);
  EXPECT_EQ(cs->hosts[1], (HostPort{"b", 2}));
}

TEST(Chroot, AppliedBothWays) {
  EXPECT_EQ(prepend_chroot("/app", "/a"), "/app/a");
  EXPECT_EQ(prepend_chroot("/app", "/"), "/app");
  EXPECT_EQ(prepend_chroot("", "/a"), "/a");
  EXPECT_EQ(strip_chroot("/app", "/app/a/b"), "/a/b");
  EXPECT_EQ(strip_chroot("/app", "/app"), "/");
  EXPECT_EQ(strip_chroot("/app", "/apple"), "/apple");
  EXPECT_EQ(strip_chroot("", "/x"), "/x");
}

}  // namespace
}  // namespace paddock::client
