#include "util/test_ports.h"

#include <gtest/gtest.h>

#include <set>

namespace paddock::test_ports {
namespace {

// Ports from the ephemeral range were taken by other tests' outgoing connections between
// being picked and being bound ("Address already in use" under ctest -j2).
TEST(TestPorts, ArePickedBelowTheEphemeralRangeAndNeverTwice) {
  const int ephemeral = ephemeral_range_start();
  std::set<int> seen;
  for (int i = 0; i < 200; ++i) {
    const int port = free_port();
    EXPECT_GE(port, 10000);
    EXPECT_LT(port, ephemeral);
    EXPECT_TRUE(seen.insert(port).second) << port;
  }
}

TEST(TestPorts, APortHeldByAListenerIsNotFree) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  EXPECT_FALSE(loopback_port_is_free(ntohs(a.sin_port)));
  ::close(fd);
  EXPECT_TRUE(loopback_port_is_free(ntohs(a.sin_port)));
}

}  // namespace
}  // namespace paddock::test_ports
