// The test harness's own server handling, where a mistake would show up as a flaky test.
#include "client/test_servers.h"

#include <gtest/gtest.h>

namespace paddock::client::testing {
namespace {

int listen_on_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Under ctest -j another test process can bind the port free_port() gave us before our
// server does (a JVM takes a second to get there).
TEST(TestServerTest, APortTakenBeforeTheServerBindsItIsChosenAgain) {
  if (std::string why = unavailable(ServerKind::kPaddock); !why.empty()) GTEST_SKIP() << why;
  TestServer server(ServerKind::kPaddock);
  const int taken = server.port();
  const int fd = listen_on_loopback(taken);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(server.start()) << server.log_tail();
  EXPECT_NE(server.port(), taken);
  EXPECT_FALSE(four_letter(server.port(), "ruok").empty());
  ::close(fd);
}

TEST(TestServerTest, APortTheTestNamedIsNotChangedBehindItsBack) {
  if (std::string why = unavailable(ServerKind::kPaddock); !why.empty()) GTEST_SKIP() << why;
  const int port = free_port();
  const int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);
  TestServer server(ServerKind::kPaddock, port);
  EXPECT_FALSE(server.start(std::chrono::seconds(20)));
  EXPECT_EQ(server.port(), port);
  ::close(fd);
}

}  // namespace
}  // namespace paddock::client::testing
