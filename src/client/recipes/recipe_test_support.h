#pragma once
// Test support for the recipes' live tests (header only, kept out of the library): every case
// runs against paddockd and against Apache ZooKeeper 3.8 (skipped with the reason where one
// cannot start), one shared server per kind and test process, each test under its own node.
#include <gtest/gtest.h>

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

using client::testing::TcpProxy;

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
