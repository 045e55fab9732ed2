// Three server::Server ensemble members in one process, on loopback: the threads of the
// ensemble adapter (election transport, quorum links, tick, log writer hooks) together, so
// that ThreadSanitizer sees them (make tsan-test runs this binary). Election, writes through
// every member, a stopped leader replaced, and its restart catching up.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/types.h"
#include "server/server.h"
#include "server/test_support.h"
#include "storage/posix_env.h"
#include "util/clock.h"

namespace paddock::server {
namespace {

using namespace std::chrono_literals;
using testing::free_port;
using testing::TestClient;

std::string four_letter(uint16_t port, std::string_view word) {
  TestClient c(port);
  if (!c.connected() || !c.write(word)) return "";
  return c.read_until_closed(2s).value_or("");
}

std::string mode_of(uint16_t port) {
  std::string reply = four_letter(port, "srvr");
  auto at = reply.find("Mode: ");
  if (at == std::string::npos) return "";
  return reply.substr(at + 6, reply.find('\n', at) - at - 6);
}

template <typename F>
bool wait_for(F pred, std::chrono::milliseconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

// A client session over the raw protocol: enough for create and exists.
class Session {
 public:
  explicit Session(uint16_t port) : client_(port) {
    proto::ConnectRequest req;
    req.timeout_ms = 10000;
    req.passwd = std::string(16, '\0');
    if (!client_.write(testing::frame(proto::encode(req)))) return;
    auto len = client_.read_exact(4, 5s);
    if (!len) return;
    proto::JuteReader lr(*len);
    auto body = client_.read_exact(static_cast<size_t>(lr.i32()), 5s);
    connected_ = body.has_value();
  }
  bool connected() const { return connected_; }

  // The error code of the reply to a request with this op and record.
  template <typename T>
  std::optional<int32_t> call(proto::OpCode op, const T& record) {
    const int32_t xid = ++xid_;
    std::string body;
    proto::JuteWriter w(body);
    w.i32(xid);
    w.i32(static_cast<int32_t>(op));
    body += proto::encode(record);
    if (!client_.write(testing::frame(body))) return std::nullopt;
    for (;;) {
      auto len = client_.read_exact(4, 10s);
      if (!len) return std::nullopt;
      proto::JuteReader lr(*len);
      auto reply = client_.read_exact(static_cast<size_t>(lr.i32()), 10s);
      if (!reply) return std::nullopt;
      proto::JuteReader r(*reply);
      proto::ReplyHeader h;
      proto::read(r, h);
      if (h.xid == xid) return h.err;  // watch events (-1) and pings (-2) are skipped
    }
  }
  std::optional<int32_t> create(const std::string& path, const std::string& data) {
    proto::CreateRequest req;
    req.path = path;
    req.data = data;
    req.acl = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
    return call(proto::OpCode::kCreate, req);
  }
  bool exists(const std::string& path) {
    proto::ExistsRequest req;
    req.path = path;
    auto err = call(proto::OpCode::kExists, req);
    return err && *err == 0;
  }

 private:
  TestClient client_;
  bool connected_ = false;
  int32_t xid_ = 0;
};

struct Member {
  int64_t sid = 0;
  uint16_t election_port = 0;
  uint16_t client_port = 0;
  uint16_t admin_port = 0;
  std::string dir;
  config::ServerConfig config;
  std::unique_ptr<Server> server;
};

class EnsembleServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("paddock-ensemble-server-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::string servers;
    std::map<int64_t, uint16_t> election_ports;
    for (int64_t sid = 1; sid <= 3; ++sid) {
      election_ports[sid] = free_port();
      servers += "server." + std::to_string(sid) + "=127.0.0.1:" + std::to_string(free_port()) +
                 ":" + std::to_string(election_ports[sid]) + "\n";
    }
    for (int64_t sid = 1; sid <= 3; ++sid) {
      Member m;
      m.sid = sid;
      m.election_port = election_ports[sid];
      m.client_port = free_port();
      m.admin_port = free_port();
      m.dir = (root_ / ("s" + std::to_string(sid))).string();
      std::filesystem::create_directories(m.dir);
      std::string text = "tickTime=100\ninitLimit=20\nsyncLimit=5\ndataDir=" + m.dir +
                         "\nclientPort=" + std::to_string(m.client_port) +
                         "\nclientPortAddress=127.0.0.1\nadmin.enableServer=true\n"
                         "admin.serverAddress=127.0.0.1\nadmin.serverPort=" +
                         std::to_string(m.admin_port) + "\n4lw.commands.whitelist=*\n" + servers;
      auto loaded = config::parse_server_config(text, "zoo.cfg", {}, m.dir);
      ASSERT_TRUE(loaded) << loaded.error();
      ASSERT_TRUE(config::apply_my_id(*loaded, std::to_string(sid), m.dir + "/myid"));
      m.config = loaded->config;
      members_.emplace(sid, std::move(m));
    }
  }
  void TearDown() override {
    for (auto& [sid, m] : members_) {
      if (m.server) m.server->stop();
      m.server.reset();
    }
    std::filesystem::remove_all(root_);
  }

  void start(int64_t sid) {
    Member& m = members_.at(sid);
    m.server = std::make_unique<Server>(m.config, env_, clock_);
    auto error = m.server->start();
    ASSERT_FALSE(error.has_value()) << error->message;
    ASSERT_TRUE(m.server->is_ensemble_member());
  }
  void stop(int64_t sid) {
    Member& m = members_.at(sid);
    m.server->stop();
    m.server.reset();
  }
  // The sid of the one leader among `sids`, once every one of them serves.
  std::optional<int64_t> wait_leader(const std::vector<int64_t>& sids) {
    std::optional<int64_t> leader;
    bool ok = wait_for([&] {
      leader.reset();
      int leaders = 0;
      for (int64_t sid : sids) {
        std::string mode = mode_of(members_.at(sid).client_port);
        if (mode != "leader" && mode != "follower") return false;
        if (mode == "leader") {
          ++leaders;
          leader = sid;
        }
      }
      return leaders == 1;
    });
    return ok ? leader : std::nullopt;
  }
  bool visible_everywhere(const std::vector<int64_t>& sids, const std::string& path) {
    for (int64_t sid : sids) {
      bool seen = wait_for([&] {
        Session s(members_.at(sid).client_port);
        return s.connected() && s.exists(path);
      });
      if (!seen) return false;
    }
    return true;
  }

  std::filesystem::path root_;
  storage::PosixEnv env_;
  SystemClock clock_;
  std::map<int64_t, Member> members_;
};

// A listening socket on 127.0.0.1:port, as a process that has not let go of it yet; -1 if the
// port could not be taken.
int hold_port(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// zookeeper.electionPortBindRetry: an election port still held is tried again a second apart;
// start-up fails naming the port once the attempts are spent.
TEST_F(EnsembleServerTest, ElectionPortStillHeldFailsStartUpAfterTheConfiguredAttempts) {
  Member& m = members_.at(1);
  const int holder = hold_port(m.election_port);
  ASSERT_GE(holder, 0);
  m.config.properties["zookeeper.electionPortBindRetry"] = "2";
  const auto began = std::chrono::steady_clock::now();
  auto server = std::make_unique<Server>(m.config, env_, clock_);
  auto error = server->start();
  const auto took = std::chrono::steady_clock::now() - began;
  ::close(holder);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("election port 127.0.0.1:" + std::to_string(m.election_port)),
            std::string::npos)
      << error->message;
  EXPECT_GE(took, 1s) << "the second attempt comes a second after the first";
  server.reset();
}

// ... and with 0 it keeps trying until the port comes free (a restart whose predecessor is
// still exiting), then serves.
TEST_F(EnsembleServerTest, ElectionPortBindIsRetriedUntilThePortComesFree) {
  Member& m = members_.at(1);
  const int holder = hold_port(m.election_port);
  ASSERT_GE(holder, 0);
  m.config.properties["zookeeper.electionPortBindRetry"] = "0";
  std::thread release([holder] {
    std::this_thread::sleep_for(1500ms);
    ::close(holder);
  });
  m.server = std::make_unique<Server>(m.config, env_, clock_);
  auto error = m.server->start();
  release.join();
  ASSERT_FALSE(error.has_value()) << error->message;
  EXPECT_TRUE(m.server->is_ensemble_member());
  start(2);
  EXPECT_TRUE(wait_leader({1, 2}).has_value());
}

TEST_F(EnsembleServerTest, ElectsReplicatesAndReplacesAStoppedLeader) {
  for (int64_t sid : {1, 2, 3}) start(sid);
  auto leader = wait_leader({1, 2, 3});
  ASSERT_TRUE(leader.has_value()) << "no single leader among three members";

  // A write through every member (followers forward theirs) is on every member.
  for (int64_t sid : {1, 2, 3}) {
    Session s(members_.at(sid).client_port);
    ASSERT_TRUE(s.connected()) << "server." << sid;
    EXPECT_EQ(s.create("/via-" + std::to_string(sid), "x"), 0) << "server." << sid;
  }
  for (int64_t sid : {1, 2, 3}) {
    EXPECT_TRUE(visible_everywhere({1, 2, 3}, "/via-" + std::to_string(sid)));
  }

  // The leader stops: the other two elect one of them and take writes.
  stop(*leader);
  std::vector<int64_t> rest;
  for (int64_t sid : {1, 2, 3}) {
    if (sid != *leader) rest.push_back(sid);
  }
  auto next = wait_leader(rest);
  ASSERT_TRUE(next.has_value()) << "no new leader after the leader stopped";
  {
    Session s(members_.at(rest[0]).client_port);
    ASSERT_TRUE(s.connected());
    EXPECT_EQ(s.create("/after", "y"), 0);
  }
  EXPECT_TRUE(visible_everywhere(rest, "/after"));

  // The old leader restarts from its data dir and catches up as a follower.
  start(*leader);
  ASSERT_TRUE(wait_leader({1, 2, 3}).has_value());
  EXPECT_EQ(mode_of(members_.at(*leader).client_port), "follower");
  EXPECT_TRUE(visible_everywhere({*leader}, "/after"));
  EXPECT_TRUE(visible_everywhere({*leader}, "/via-" + std::to_string(rest[1])));
}

// mntr's value of `key` (zk_ prefix included) as a number; -1 when absent.
int64_t mntr_value(uint16_t port, const std::string& key) {
  std::string reply = four_letter(port, "mntr");
  auto at = reply.find(key + "\t");
  if (at == std::string::npos) return -1;
  return std::stoll(reply.substr(at + key.size() + 1));
}

// ZooKeeper's replication metrics move with what the ensemble did: an election on every
// member, one sync per follower started by the leader, and each write proposed, acked by a
// quorum and committed on the leader and received by the followers.
TEST_F(EnsembleServerTest, MntrReportsTheReplicationFigures) {
  for (int64_t sid : {1, 2, 3}) start(sid);
  auto leader = wait_leader({1, 2, 3});
  ASSERT_TRUE(leader.has_value());
  std::vector<int64_t> followers;
  for (int64_t sid : {1, 2, 3}) {
    if (sid != *leader) followers.push_back(sid);
  }
  ASSERT_TRUE(wait_for(
      [&] { return mntr_value(members_.at(*leader).client_port, "zk_synced_followers") == 2; }));
  constexpr int kWrites = 5;
  {
    Session s(members_.at(followers[0]).client_port);
    ASSERT_TRUE(s.connected());
    for (int i = 0; i < kWrites; ++i) EXPECT_EQ(s.create("/m" + std::to_string(i), "x"), 0);
  }
  const uint16_t lp = members_.at(*leader).client_port;
  // The session's create and close are txns too: at least kWrites of each.
  EXPECT_GE(mntr_value(lp, "zk_proposal_count"), kWrites);
  EXPECT_GE(mntr_value(lp, "zk_commit_count"), kWrites);
  EXPECT_GE(mntr_value(lp, "zk_cnt_quorum_ack_latency"), kWrites);
  EXPECT_GE(mntr_value(lp, "zk_leader_uptime"), 0);
  EXPECT_GE(mntr_value(lp, "zk_diff_count") + mntr_value(lp, "zk_snap_count"), 2);
  for (int64_t sid : {1, 2, 3}) {
    const uint16_t port = members_.at(sid).client_port;
    EXPECT_GE(mntr_value(port, "zk_looking_count"), 1) << "server." << sid;
    EXPECT_GE(mntr_value(port, "zk_cnt_election_time"), 1) << "server." << sid;
  }
  for (int64_t sid : followers) {
    const uint16_t port = members_.at(sid).client_port;
    EXPECT_TRUE(wait_for([&] {
      return mntr_value(port, "zk_learner_commit_received_count") >= kWrites;
    })) << "server."
        << sid;
    EXPECT_GE(mntr_value(port, "zk_learner_proposal_received_count"), kWrites);
    EXPECT_EQ(mntr_value(port, "zk_cnt_follower_sync_time"), 1) << "server." << sid;
    EXPECT_EQ(mntr_value(port, "zk_leader_uptime"), -1) << "only the leader has it";
    EXPECT_EQ(mntr_value(port, "zk_proposal_count"), 0);
  }
}

// The admin server's zabstate and voting_view on a live member.
TEST_F(EnsembleServerTest, AdminZabStateAndVotingViewDescribeTheMember) {
  for (int64_t sid : {1, 2, 3}) start(sid);
  auto leader = wait_leader({1, 2, 3});
  ASSERT_TRUE(leader.has_value());
  auto command = [&](int64_t sid, std::string_view name) {
    TestClient c(members_.at(sid).admin_port);
    std::string request = "GET /commands/" + std::string(name) +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    std::string reply =
        c.connected() && c.write(request) ? c.read_until_closed(5s).value_or("") : "";
    const size_t body = reply.find("\r\n\r\n");
    return body == std::string::npos
               ? nlohmann::json()
               : nlohmann::json::parse(reply.substr(body + 4), nullptr, false);
  };
  nlohmann::json zab;
  ASSERT_TRUE(wait_for([&] {
    zab = command(*leader, "zabstate");
    return zab.is_object() && zab.value("zabstate", "") == "broadcast";
  })) << zab.dump();
  EXPECT_EQ(zab["myid"], *leader);
  EXPECT_EQ(zab["is_leader"], true);
  EXPECT_EQ(zab["voting"], true);
  EXPECT_EQ(zab["zabstate"], "broadcast");
  nlohmann::json view = command(*leader, "voting_view");
  ASSERT_TRUE(view.is_object()) << view.dump();
  EXPECT_EQ(view["current_config"].size(), 3u);
  EXPECT_NE(view["current_config"]["1"].get<std::string>().find(":participant"), std::string::npos);
}

}  // namespace
}  // namespace paddock::server
