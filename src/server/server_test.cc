// server::Server's readiness: wait_until_serving is what paddockd's READY=1 waits for, an
// answer from the pipeline itself rather than from the server's own client port.
#include "server/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "config/server_config.h"
#include "server/test_support.h"
#include "storage/posix_env.h"
#include "util/clock.h"

namespace paddock::server {
namespace {

using namespace std::chrono_literals;
using testing::free_port;
using testing::TestClient;

class ServerReadinessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("paddock-server-readiness-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Only ruok is whitelisted (srvr always is, as in ZooKeeper): readiness asks no word.
    const std::string text = "tickTime=2000\ndataDir=" + dir_.string() +
                             "/data\nclientPort=" + std::to_string(free_port()) +
                             "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
                             "4lw.commands.whitelist=ruok\n";
    auto loaded = config::parse_server_config(text, "zoo.cfg", {}, dir_.string());
    ASSERT_TRUE(loaded) << loaded.error();
    server_ = std::make_unique<Server>(loaded->config, env_, clock_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  storage::PosixEnv env_;
  SystemClock clock_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerReadinessTest, AStandaloneServerServesOnceStartedAndNotBeforeOrAfter) {
  EXPECT_FALSE(server_->wait_until_serving(50ms));  // not started
  auto error = server_->start();
  ASSERT_FALSE(error) << error->message;
  EXPECT_TRUE(server_->wait_until_serving(10s));
  // Ready means a client is answered at once.
  TestClient c(server_->client_port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.write("ruok"));
  EXPECT_EQ(c.read_until_closed(5s).value_or(""), "imok");
  server_->stop();
  EXPECT_FALSE(server_->wait_until_serving(50ms));
}

}  // namespace
}  // namespace paddock::server
