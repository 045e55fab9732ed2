#pragma once
// Dialing a peer by name or IP address: resolve, then connect to the first address that
// answers, all within one timeout, without blocking the event loop on DNS.
// A standard header before any asio header: asio decides whether to use aligned_alloc from a
// libstdc++ macro that only a standard header defines, and every translation unit must decide
// alike (an ASan alloc-dealloc mismatch otherwise: one TU's operator new, another's free).
// clang-format off
#include <cstddef>
// clang-format on

#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/result.h"

namespace paddock::peer {

// Connects `socket` (on the calling io thread's context) to host:port; `done` gets the error
// (operation_aborted / timed_out on the timeout). `keep_alive` is held until `done` has run,
// so it can own `socket`.
void async_dial(asio::ip::tcp::socket& socket, const std::string& host, uint16_t port,
                std::chrono::milliseconds timeout, std::shared_ptr<void> keep_alive,
                std::function<void(std::error_code)> done);

// The address to listen on for `host` as a server.N line writes it: an IP address as is, a
// name resolved (blocking: call at start-up, not on an io thread), its first IPv4 address
// preferred as Java's InetSocketAddress does. ZooKeeper binds a member's ports to its line's
// host; Kerberos deployments need names there (the principal's instance must be the host
// as written).
Result<asio::ip::address> resolve_listen_address(const std::string& host);

}  // namespace paddock::peer
