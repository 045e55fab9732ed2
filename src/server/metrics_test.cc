// The metrics list: ZooKeeper's names and types, and mntr, the admin monitor command and
// /metrics printing the same values (they are three formats of one list).
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "server/four_letter_words.h"
#include "server/metrics_server.h"
#include "server/prometheus_text.h"
#include "server/test_support.h"

namespace paddock::server {
namespace {

using pipeline::ServerSnapshot;

ServerSnapshot busy_snapshot() {
  ServerSnapshot s;
  s.version = "3.8.0-paddock-test, built on today";
  s.latency = {1, 40, 7.25, 12};
  s.packets_received = 30;
  s.packets_sent = 29;
  s.outstanding_requests = 2;
  s.connection_count = 3;
  s.node_count = 11;
  s.watch_count = 4;
  s.ephemerals_count = 2;
  s.approximate_data_size = 321;
  s.session_count = 3;
  for (int v : {1, 2, 2, 3, 40}) s.update_latency_ms.record(v);
  for (int v : {0, 0, 1, 5}) s.read_latency_ms.record(v);
  for (int v : {1, 3}) s.durability.fsync_ms.record(v);
  for (int v : {1, 1, 4}) s.durability.group_commit_records.record(v);
  s.durability.snapshot_ms.record(17);
  s.frames_per_batch.record(6);
  s.pipeline_turns = 8;
  s.network_loop_turns = 9;
  s.log_fsyncs = 2;
  return s;
}

HostFacts busy_facts() {
  HostFacts f;
  f.uptime_ms = 5000;
  f.open_file_descriptors = 40;
  f.max_file_descriptors = 1024;
  f.resident_bytes = 11 * 4096;
  return f;
}

const Metric* find(const std::vector<Metric>& m, std::string_view name) {
  for (const Metric& x : m) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

TEST(MetricsTest, SharedMetricsHaveZooKeepersNamesAndTypes) {
  std::vector<Metric> m = collect_metrics(busy_snapshot(), busy_facts());
  for (const char* gauge :
       {"avg_latency", "max_latency", "min_latency", "packets_received", "packets_sent",
        "num_alive_connections", "outstanding_requests", "znode_count", "watch_count",
        "ephemerals_count", "approximate_data_size", "open_file_descriptor_count",
        "max_file_descriptor_count", "uptime", "global_sessions", "local_sessions"}) {
    const Metric* x = find(m, gauge);
    ASSERT_NE(x, nullptr) << gauge;
    EXPECT_EQ(x->type, MetricType::kGauge) << gauge;
  }
  for (auto [name, detail] : {std::pair{"readlatency", SummaryDetail::kAdvanced},
                              {"updatelatency", SummaryDetail::kAdvanced},
                              {"fsynctime", SummaryDetail::kBasic},
                              {"snapshottime", SummaryDetail::kBasic},
                              {"sync_processor_batch_size", SummaryDetail::kBasic}}) {
    const Metric* x = find(m, name);
    ASSERT_NE(x, nullptr) << name;
    ASSERT_EQ(x->type, MetricType::kSummary) << name;
    EXPECT_EQ(std::get<SummaryValue>(x->value).detail, detail) << name;
  }
  EXPECT_EQ(find(m, "quorum_size"), nullptr);  // standalone
  for (const Metric& x : m) {
    if (x.type == MetricType::kInfo) continue;
    const bool zookeeper_name = !x.name.starts_with("paddock_");
    EXPECT_TRUE(zookeeper_name || x.type != MetricType::kCounter || x.name.ends_with("_total"))
        << x.name << ": Paddock's counters end in _total";
  }
}

TEST(MetricsTest, ConnectionAndSessionCountersHaveZooKeepersNames) {
  ServerSnapshot s = busy_snapshot();
  s.connection_requests = 11;
  s.sessions_expired = 2;
  s.connection_drops = 5;
  s.connections_rejected = 1;
  std::vector<Metric> m = collect_metrics(s, busy_facts());
  for (auto [name, value] : {std::pair{"connection_request_count", 11},
                             std::pair{"stale_sessions_expired", 2},
                             std::pair{"connection_drop_count", 5},
                             std::pair{"connection_rejected", 1}}) {
    const Metric* x = find(m, name);
    ASSERT_NE(x, nullptr) << name;
    EXPECT_EQ(x->type, MetricType::kCounter) << name;
    EXPECT_EQ(std::get<int64_t>(x->value), value) << name;
  }
}

TEST(MetricsTest, LeaderAddsZooKeepersQuorumGauges) {
  ServerSnapshot s = busy_snapshot();
  s.mode = "leader";
  s.quorum = ServerSnapshot::Quorum{};
  s.quorum->learners = 2;
  s.quorum->synced_followers = 2;
  s.quorum->quorum_size = 3;
  std::vector<Metric> m = collect_metrics(s, busy_facts());
  for (const char* gauge : {"learners", "synced_followers", "synced_non_voting_followers",
                            "synced_observers", "pending_syncs", "last_proposal_size",
                            "max_proposal_size", "min_proposal_size", "quorum_size"}) {
    ASSERT_NE(find(m, gauge), nullptr) << gauge;
  }
  EXPECT_EQ(std::get<int64_t>(find(m, "quorum_size")->value), 3);
}

TEST(MetricsTest, ReplicationMetricsHaveZooKeepersNamesAndTypes) {
  ServerSnapshot s = busy_snapshot();
  s.mode = "leader";
  s.quorum = ServerSnapshot::Quorum{};
  s.quorum->proposal_count = 7;
  s.quorum->commit_count = 6;
  s.quorum->looking_count = 2;
  s.quorum->leader_uptime_ms = 1234;
  s.quorum->election_time_ms.record(215);
  s.quorum->quorum_ack_latency_ms.record(1);
  std::vector<Metric> m = collect_metrics(s, busy_facts());
  for (const char* counter :
       {"looking_count", "diff_count", "snap_count", "commit_count", "proposal_count",
        "learner_proposal_received_count", "learner_commit_received_count"}) {
    const Metric* x = find(m, counter);
    ASSERT_NE(x, nullptr) << counter;
    EXPECT_EQ(x->type, MetricType::kCounter) << counter;
  }
  for (auto [name, detail] : {std::pair{"election_time", SummaryDetail::kBasic},
                              {"quorum_ack_latency", SummaryDetail::kAdvanced},
                              {"follower_sync_time", SummaryDetail::kBasic},
                              {"observer_sync_time", SummaryDetail::kBasic}}) {
    const Metric* x = find(m, name);
    ASSERT_NE(x, nullptr) << name;
    ASSERT_EQ(x->type, MetricType::kSummary) << name;
    EXPECT_EQ(std::get<SummaryValue>(x->value).detail, detail) << name;
  }
  EXPECT_EQ(std::get<int64_t>(find(m, "proposal_count")->value), 7);
  EXPECT_EQ(std::get<int64_t>(find(m, "commit_count")->value), 6);
  EXPECT_EQ(std::get<int64_t>(find(m, "leader_uptime")->value), 1234);
  EXPECT_EQ(std::get<SummaryValue>(find(m, "election_time")->value).histogram.max(), 215);

  // ZooKeeper exports its replication figures standalone too (as zeros); leader_uptime is
  // the leader's alone.
  std::vector<Metric> standalone = collect_metrics(busy_snapshot(), busy_facts());
  ASSERT_NE(find(standalone, "proposal_count"), nullptr);
  EXPECT_EQ(std::get<int64_t>(find(standalone, "proposal_count")->value), 0);
  EXPECT_EQ(find(standalone, "leader_uptime"), nullptr);
}

// "name{labels} value" lines of a Prometheus text body, keyed by name and labels.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::map<std::string, std::string> mntr_values(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t tab = line.find('\t');
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

TEST(MetricsTest, MntrAndPrometheusReportTheSameValues) {
  ServerSnapshot s = busy_snapshot();
  HostFacts f = busy_facts();
  std::map<std::string, double> prom = samples(to_prometheus_text(collect_metrics(s, f)));
  std::map<std::string, std::string> mntr = mntr_values(format_mntr(s, f));
  size_t checked = 0;
  for (const Metric& m : collect_metrics(s, f)) {
    if (m.type == MetricType::kInfo) {
      EXPECT_TRUE(mntr.count("zk_" + m.name)) << m.name;
      continue;
    }
    if (m.type != MetricType::kSummary) {
      ASSERT_TRUE(mntr.count("zk_" + m.name)) << m.name;
      ASSERT_TRUE(prom.count(m.name)) << m.name;
      EXPECT_DOUBLE_EQ(std::stod(mntr["zk_" + m.name]), prom[m.name]) << m.name;
      ++checked;
      continue;
    }
    EXPECT_EQ(std::stod(mntr["zk_cnt_" + m.name]), prom[m.name + "_count"]) << m.name;
    EXPECT_EQ(std::stod(mntr["zk_sum_" + m.name]), prom[m.name + "_sum"]) << m.name;
    const SummaryValue& summary = std::get<SummaryValue>(m.value);
    if (summary.detail == SummaryDetail::kAdvanced) {
      // An empty summary: mntr prints 0 as ZooKeeper's default provider does, Prometheus
      // NaN as its client library does.
      const bool empty = summary.histogram.count() == 0;
      for (auto [mntr_key, quantile] : {std::pair{"zk_p50_", "0.5"}, {"zk_p99_", "0.99"}}) {
        const double scraped = prom[m.name + "{quantile=\"" + quantile + "\"}"];
        EXPECT_EQ(std::stod(mntr[mntr_key + m.name]), empty ? 0 : scraped) << m.name;
        EXPECT_EQ(std::isnan(scraped), empty) << m.name;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 25u);
  EXPECT_EQ(prom["updatelatency_count"], 5);
  EXPECT_EQ(prom["updatelatency_sum"], 48);
  EXPECT_EQ(prom["updatelatency{quantile=\"0.5\"}"], 2);
  EXPECT_EQ(mntr["zk_max_updatelatency"], "40");
  EXPECT_EQ(mntr["zk_avg_readlatency"], "1.5");
  EXPECT_EQ(prom["paddock_resident_bytes_per_znode"], 4096);
}

// /metrics over HTTP: the body is the same text, served with Prometheus' content type.
TEST(MetricsServerTest, ServesTheSnapshotAsPrometheusText) {
  testing::FakeSink sink;
  sink.snapshot = std::make_shared<ServerSnapshot>(busy_snapshot());
  MetricsServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  MetricsServer server(options, sink);
  ASSERT_TRUE(server.start());
  ASSERT_NE(server.bound_port(), 0);
  testing::TestClient client(server.bound_port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::optional<std::string> answer = client.read_until_closed();
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->starts_with("HTTP/1.1 200 OK\r\n")) << *answer;
  EXPECT_NE(answer->find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(answer->find("\nznode_count 11\n"), std::string::npos);
  EXPECT_NE(answer->find("\nreadlatency_count 4\n"), std::string::npos);
  EXPECT_EQ(sink.snapshot_requests(), 1);
  server.stop();
}

TEST(MetricsServerTest, OtherPathsAreNotFound) {
  testing::FakeSink sink;
  sink.snapshot = std::make_shared<ServerSnapshot>(busy_snapshot());
  MetricsServer server(MetricsServerOptions{"127.0.0.1", 0}, sink);
  ASSERT_TRUE(server.start());
  testing::TestClient client(server.bound_port());
  ASSERT_TRUE(client.write("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::optional<std::string> answer = client.read_until_closed();
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->starts_with("HTTP/1.1 404")) << *answer;
  EXPECT_EQ(sink.snapshot_requests(), 0);
}

TEST(MetricsServerTest, APortInUseFailsWithTheAddress) {
  testing::FakeSink sink;
  MetricsServer first(MetricsServerOptions{"127.0.0.1", 0}, sink);
  ASSERT_TRUE(first.start());
  MetricsServer second(MetricsServerOptions{"127.0.0.1", first.bound_port()}, sink);
  Status s = second.start();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(first.bound_port())),
            std::string::npos);
}

}  // namespace
}  // namespace paddock::server
