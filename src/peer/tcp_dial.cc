#include "peer/tcp_dial.h"

#include <asio/connect.hpp>
#include <asio/steady_timer.hpp>

namespace paddock::peer {

void async_dial(asio::ip::tcp::socket& socket, const std::string& host, uint16_t port,
                std::chrono::milliseconds timeout, std::shared_ptr<void> keep_alive,
                std::function<void(std::error_code)> done) {
  auto executor = socket.get_executor();
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
  auto timer = std::make_shared<asio::steady_timer>(executor, timeout);
  auto timed_out = std::make_shared<bool>(false);
  timer->async_wait([resolver, &socket, timed_out, keep_alive](std::error_code ec) {
    if (ec) return;  // cancelled: the dial finished first
    *timed_out = true;
    resolver->cancel();
    std::error_code ignored;
    socket.close(ignored);
  });
  auto finish = [timer, timed_out, done = std::move(done)](std::error_code ec) {
    timer->cancel();
    done(*timed_out ? std::make_error_code(std::errc::timed_out) : ec);
  };
  resolver->async_resolve(host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
                          [resolver, &socket, keep_alive, finish](
                              std::error_code ec, asio::ip::tcp::resolver::results_type results) {
                            if (ec) {
                              finish(ec);
                              return;
                            }
                            asio::async_connect(socket, results,
                                                [keep_alive, finish](std::error_code cec,
                                                                     const auto&) { finish(cec); });
                          });
}

Result<asio::ip::address> resolve_listen_address(const std::string& host) {
  std::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return address;
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, "", ec);
  if (ec || results.empty()) {
    return Status::error("cannot resolve " + host + (ec ? ": " + ec.message() : std::string()));
  }
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint().address();
  }
  return results.begin()->endpoint().address();
}

}  // namespace paddock::peer
