#pragma once
// Dialing a peer by name or IP address: resolve, then connect to the first address that
// answers, all within one timeout, without blocking the event loop on DNS.
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace paddock::peer {

// Connects `socket` (on the calling io thread's context) to host:port; `done` gets the error
// (operation_aborted / timed_out on the timeout). `keep_alive` is held until `done` has run,
// so it can own `socket`.
void async_dial(asio::ip::tcp::socket& socket, const std::string& host, uint16_t port,
                std::chrono::milliseconds timeout, std::shared_ptr<void> keep_alive,
                std::function<void(std::error_code)> done);

}  // namespace paddock::peer
