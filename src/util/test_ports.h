#pragma once
// Loopback ports for tests that must name a port before the server that listens on it
// starts (an ensemble's zoo.cfg names every member's ports up front). Header-only, for test
// binaries.
//
// Why not bind port 0 and release it: the kernel hands out port-0 binds from the ephemeral
// range, the same range every outgoing connect() takes its local port from. Under `ctest -j`
// another test's client could take the released port as its local end before our server
// bound it, and the server failed with "Address already in use". The ports here come from
// below the ephemeral range, which connect() never uses, starting at a point drawn per
// process so that parallel test binaries rarely try the same ones; each is checked by a
// bind without SO_REUSEADDR, which also refuses ports still in TIME_WAIT.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <random>

#include "util/assert.h"

namespace paddock::test_ports {

// The first port of the kernel's ephemeral range (32768 unless configured otherwise).
inline int ephemeral_range_start() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (in >> low && low > 2048) return low;
  return 32768;
}

// True if nothing holds 127.0.0.1:port (listening, connected or in TIME_WAIT).
inline bool loopback_port_is_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A loopback port below the ephemeral range that nothing holds now. Successive calls in one
// process never return the same port (until the range wraps).
inline uint16_t free_port() {
  constexpr int kLowest = 10000;
  static const int highest = ephemeral_range_start() - 1;
  static std::atomic<int> next{[] {
    std::random_device entropy;
    std::mt19937 gen(entropy() ^ static_cast<unsigned>(::getpid()));
    return std::uniform_int_distribution<int>(kLowest, highest)(gen);
  }()};
  const int span = highest - kLowest + 1;
  PADDOCK_ASSERT(span > 0);
  for (int tries = 0; tries < span; ++tries) {
    const int port = kLowest + (next.fetch_add(1) - kLowest) % span;
    if (loopback_port_is_free(port)) return static_cast<uint16_t>(port);
  }
  PADDOCK_ASSERT(false && "no free loopback port below the ephemeral range");
  return 0;
}

}  // namespace paddock::test_ports
