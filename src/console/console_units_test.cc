// Unit tests of the console's pure pieces: base64, identities, the node and write-request
// JSON, the metric samples, srvr parsing and lag, member addresses, the sessions view.
#include <gtest/gtest.h>

#include "console/base64.h"
#include "console/console_options.h"
#include "console/ensemble_view.h"
#include "console/identity.h"
#include "console/metric_series.h"
#include "console/node_json.h"
#include "console/server_views.h"

namespace paddock::console {
namespace {

using proto::Err;

TEST(Base64Test, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << i;
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_encode(std::string("\xff\x00", 2)), "/wA=");
}

TEST(Base64Test, DecodeRefusesWhatIsNotPaddedBase64) {
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab=c"));
  EXPECT_FALSE(base64_decode("a==="));
  EXPECT_FALSE(base64_decode("ab!d"));
  EXPECT_FALSE(base64_decode("ab==abcd"));
  EXPECT_EQ(base64_decode(""), "");
}

TEST(IdentityTest, NoHeaderIsAnonymous) {
  auto id = identity_from_authorization(std::nullopt);
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->anonymous());
  EXPECT_EQ(id->display_name(), "anonymous");
}

TEST(IdentityTest, BasicCredentialsBecomeADigestIdentity) {
  auto id = identity_from_authorization("Basic " + base64_encode("alice:s3cr:et"));
  ASSERT_TRUE(id);
  EXPECT_EQ(id->scheme, "digest");
  EXPECT_EQ(id->credential, "alice:s3cr:et");  // the password may hold ':'
  EXPECT_EQ(id->display_name(), "digest:alice");
}

TEST(IdentityTest, MalformedCredentialsAreRefused) {
  EXPECT_FALSE(identity_from_authorization("Bearer abc"));
  EXPECT_FALSE(identity_from_authorization("Basic not*base64"));
  EXPECT_FALSE(identity_from_authorization("Basic " + base64_encode("nocolon")));
  EXPECT_FALSE(identity_from_authorization("Basic " + base64_encode(":password")));
}

TEST(NodeJsonTest, NodeCarriesSortedChildrenBase64DataAndHexZxids) {
  NodeView n;
  n.path = "/a";
  n.children = {"z", "b"};
  n.data = std::string("\x01hi", 3);
  n.stat.mzxid = 0x100000002;
  n.stat.version = 3;
  n.acl = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}},
           proto::Acl{proto::perm::kRead | proto::perm::kWrite, proto::Id{"digest", "u:x"}}};
  Json j = node_json(n);
  EXPECT_EQ(j["children"], Json::array({"b", "z"}));
  EXPECT_EQ(j["data"], base64_encode(std::string("\x01hi", 3)));
  EXPECT_EQ(j["stat"]["mzxid"], "0x100000002");
  EXPECT_EQ(j["stat"]["version"], 3);
  EXPECT_EQ(j["acl"][0]["perms"], "cdrwa");
  EXPECT_EQ(j["acl"][1]["perms"], "rw");
  n.data.reset();
  n.acl_error = Err::kNoAuth;
  j = node_json(n);
  EXPECT_TRUE(j["data"].is_null());
  EXPECT_TRUE(j["acl"].is_null());
  EXPECT_EQ(j["acl_error"], "NOAUTH");
}

TEST(NodeJsonTest, WriteRequestReadsTextAndBase64Data) {
  auto w = parse_write_request(R"({"path":"/a","data":"héllo","version":4})", 100);
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(w->path, "/a");
  EXPECT_EQ(w->data, "héllo");
  EXPECT_EQ(w->version, 4);
  EXPECT_EQ(w->mode, proto::CreateMode::kPersistent);
  EXPECT_FALSE(w->creator_acl);
  w = parse_write_request(
      R"({"path":"/b","data":"AP8=","encoding":"base64","mode":"persistent_sequential","acl":"creator"})",
      100);
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(w->data, std::string("\x00\xff", 2));
  EXPECT_EQ(w->mode, proto::CreateMode::kPersistentSequential);
  EXPECT_TRUE(w->creator_acl);
  w = parse_write_request(R"({"path":"/c","data":null})", 100);
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->data.has_value());
}

TEST(NodeJsonTest, WriteRequestRefusesWhatTheServerShouldNotSee) {
  EXPECT_FALSE(parse_write_request("not json", 100));
  EXPECT_FALSE(parse_write_request(R"({"data":"x"})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"a"})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","data":"12345"})", 4));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","mode":"ephemeral"})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","version":-2})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","version":"1"})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","data":"!!","encoding":"base64"})", 100));
  EXPECT_FALSE(parse_write_request(R"({"path":"/a","acl":"everyone"})", 100));
}

TEST(NodeJsonTest, ErrorsMapToHttpStatuses) {
  EXPECT_EQ(http_status_of(Err::kNoNode), 404);
  EXPECT_EQ(http_status_of(Err::kNoAuth), 403);
  EXPECT_EQ(http_status_of(Err::kBadVersion), 409);
  EXPECT_EQ(http_status_of(Err::kNodeExists), 409);
  EXPECT_EQ(http_status_of(Err::kConnectionLoss), 503);
  EXPECT_EQ(error_json(Err::kNoAuth, "/x")["error"], "NOAUTH");
  EXPECT_EQ(error_json(Err::kNoAuth, "/x")["code"], -102);
}

pipeline::ServerSnapshot snapshot_with(std::initializer_list<int64_t> reads,
                                       std::initializer_list<int64_t> writes) {
  pipeline::ServerSnapshot s;
  for (int64_t r : reads) s.read_latency_ms.record(r);
  for (int64_t w : writes) s.update_latency_ms.record(w);
  return s;
}

TEST(MetricSeriesTest, SamplesAreTheIntervalBetweenTwoSnapshots) {
  MetricSeries series(10);
  pipeline::ServerSnapshot s = snapshot_with({1, 1, 1, 1}, {});
  series.add(s, 1000);
  EXPECT_EQ(series.size(), 0u);  // the first snapshot is only the base
  for (int i = 0; i < 10; ++i) s.read_latency_ms.record(2);
  s.update_latency_ms.record(40);
  s.node_count = 7;
  s.outstanding_requests = 3;
  series.add(s, 3000);  // 2 s later
  auto samples = series.since(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_DOUBLE_EQ(samples[0].reads_per_s, 5.0);
  EXPECT_DOUBLE_EQ(samples[0].writes_per_s, 0.5);
  EXPECT_EQ(samples[0].latency_p50_ms, 2);  // not the 1 ms reads before the interval
  EXPECT_GE(samples[0].latency_p99_ms, 35);
  EXPECT_EQ(samples[0].znodes, 7u);
  EXPECT_EQ(samples[0].outstanding_requests, 3u);
}

TEST(MetricSeriesTest, RingKeepsTheNewestAndSinceSkipsSeen) {
  MetricSeries series(3);
  pipeline::ServerSnapshot s;
  for (int i = 0; i <= 5; ++i) series.add(s, 1000 * i);
  auto all = series.since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().seq, 3u);
  EXPECT_EQ(all.back().seq, 5u);
  EXPECT_EQ(series.since(4).size(), 1u);
  EXPECT_TRUE(series.since(5).empty());
}

TEST(MetricSeriesTest, AResetHistogramCountsAsTheWholeInterval) {
  MetricSeries series;
  series.add(snapshot_with({1, 1, 1}, {}), 0);
  series.add(snapshot_with({9}, {}), 1000);  // srst in between: fewer samples than before
  auto samples = series.since(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_DOUBLE_EQ(samples[0].reads_per_s, 1.0);
  EXPECT_EQ(samples[0].latency_p50_ms, 9);
}

TEST(EnsembleViewTest, ParsesSrvr) {
  auto f = parse_srvr(
      "Zookeeper version: 3.8.0-paddock\nLatency min/avg/max: 0/0.1/3\nReceived: 10\nSent: 9\n"
      "Connections: 2\nOutstanding: 1\nZxid: 0x20000000a\nMode: follower\nNode count: 12\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->mode, "follower");
  EXPECT_EQ(f->zxid, 0x20000000a);
  EXPECT_EQ(f->node_count, 12u);
  EXPECT_EQ(f->connections, 2u);
  EXPECT_EQ(f->outstanding, 1u);
  EXPECT_FALSE(parse_srvr("This ZooKeeper instance is not currently serving requests\n"));
}

TEST(EnsembleViewTest, LagCountsTxnsWithinAnEpoch) {
  EXPECT_EQ(lag_behind(0x200000010, 0x20000000a), 6);
  EXPECT_EQ(lag_behind(0x200000010, 0x200000010), 0);
  EXPECT_EQ(lag_behind(0x200000010, 0x200000011), 0);  // answered a moment later
  EXPECT_FALSE(lag_behind(0x300000001, 0x200000010));
}

TEST(EnsembleViewTest, MembersAreMeasuredAgainstTheLeader) {
  std::vector<MemberStatus> members = {
      {{1, "participant", "h1", 2181}, SrvrFigures{"follower", 0x100000005}, ""},
      {{2, "participant", "h2", 2181}, SrvrFigures{"leader", 0x100000009}, ""},
      {{3, "observer", "h3", 2181}, std::nullopt, "no answer from h3:2181"},
  };
  Json j = members_json(members);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["lag"], 4);
  EXPECT_EQ(j[0]["zxid"], "0x100000005");
  EXPECT_EQ(j[1]["lag"], 0);
  EXPECT_TRUE(j[2]["lag"].is_null());
  EXPECT_EQ(j[2]["error"], "no answer from h3:2181");
  members[1].figures.reset();  // no leader answers: no lag for anyone
  EXPECT_TRUE(members_json(members)[0]["lag"].is_null());
}

TEST(ConsoleOptionsTest, MemberClientPortIsNeverAGuessAtAnotherMembersPort) {
  config::ServerConfig cfg;
  cfg.my_id = 1;
  cfg.client_port = 2181;
  auto entry = [](int64_t id, std::string host, int client_port) {
    config::ServerEntry e;
    e.id = id;
    e.host = std::move(host);
    e.client_port = client_port;
    if (client_port != 0) e.client_address = "0.0.0.0";
    return e;
  };
  cfg.servers[1] = entry(1, "10.0.0.1", 0);
  cfg.servers[2] = entry(2, "10.0.0.2", 0);
  cfg.servers[3] = entry(3, "10.0.0.1", 0);     // same host as this server: port unknown
  cfg.servers[4] = entry(4, "10.0.0.1", 2184);  // its line says
  EXPECT_EQ(member_address(cfg.servers[1], cfg).client_port, 2181);
  EXPECT_EQ(member_address(cfg.servers[2], cfg).client_port, 2181);
  EXPECT_EQ(member_address(cfg.servers[2], cfg).host, "10.0.0.2");
  EXPECT_EQ(member_address(cfg.servers[3], cfg).client_port, 0);
  EXPECT_EQ(member_address(cfg.servers[4], cfg).client_port, 2184);
  EXPECT_EQ(member_address(cfg.servers[4], cfg).host, "10.0.0.1");
}

TEST(ServerViewsTest, SessionsListTheirWatchesOnceAndCutLongLists) {
  pipeline::ServerSnapshot s;
  pipeline::ConnectionSnapshot c;
  c.peer_ip = "127.0.0.1";
  c.peer_port = 5000;
  c.session_id = 0x42;
  s.connections = {c, c};
  s.sessions = {{0x42, 30000}, {0x43, 10000}};
  s.watches = {{0x42, 1, "/b"}, {0x42, 1, "/a"}, {0x42, 1, "/b"}, {0x43, 2, "/c"}};
  Json j = sessions_json(s, SessionListLimits{.max_connections = 1, .max_sessions = 5,
                                              .max_watches_per_session = 10});
  ASSERT_EQ(j["connections"].size(), 1u);
  EXPECT_EQ(j["connections"][0]["session_id"], "0x42");
  EXPECT_EQ(j["connections"][0]["address"], "127.0.0.1:5000");
  EXPECT_EQ(j["connections"][0]["watches"], Json::array({"/a", "/b"}));
  EXPECT_EQ(j["connections"][0]["watch_count"], 2);
  EXPECT_EQ(j["sessions"][1]["watch_count"], 1);
  EXPECT_EQ(j["connection_count"], 2);
  EXPECT_TRUE(j["truncated"].get<bool>());
}

TEST(ServerViewsTest, RoleShowsQuorumOnlyInAnEnsemble) {
  pipeline::ServerSnapshot s;
  s.mode = "standalone";
  s.last_zxid = 0x5;
  EXPECT_TRUE(role_json(s)["quorum"].is_null());
  EXPECT_EQ(role_json(s)["last_zxid"], "0x5");
  s.mode = "leader";
  s.quorum = pipeline::ServerSnapshot::Quorum{};
  s.quorum->leader_id = 2;
  EXPECT_EQ(role_json(s)["quorum"]["leader_id"], 2);
}

}  // namespace
}  // namespace paddock::console
