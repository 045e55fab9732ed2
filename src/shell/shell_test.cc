// The shell without a server: what needs no session (history, redo, printwatches, unknown
// commands, "Not connected", --json framing). Commands against servers are in
// tests/integration/test_shell.py.
#include "shell/shell.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <nlohmann/json.hpp>

namespace paddock::shell {
namespace {

class CapturedOutput : public Output {
 public:
  void write(Stream s, const std::string& text) override {
    std::lock_guard<std::mutex> lock(mu_);
    (s == Stream::kOut ? out : err) += text;
  }
  std::string take_out() { return std::exchange(out, ""); }
  std::string take_err() { return std::exchange(err, ""); }
  std::string out, err;

 private:
  std::mutex mu_;
};

class ShellTest : public ::testing::Test {
 protected:
  CapturedOutput output_;
};

TEST_F(ShellTest, WithoutASessionCommandsSayNotConnectedAndFail) {
  Shell shell({}, output_);
  EXPECT_EQ(shell.execute_line("ls /"), kExitFailed);
  EXPECT_EQ(output_.take_out(), "Not connected\n");
  EXPECT_EQ(shell.prompt(), "[zk: (CLOSED) 1] ");
}

TEST_F(ShellTest, TabCompletionWhileConnectingReturnsAtOnce) {
  ShellConfig config;
  config.session_timeout = std::chrono::milliseconds(30000);
  Shell shell(config, output_);
  // A socket that listens but never answers: the session stays connecting.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  shell.connect("127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(shell.children_for_completion("/").empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, Shell::kCompletionWait * 2);
  ::close(fd);
}

TEST_F(ShellTest, UnknownCommandPrintsUsageAndExits127) {
  Shell shell({}, output_);
  EXPECT_EQ(shell.execute_line("help"), kExitCommandNotFound);
  std::string err = output_.take_err();
  EXPECT_NE(err.find("\tls [-s] [-w] [-R] path\n"), std::string::npos);
  EXPECT_NE(err.find("Command not found: Command not found help\n"), std::string::npos);
}

TEST_F(ShellTest, HistoryListsTheLastElevenLinesWithTheirNumbers) {
  Shell shell({}, output_);
  for (int i = 0; i < 12; ++i) shell.execute_line("printwatches on");
  output_.take_out();
  shell.execute_line("history");
  std::string out = output_.take_out();
  EXPECT_EQ(out.rfind("2 - printwatches on\n", 0), 0u) << out;
  EXPECT_NE(out.find("11 - printwatches on\n12 - history\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("\n1 - "), std::string::npos) << out;
}

TEST_F(ShellTest, RedoRunsAnEarlierLineAndTakesItsPlaceInTheHistory) {
  Shell shell({}, output_);
  shell.execute_line("printwatches off");  // 0
  shell.execute_line("printwatches");      // 1
  EXPECT_EQ(output_.take_out(), "printwatches is off\n");
  shell.execute_line("printwatches on");  // 2
  shell.execute_line("redo 1");           // 3: prints the state again
  EXPECT_EQ(output_.take_out(), "printwatches is on\n");
  shell.execute_line("history");
  EXPECT_NE(output_.take_out().find("3 - printwatches\n4 - history\n"), std::string::npos);
  EXPECT_EQ(shell.execute_line("redo 9"), kExitFailed);
  EXPECT_EQ(output_.take_err(), "Command index out of range\n");
  shell.execute_line("redo 0");  // 6, kept as "printwatches off"
  EXPECT_EQ(shell.execute_line("redo 6"), kExitOk);
  shell.execute_line("printwatches");
  EXPECT_EQ(output_.take_out(), "printwatches is off\n");
  EXPECT_EQ(shell.execute_line("redo 5"), kExitFailed);  // "redo 9" stays in the history
  EXPECT_EQ(output_.take_err(), "No redoing redos\n");
}

TEST_F(ShellTest, RedoOfARedoIsRefused) {
  Shell shell({}, output_);
  shell.execute_line("redo 5");  // out of range, but stays in the history as "redo 5"
  shell.execute_line("printwatches");
  EXPECT_EQ(shell.execute_line("redo 0"), kExitFailed);
  EXPECT_EQ(output_.take_err(), "Command index out of range\nNo redoing redos\n");
}

TEST_F(ShellTest, QuitKeepsThePreviousStatus) {
  Shell shell({}, output_);
  shell.execute_line("ls /");
  EXPECT_EQ(shell.execute_line("quit"), kExitFailed);
  EXPECT_TRUE(shell.quit_requested());
}

TEST_F(ShellTest, JsonModePrintsOneObjectPerCommand) {
  ShellConfig config;
  config.json = true;
  Shell shell(config, output_);
  shell.execute_line("printwatches");
  shell.execute_line("get /a");
  shell.execute_line("nope x");
  std::string out = output_.take_out();
  EXPECT_EQ(output_.take_err(), "");
  std::vector<nlohmann::json> objs;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    objs.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
    start = nl + 1;
  }
  ASSERT_EQ(objs.size(), 3u);
  EXPECT_EQ(objs[0]["printwatches"], true);
  EXPECT_EQ(objs[0]["ok"], true);
  EXPECT_EQ(objs[1]["error"]["message"], "Not connected");
  EXPECT_EQ(objs[1]["args"], nlohmann::json::array({"/a"}));
  EXPECT_EQ(objs[2]["status"], kExitCommandNotFound);
  EXPECT_EQ(objs[2]["error"]["message"], "Command not found: Command not found nope");
}

}  // namespace
}  // namespace paddock::shell
