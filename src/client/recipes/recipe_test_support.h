#pragma once
// Test support for the recipes' live tests (header only, kept out of the library): every case
// runs against paddockd and against Apache ZooKeeper 3.8 (skipped with the reason where one
// cannot start), one shared server per kind and test process, each test under its own node.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/client.h"
#include "client/recipes/session_events.h"
#include "client/test_servers.h"

namespace paddock::proto {
inline void PrintTo(Err e, std::ostream* os) { *os << err_name(e); }
}  // namespace paddock::proto

namespace paddock::client::recipes {

using namespace std::chrono_literals;
using client::testing::ServerKind;
using client::testing::TestServer;

using client::testing::shared_server;

// Polls `cond` until it holds or `timeout` passes (for state that has no event to wait on,
// such as another client's view of the server).
inline bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A TCP proxy that can hold back the server's replies while still forwarding requests: after
// hold_replies_after(n) it forwards n more reply frames, then keeps the rest in its own buffer;
// a request sent then reaches the server and is applied, but its reply does not come back.
// cut() drops the held replies with the connection. That is the "create whose outcome is
// unknown" of a connection loss, made on purpose.
class ReplyHoldingProxy {
 public:
  explicit ReplyHoldingProxy(int target_port) : target_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_fd_, 16);
    thread_ = std::thread([this] { loop(); });
  }
  ~ReplyHoldingProxy() {
    stop_ = true;
    thread_.join();
    close_pairs();
    ::close(listen_fd_);
  }
  std::string hostport() const { return "127.0.0.1:" + std::to_string(port_); }
  void hold_replies_after(int frames) {
    budget_ = frames;
    hold_ = true;
  }
  // Forwards everything again (on the connections made after a cut).
  void release() { hold_ = false; }
  // Whole reply frames held back on the connection flushed last.
  int held_frames() const { return held_frames_.load(); }
  // Closes every connection (the held replies are lost); returns once done.
  void cut() {
    cut_ = true;
    while (cut_) std::this_thread::sleep_for(1ms);
  }

 private:
  struct Pair {
    int client_fd, server_fd;
    std::string from_server;  // read, not yet forwarded
  };
  void close_pairs() {
    for (auto& p : pairs_) {
      ::close(p.client_fd);
      ::close(p.server_fd);
    }
    pairs_.clear();
  }
  // Forwards the whole frames it may; false when the client side is gone.
  bool flush(Pair& p) {
    std::string& b = p.from_server;
    size_t sent = 0;
    while (b.size() - sent >= 4) {
      const auto* u = reinterpret_cast<const unsigned char*>(b.data() + sent);
      size_t frame = 4 + ((size_t{u[0]} << 24) | (size_t{u[1]} << 16) | (size_t{u[2]} << 8) | u[3]);
      if (b.size() - sent < frame) break;
      if (hold_) {
        if (budget_ <= 0) break;
        budget_--;
      }
      if (::send(p.client_fd, b.data() + sent, frame, MSG_NOSIGNAL) != static_cast<ssize_t>(frame))
        return false;
      sent += frame;
    }
    b.erase(0, sent);
    int held = 0;
    for (size_t at = 0; b.size() - at >= 4; ++held) {
      const auto* u = reinterpret_cast<const unsigned char*>(b.data() + at);
      size_t frame = 4 + ((size_t{u[0]} << 24) | (size_t{u[1]} << 16) | (size_t{u[2]} << 8) | u[3]);
      if (b.size() - at < frame) break;
      at += frame;
    }
    held_frames_ = held;
    return true;
  }
  void loop() {
    char buf[65536];
    while (!stop_) {
      if (cut_) {
        close_pairs();
        cut_ = false;
      }
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto& p : pairs_) {
        fds.push_back({p.client_fd, POLLIN, 0});
        fds.push_back({p.server_fd, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 10) < 0) continue;
      const size_t polled = pairs_.size();
      if (fds[0].revents & POLLIN) {
        int c = ::accept(listen_fd_, nullptr, nullptr);
        int u = c >= 0 ? client::testing::connect_loopback(target_) : -1;
        if (u >= 0) {
          pairs_.push_back({c, u, {}});
        } else if (c >= 0) {
          ::close(c);
        }
      }
      std::vector<size_t> dead;
      for (size_t i = 0; i < polled; ++i) {
        Pair& p = pairs_[i];
        bool ok = true;
        if (fds[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)) {
          ssize_t n = ::read(p.client_fd, buf, sizeof buf);
          ok = n > 0 && ::send(p.server_fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) == n;
        }
        if (ok && (fds[2 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR))) {
          ssize_t n = ::read(p.server_fd, buf, sizeof buf);
          ok = n > 0;
          if (ok) p.from_server.append(buf, static_cast<size_t>(n));
        }
        if (ok) ok = flush(p);
        if (!ok) dead.push_back(i);
      }
      for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
        ::close(pairs_[*it].client_fd);
        ::close(pairs_[*it].server_fd);
        pairs_.erase(pairs_.begin() + static_cast<long>(*it));
      }
    }
  }

  int target_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false}, cut_{false}, hold_{false};
  std::atomic<int> budget_{0};
  std::atomic<int> held_frames_{0};
  std::vector<Pair> pairs_;  // proxy thread only
};

class RecipeTest : public ::testing::TestWithParam<ServerKind> {
 protected:
  void SetUp() override {
    std::string why;
    server_ = shared_server(GetParam(), &why);
    if (!server_) GTEST_SKIP() << client::testing::kind_name(GetParam()) << ": " << why;
    base_ = "/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (size_t i = 1; i < base_.size(); ++i) {
      if (base_[i] == '/') base_[i] = '_';
    }
    root_ = open_client(server_->hostport());
    // A fresh node even when a test repeats (--gtest_repeat) on the same server.
    for (int run = 2; root_->create(base_, std::string()).get().code() == Err::kNodeExists; ++run) {
      base_ = base_.substr(0, base_.rfind("~run")) + "~run" + std::to_string(run);
    }
  }

  // A client chrooted at this test's node (through `hostport` if given, e.g. a proxy).
  std::unique_ptr<Client> open_client(const std::string& connect, SessionEvents* events = nullptr,
                                      std::chrono::milliseconds timeout = 10000ms) {
    ClientOptions o;
    o.connect_string = connect;
    o.session_timeout = timeout;
    if (events) o.session_watcher = events->watcher();
    auto c = Client::open(std::move(o));
    EXPECT_TRUE(c) << (c ? "" : c.error());
    EXPECT_TRUE((*c)->wait_connected(20s));
    return std::move(*c);
  }
  std::unique_ptr<Client> chrooted(SessionEvents* events = nullptr,
                                   std::chrono::milliseconds timeout = 10000ms) {
    return open_client(server_->hostport() + base_, events, timeout);
  }
  // The children of a node under this test's node (none while it does not exist).
  std::vector<std::string> children(const std::string& path) {
    auto r = root_->get_children(base_ + path).get();
    return r.ok() ? r.value() : std::vector<std::string>{};
  }
  // The server's count of watches (the "Total watches:" line of wchs).
  int total_watches() {
    std::string out = client::testing::four_letter(server_->port(), "wchs");
    auto pos = out.find("Total watches:");
    return pos == std::string::npos ? -1 : std::stoi(out.substr(pos + 14));
  }

  TestServer* server_ = nullptr;
  std::unique_ptr<Client> root_;
  std::string base_;
};

#define PADDOCK_RECIPE_SUITE(Fixture)                                                    \
  INSTANTIATE_TEST_SUITE_P(                                                              \
      Servers, Fixture, ::testing::Values(ServerKind::kPaddock, ServerKind::kZooKeeper), \
      [](const auto& info) { return std::string(client::testing::kind_name(info.param)); })

}  // namespace paddock::client::recipes
