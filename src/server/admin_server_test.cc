#include "server/admin_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "server/admin_commands.h"
#include "server/test_support.h"

namespace paddock::server {
namespace {

using namespace std::chrono_literals;
using pipeline::ConnectionSnapshot;
using pipeline::ServerSnapshot;
using testing::FakeSink;
using testing::TestClient;
using testing::read_fixture;

Json fixture_json(const std::string& name) { return Json::parse(read_fixture(name)); }

std::set<std::string> keys(const Json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

std::shared_ptr<ServerSnapshot> sample_snapshot() {
  auto s = std::make_shared<ServerSnapshot>();
  s->version = "3.8.0-paddock-test, built on today";
  s->last_zxid = 5;
  s->node_count = 8;
  s->latency = {0, 6, 5.0 / 3.0, 3};
  ConnectionSnapshot c;
  c.peer_ip = "127.0.0.1";
  c.peer_port = 4000;
  c.session_id = 72057635718955009;
  c.timeout_ms = 10000;
  c.last_op = "GETD";
  ConnectionSnapshot fresh;  // no session yet
  fresh.peer_ip = "127.0.0.1";
  fresh.peer_port = 4001;
  c.id = 1;
  fresh.id = 2;
  s->connections = {c, fresh};
  s->connection_count = 2;
  s->sessions = {{c.session_id, 10000}};
  s->session_count = 1;
  s->ephemerals = {{c.session_id, "/app/eph"}};
  s->watches = {{c.session_id, c.id, "/app/a"}};
  s->data_watch_count = 1;
  s->watched_paths = 1;
  s->watching_connections = 1;
  for (const auto& line : {"clientPort=2181", "dataDir=/tmp/d", "dataLogDir=/tmp/d",
                           "tickTime=2000", "maxClientCnxns=10", "minSessionTimeout=4000",
                           "maxSessionTimeout=40000", "serverId=0",
                           "clientPortListenBacklog=-1"}) {
    std::string l = line;
    s->config.emplace_back(l.substr(0, l.find('=')), l.substr(l.find('=') + 1));
  }
  return s;
}

Json run(std::string_view name, const ServerSnapshot& s, const AdminCommandInput& input = {},
         HostFacts facts = collect_host_facts(0, "", "", false)) {
  const AdminCommand* c = find_admin_command(name);
  EXPECT_NE(c, nullptr) << name;
  return admin_command_json(*c, &s, facts, input);
}

// An ensemble member of ZooKeeper's captured three-server ensemble (capture_zk38_observers.sh):
// servers 1 and 2 vote, 3 observes; server 2 leads.
std::shared_ptr<ServerSnapshot> member_snapshot(std::string mode) {
  auto s = sample_snapshot();
  s->mode = std::move(mode);
  s->quorum = ServerSnapshot::Quorum{};
  s->quorum->leader_id = 2;
  s->quorum->voting_members = {{1, "127.0.0.1:44820:44823:participant"},
                               {2, "127.0.0.1:44821:44824:participant"}};
  return s;
}

TEST(AdminCommandsTest, NamesAndAliasesResolveAsInZooKeeper) {
  EXPECT_EQ(find_admin_command("srvr")->name, "server_stats");
  EXPECT_EQ(find_admin_command("stat")->name, "stats");
  EXPECT_EQ(find_admin_command("mntr")->name, "monitor");
  EXPECT_EQ(find_admin_command("conf")->name, "configuration");
  EXPECT_EQ(find_admin_command("cons")->name, "connections");
  EXPECT_EQ(find_admin_command("wchs")->name, "watch_summary");
  EXPECT_EQ(find_admin_command("wchc")->name, "watches");
  EXPECT_EQ(find_admin_command("wchp")->name, "watches_by_path");
  EXPECT_EQ(find_admin_command("envi")->name, "environment");
  EXPECT_EQ(find_admin_command("isro")->name, "is_read_only");
  EXPECT_EQ(find_admin_command("icfg")->name, "initial_configuration");
  EXPECT_EQ(find_admin_command("lsnp")->name, "last_snapshot");
  EXPECT_EQ(find_admin_command("obsr")->name, "observers");
  EXPECT_EQ(find_admin_command("orst")->name, "observer_connection_stat_reset");
  EXPECT_EQ(find_admin_command("stmk")->name, "set_trace_mask");
  EXPECT_EQ(find_admin_command("sysp")->name, "system_properties");
  EXPECT_EQ(find_admin_command("RUOK"), nullptr);
  // Every command we list is one ZooKeeper lists.
  std::string zk_list = read_fixture("admin_commands.json");
  for (const auto& c : admin_commands()) {
    EXPECT_NE(zk_list.find("/commands/" + std::string(c.name) + "\""), std::string::npos) << c.name;
  }
}

// Every command of ZooKeeper 3.8, in its order, as its /commands page links them.
TEST(AdminCommandsTest, TheCommandListIsZooKeepers) {
  EXPECT_EQ(admin_command_list_html("/commands"), read_fixture("admin_commands.json"));
}

TEST(AdminCommandsTest, BodiesHaveZooKeepersFieldNames) {
  auto s = sample_snapshot();
  struct Case {
    const char* command;
    const char* fixture;
  };
  for (Case c : {Case{"ruok", "admin_ruok.json"}, Case{"server_stats", "admin_server_stats.json"},
                 Case{"stats", "admin_stats.json"}, Case{"connections", "admin_connections.json"},
                 Case{"configuration", "admin_configuration.json"},
                 Case{"watch_summary", "admin_watch_summary.json"},
                 Case{"watches", "admin_watches.json"},
                 Case{"watches_by_path", "admin_watches_by_path.json"},
                 Case{"dump", "admin_dump.json"}, Case{"dirs", "admin_dirs.json"},
                 Case{"is_read_only", "admin_is_read_only.json"},
                 Case{"stat_reset", "admin_stat_reset.json"},
                 Case{"connection_stat_reset", "admin_connection_stat_reset.json"},
                 Case{"observer_connection_stat_reset", "admin_observer_connection_stat_reset.json"},
                 Case{"voting_view", "admin_voting_view.json"},
                 Case{"zabstate", "admin_zabstate.json"}}) {
    Json ours = run(c.command, *s);
    Json theirs = fixture_json(c.fixture);
    EXPECT_EQ(keys(ours), keys(theirs)) << c.command;
    EXPECT_EQ(ours["command"], theirs["command"]) << c.command;
    EXPECT_TRUE(ours["error"].is_null()) << c.command;
  }
  Json stats = run("server_stats", *s);
  EXPECT_EQ(keys(stats["server_stats"]), keys(fixture_json("admin_server_stats.json")["server_stats"]));
  EXPECT_DOUBLE_EQ(stats["server_stats"]["avg_latency"].get<double>(), 1.6667);
  Json cons = run("connections", *s);
  Json zk_cons = fixture_json("admin_connections.json");
  EXPECT_EQ(keys(cons["connections"][0]), keys(zk_cons["connections"][0]));
  EXPECT_EQ(cons["connections"][1].size(), 5u);  // no session: the brief fields only
  EXPECT_EQ(keys(run("stats", *s)["connections"][0]),
            keys(fixture_json("admin_stats.json")["connections"][0]));
  EXPECT_EQ(run("watches", *s)["session_id_to_watched_paths"]["72057635718955009"][0], "/app/a");
  EXPECT_EQ(run("watches_by_path", *s)["path_to_session_ids"]["/app/a"][0], 72057635718955009);
  EXPECT_EQ(run("configuration", *s)["client_port"], 2181);
  EXPECT_EQ(run("voting_view", *s), fixture_json("admin_voting_view.json"));  // standalone
  EXPECT_EQ(run("zabstate", *s), fixture_json("admin_zabstate.json"));
}

// An ensemble member's zabstate and voting_view, with ZooKeeper 3.8's fields
// (Commands.ZabStateCommand, VotingViewCommand).
TEST(AdminCommandsTest, ZabStateAndVotingViewOfAnEnsembleMember) {
  auto s = sample_snapshot();
  s->mode = "follower";
  s->last_zxid = (int64_t{3} << 32) | 0x1f;
  s->quorum = pipeline::ServerSnapshot::Quorum{};
  s->quorum->peer_state = "following - broadcast";
  s->quorum->my_id = 2;
  s->quorum->voting = true;
  s->quorum->quorum_address = "10.0.0.2:2888";
  s->quorum->election_address = "10.0.0.2:3888";
  s->quorum->voting_members = {{1, "10.0.0.1:2888:3888:participant;0.0.0.0:2181"},
                               {2, "10.0.0.2:2888:3888:participant;0.0.0.0:2181"}};
  Json zab = run("zabstate", *s);
  EXPECT_EQ(keys(zab), (std::set<std::string>{"myid", "is_leader", "quorum_address",
                                                 "election_address", "client_address", "voting",
                                                 "last_zxid", "zab_epoch", "zab_counter",
                                                 "zabstate", "command", "error"}));
  EXPECT_EQ(zab["myid"], 2);
  EXPECT_EQ(zab["is_leader"], false);
  EXPECT_EQ(zab["voting"], true);
  EXPECT_EQ(zab["last_zxid"], "0x30000001f");
  EXPECT_EQ(zab["zab_epoch"], 3);
  EXPECT_EQ(zab["zab_counter"], 31);
  EXPECT_EQ(zab["zabstate"], "broadcast");
  EXPECT_EQ(zab["client_address"], "0.0.0.0:2181");
  s->quorum->peer_state = "following - synchronization";
  EXPECT_EQ(run("zabstate", *s)["zabstate"], "synchronization");
  s->quorum->peer_state = "looking";
  EXPECT_EQ(run("zabstate", *s)["zabstate"], "election");
  Json view = run("voting_view", *s)["current_config"];
  ASSERT_EQ(view.size(), 2u);
  EXPECT_EQ(view["2"], "10.0.0.2:2888:3888:participant;0.0.0.0:2181");
}

// ZooKeeper's LeaderCommand: an error standalone (before "command", its error kept), the
// leader's id and host in an ensemble; a member between leaders is not serving.
TEST(AdminCommandsTest, LeaderBodiesAreZooKeepers) {
  auto s = sample_snapshot();
  EXPECT_EQ(run("leader", *s).dump(), fixture_json("admin_leader.json").dump());
  EXPECT_EQ(run("leader", *member_snapshot("leader")), fixture_json("admin_leader_leader.json"));
  EXPECT_EQ(run("leader", *member_snapshot("follower")),
            fixture_json("admin_leader_follower.json"));
  auto looking = member_snapshot("follower");
  looking->quorum->leader_id = -1;
  EXPECT_EQ(run("lead", *looking), not_serving_admin_json("leader"));
}

TEST(AdminCommandsTest, ObserversAreListedByTheLeaderAsZooKeeperListsThem) {
  EXPECT_EQ(run("observers", *sample_snapshot()), fixture_json("admin_observers.json"));
  EXPECT_EQ(run("observers", *member_snapshot("follower")),
            fixture_json("admin_observers_follower.json"));
  auto leader = member_snapshot("leader");
  leader->quorum->synced_observers = 1;
  pipeline::LearnerSnapshot o;  // the values of ZooKeeper's capture
  o.peer_ip = "127.0.0.1";
  o.peer_port = 52706;
  o.sid = 3;
  o.established_ms = 1796599140897;
  o.queued_bytes = -191;
  o.packets_received = 3;
  o.packets_sent = 4;
  o.last_zxid = 4294967296;
  leader->quorum->observers = {o};
  EXPECT_EQ(run("obsr", *leader), fixture_json("admin_observers_leader.json"));
}

TEST(AdminCommandsTest, LastSnapshotIsItsZxidInHexAndItsFilesTimeInSeconds) {
  auto s = sample_snapshot();
  s->last_snapshot_zxid = 0;
  s->last_snapshot_path = "/d/version-2/snapshot.0";
  HostFacts facts;
  facts.last_snapshot_modified_s = 1796598940;
  EXPECT_EQ(run("last_snapshot", *s, {}, facts), fixture_json("admin_last_snapshot.json"));
  s->last_snapshot_zxid = (int64_t{3} << 32) | 0x1f;
  EXPECT_EQ(run("lsnp", *s, {}, facts)["zxid"], "30000001f");
  s->last_snapshot_zxid = -1;  // none: Long.toHexString(-1) and -1, as ZooKeeper says
  Json none = run("last_snapshot", *s, {}, facts);
  EXPECT_EQ(none["zxid"], "ffffffffffffffff");
  EXPECT_EQ(none["timestamp"], -1);
}

TEST(AdminCommandsTest, InitialConfigurationIsTheFilesText) {
  Json zk = fixture_json("admin_initial_configuration.json");
  AdminCommandInput input;
  input.initial_configuration = zk["initial_configuration"].get<std::string>();
  EXPECT_EQ(run("initial_configuration", *sample_snapshot(), input), zk);
  Json none = run("icfg", *sample_snapshot());  // the PORT DATADIR command line: no file
  EXPECT_TRUE(none["initial_configuration"].is_null());
  EXPECT_EQ(keys(none), keys(zk));
}

TEST(AdminCommandsTest, SetTraceMaskNeedsALongArgumentAndRepeatsIt) {
  const AdminCommand& set = *find_admin_command("set_trace_mask");
  auto with = [](std::string value) {
    AdminCommandInput in;
    in.arguments["traceMask"] = std::move(value);
    return in;
  };
  HostFacts facts;
  EXPECT_EQ(admin_command_json(set, nullptr, facts).dump(),
            fixture_json("admin_set_trace_mask_no_argument.json").dump());
  EXPECT_EQ(admin_command_json(set, nullptr, facts, with("x1")).dump(),
            fixture_json("admin_set_trace_mask_bad_argument.json").dump());
  EXPECT_EQ(admin_command_json(set, nullptr, facts, with("1234")),
            fixture_json("admin_set_trace_mask.json"));
  // Long.parseLong's syntax: a sign, decimal digits, 64 bits.
  EXPECT_EQ(trace_mask_argument(with("+7")), 7);
  EXPECT_EQ(trace_mask_argument(with("-1")), -1);
  for (const char* bad : {"", "+", "+-1", "0x10", " 1", "1.0", "9223372036854775808"}) {
    EXPECT_EQ(trace_mask_argument(with(bad)), std::nullopt) << bad;
  }
  facts.trace_mask = 1234;  // what get_trace_mask then reads
  EXPECT_EQ(admin_command_json(*find_admin_command("gtmk"), nullptr, facts),
            fixture_json("admin_get_trace_mask_after_set.json"));
}

// ZooKeeper prints the JVM's properties, sorted; Paddock the ones it was started with and
// the host's os.* and user.* (no java.* or sun.*), in the same shape.
TEST(AdminCommandsTest, SystemPropertiesAreTheServersSortedAsZooKeepersAre) {
  AdminCommandInput input;
  input.system_properties = {
      {"zookeeper.snapCount", "5000"}, {"paddock.x", "y"}, {"user.name", "from-a-flag"}};
  HostFacts facts = collect_host_facts(0, "", "", false);
  Json ours = admin_command_json(*find_admin_command("sysp"), nullptr, facts, input);
  Json zk = fixture_json("admin_system_properties.json");
  std::vector<std::string> order;
  for (auto it = ours.begin(); it != ours.end(); ++it) order.push_back(it.key());
  ASSERT_GE(order.size(), 3u);
  EXPECT_EQ(order[order.size() - 2], "command");
  EXPECT_EQ(order.back(), "error");
  order.resize(order.size() - 2);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  for (const std::string& k : order) {
    EXPECT_TRUE(zk.contains(k) || input.system_properties.count(k)) << k;
  }
  EXPECT_EQ(ours["zookeeper.snapCount"], "5000");
  EXPECT_EQ(ours["paddock.x"], "y");
  EXPECT_EQ(ours["user.name"], "from-a-flag");  // a flag wins over the host's value
  EXPECT_EQ(ours["file.separator"], zk["file.separator"]);
  EXPECT_EQ(ours["line.separator"], zk["line.separator"]);
  EXPECT_EQ(ours["os.name"], zk["os.name"]);
  EXPECT_TRUE(ours["error"].is_null());
}

TEST(AdminCommandsTest, MonitorAndEnvironmentUseZooKeeperKeysOrPaddocksPrefix) {
  auto s = sample_snapshot();
  auto zk_monitor = keys(fixture_json("admin_monitor.json"));
  for (const auto& k : keys(run("monitor", *s))) {
    EXPECT_TRUE(zk_monitor.count(k) || k.find("paddock_") != std::string::npos) << k;
  }
  EXPECT_TRUE(keys(run("monitor", *s)).count("p99_readlatency"));
  auto zk_env = keys(fixture_json("admin_environment.json"));
  for (const auto& k : keys(run("environment", *s))) EXPECT_TRUE(zk_env.count(k)) << k;
}

TEST(AdminCommandsTest, UnknownCommandIsAnErrorBodyLikeZooKeepers) {
  EXPECT_EQ(unknown_admin_command_json("nosuch"), fixture_json("admin_nosuch.json"));
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override { sink_.snapshot = sample_snapshot(); }
  void start(AdminServerOptions o = {}) {
    o.address = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<AdminServer>(o, sink_);
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.message();
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  // Status line and body of one request.
  std::pair<std::string, std::string> get(const std::string& request) {
    TestClient c(server_->bound_port());
    EXPECT_TRUE(c.connected());
    EXPECT_TRUE(c.write(request));
    std::string response = c.read_until_closed().value_or("");
    auto head_end = response.find("\r\n\r\n");
    if (head_end == std::string::npos) return {response, ""};
    return {response.substr(0, response.find("\r\n")), response.substr(head_end + 4)};
  }
  std::pair<std::string, std::string> get_path(const std::string& path) {
    return get("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }

  FakeSink sink_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, AnswersCommandsAsJson) {
  start();
  auto [status, body] = get_path("/commands/ruok");
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
  EXPECT_EQ(Json::parse(body), Json::parse(R"({"command":"ruok","error":null})"));

  auto [s2, srvr] = get_path("/commands/srvr");
  EXPECT_EQ(s2, "HTTP/1.1 200 OK");
  Json j = Json::parse(srvr);
  EXPECT_EQ(j["command"], "server_stats");
  EXPECT_EQ(j["version"], "3.8.0-paddock-test, built on today");
  EXPECT_EQ(j["server_stats"]["last_processed_zxid"], 5);
  EXPECT_GE(sink_.snapshot_requests(), 1);
}

TEST_F(AdminServerTest, ListsCommandsAtTheCommandUrl) {
  start();
  auto [status, body] = get_path("/commands");
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
  EXPECT_NE(body.find("<a href=\"/commands/server_stats\">server_stats</a>"), std::string::npos);
}

TEST_F(AdminServerTest, UnknownCommandIs200WithError) {
  start();
  auto [status, body] = get_path("/commands/nosuch?x=1");
  EXPECT_EQ(status, "HTTP/1.1 200 OK");
  EXPECT_EQ(Json::parse(body)["error"], "Unknown command: nosuch");
}

// set_trace_mask's argument comes from the query string; the mask it sets is the one the
// client port's gtmk reads (shared through the options) and get_trace_mask answers.
TEST_F(AdminServerTest, SetTraceMaskFromTheQueryIsWhatGetTraceMaskAnswers) {
  std::atomic<int64_t> shared{kDefaultTraceMask};
  AdminServerOptions o;
  o.trace_mask = &shared;
  start(o);
  EXPECT_EQ(Json::parse(get_path("/commands/set_trace_mask").second)["error"],
            "setTraceMask requires long traceMask argument");
  EXPECT_EQ(shared.load(), kDefaultTraceMask);
  Json set = Json::parse(get_path("/commands/stmk?traceMask=1234&traceMask=5").second);
  EXPECT_EQ(set, fixture_json("admin_set_trace_mask.json"));
  EXPECT_EQ(shared.load(), 1234);
  EXPECT_EQ(Json::parse(get_path("/commands/get_trace_mask").second)["tracemask"], 1234);
  shared = 99;  // as stmk on the client port sets it
  EXPECT_EQ(Json::parse(get_path("/commands/gtmk").second)["tracemask"], 99);
}

TEST_F(AdminServerTest, AnswersWithWhatTheServerWasStartedWith) {
  AdminServerOptions o;
  o.initial_configuration = "tickTime=2000\nclientPort=2181\n";
  o.system_properties = {{"zookeeper.snapCount", "5000"}};
  start(o);
  EXPECT_EQ(
      Json::parse(get_path("/commands/initial_configuration").second)["initial_configuration"],
      "tickTime=2000\nclientPort=2181\n");
  EXPECT_EQ(Json::parse(get_path("/commands/system_properties").second)["zookeeper.snapCount"],
            "5000");
}

TEST_F(AdminServerTest, LastSnapshotTimestampIsTheFilesModificationTime) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("paddock-admin-last-snapshot-" + std::to_string(::getpid()));
  std::ofstream(path) << "x";
  const auto mtime = std::filesystem::file_time_type::clock::now() - std::chrono::hours(5);
  std::filesystem::last_write_time(path, mtime);
  auto snap = sample_snapshot();
  snap->last_snapshot_zxid = 0x2a;
  snap->last_snapshot_path = path.string();
  sink_.snapshot = snap;
  start();
  Json j = Json::parse(get_path("/commands/last_snapshot").second);
  EXPECT_EQ(j["zxid"], "2a");
  EXPECT_EQ(j["timestamp"], file_modified_seconds(path.string()));
  EXPECT_LT(j["timestamp"].get<int64_t>(), wall_clock_ms() / 1000 - 4 * 3600);
  std::filesystem::remove(path);
  // Gone (purged): Java's File.lastModified() is 0 then.
  EXPECT_EQ(Json::parse(get_path("/commands/last_snapshot").second)["timestamp"], 0);
}

TEST_F(AdminServerTest, StatResetResetsServerStatistics) {
  start();
  get_path("/commands/srst");
  get_path("/commands/crst");
  EXPECT_EQ(sink_.resets(), (std::vector<bool>{false, true}));
}

TEST_F(AdminServerTest, WrongMethodPathOrSizeGetsAnHttpError) {
  AdminServerOptions o;
  o.max_request_bytes = 512;
  start(o);
  EXPECT_EQ(get("POST /commands/ruok HTTP/1.1\r\n\r\n").first, "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(get_path("/other").first, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(get("garbage\r\n\r\n").first, "HTTP/1.1 400 Bad Request");
  std::string huge = "GET /commands/ruok HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(get(huge).first, "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST_F(AdminServerTest, IdleConnectionIsClosed) {
  AdminServerOptions o;
  o.idle_timeout = 100ms;
  start(o);
  TestClient c(server_->bound_port());
  ASSERT_TRUE(c.connected());
  auto got = c.read_until_closed();  // sends nothing; the server gives up
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, "");
}

TEST_F(AdminServerTest, BindFailureNamesAddressAndPort) {
  start();
  AdminServerOptions o;
  o.address = "127.0.0.1";
  o.port = server_->bound_port();
  AdminServer second(o, sink_);
  Status s = second.start();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(o.port)), std::string::npos);
}

}  // namespace
}  // namespace paddock::server
