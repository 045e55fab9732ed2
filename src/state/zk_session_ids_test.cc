// Expected values were computed by running Apache ZooKeeper 3.8.0's own code on this machine
// (/usr/share/java/zookeeper.jar, OpenJDK 17): SessionTrackerImpl.initializeNextSessionId was
// checked against the formula at the same clock reading for sids 1, 2, 3, 127, 128, 255, and
// ZooKeeperServer.generatePasswd was called through reflection for each id below.
#include "state/zk_session_ids.h"

#include <gtest/gtest.h>

namespace paddock::state {
namespace {

TEST(ZkSessionIds, FirstSessionIdMatchesZooKeeper) {
  struct Case {
    int64_t time_ms;
    int64_t sid;
    uint64_t expected;
  };
  const Case cases[] = {
      {0, 0, 0x0000000000000000ULL},
      {1, 1, 0x0100000000010000ULL},
      {1700000000000LL, 1, 0x018bcfe568000000ULL},
      {1700000000000LL, 2, 0x028bcfe568000000ULL},
      {123456789LL, 3, 0x0300075bcd150000ULL},
      {0x7fffffffffffLL, 255, 0xffffffffffff0000ULL},
      {-1, 5, 0x05ffffffffff0000ULL},
      {1099511627775LL, 128, 0x80ffffffffff0000ULL},
      {42, 0, 0x00000000002a0000ULL},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(static_cast<uint64_t>(zk_first_session_id(c.time_ms, c.sid)), c.expected)
        << "time " << c.time_ms << " sid " << c.sid;
  }
}

TEST(ZkSessionIds, FirstSessionIdSkipsTheContainerMarker) {
  EXPECT_EQ(static_cast<uint64_t>(zk_first_session_id(0, 128)), 0x8000000000000001ULL);
}

TEST(ZkSessionIds, TopByteIsTheServerId) {
  for (int64_t sid = 1; sid < 256; sid += 17) {
    EXPECT_EQ(static_cast<uint64_t>(zk_first_session_id(1712345678901LL, sid)) >> 56,
              static_cast<uint64_t>(sid));
  }
}

TEST(ZkSessionIds, PasswordMatchesZooKeeperGeneratePasswd) {
  struct Case {
    uint64_t session_id;
    ZkSessionPassword expected;
  };
  const Case cases[] = {
      {0x0000000000000000ULL,
       {0xf2, 0x2a, 0xcd, 0x4a, 0x97, 0xe6, 0x9d, 0x6d, 0x20, 0xa4, 0x9b, 0xb6, 0x38, 0xea, 0xdb,
        0x38}},
      {0x0000000000000001ULL,
       {0x05, 0x4c, 0xc7, 0x4a, 0x37, 0x32, 0x7d, 0xb2, 0x15, 0xe7, 0x02, 0xe2, 0x0c, 0x73, 0xf0,
        0x05}},
      {0x01000188a6a9b2c3ULL,
       {0xec, 0xf4, 0x69, 0xe0, 0x6c, 0x9a, 0xb4, 0x54, 0x99, 0xc1, 0x38, 0xdb, 0x29, 0xce, 0x6d,
        0x9e}},
      {0xffffffffffffffffULL,
       {0x20, 0xf6, 0x2c, 0xb5, 0x64, 0x8d, 0xc2, 0xd7, 0x71, 0x47, 0x1c, 0x8a, 0x24, 0x86, 0xa9,
        0xee}},
      {0x00000000b3415c00ULL,
       {0x60, 0xb4, 0x20, 0xbb, 0x38, 0x51, 0xd9, 0xd4, 0x7a, 0xcb, 0x93, 0x3d, 0xbe, 0x70, 0x39,
        0x9b}},
      {0x0200017f3c2a0001ULL,
       {0xd7, 0x2b, 0x3a, 0x07, 0xa1, 0x2a, 0x15, 0x96, 0x37, 0xe8, 0x9e, 0x40, 0x86, 0x7a, 0xb9,
        0xfe}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(zk_session_password(static_cast<int64_t>(c.session_id)), c.expected)
        << std::hex << c.session_id;
  }
}

// java.util.Random keeps 48 bits of its seed: ids that differ only in their top 16 bits share
// a password (ZooKeeper's too; seen with 0, 0x0100000000000000 and 0x8000000000000000).
TEST(ZkSessionIds, PasswordDependsOnTheLow48BitsOnly) {
  EXPECT_EQ(zk_session_password(0), zk_session_password(0x0100000000000000LL));
  EXPECT_EQ(zk_session_password(0), zk_session_password(INT64_MIN));
  EXPECT_EQ(zk_session_password(-1), zk_session_password(INT64_MAX));
}

TEST(JavaRandom, NextIntMatchesJava) {
  JavaRandom r(42);
  const int32_t expected[] = {-1170105035, 234785527, -1360544799, 205897768, 1325939940};
  for (int32_t e : expected) EXPECT_EQ(r.next_int(), e);
}

TEST(JavaRandom, NextBytesUsesAWholeIntForAPartialGroup) {
  JavaRandom r(-7);
  uint8_t out[7];
  r.next_bytes(out, sizeof out);
  const uint8_t expected[] = {0x8c, 0x2a, 0xe5, 0x44, 0x83, 0x8b, 0xc8};
  for (size_t i = 0; i < sizeof out; ++i) EXPECT_EQ(out[i], expected[i]) << i;
}

}  // namespace
}  // namespace paddock::state
