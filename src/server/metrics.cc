#include "server/metrics.h"

#include <type_traits>

#include "server/four_letter_words.h"

namespace paddock::server {
namespace {

using pipeline::ServerSnapshot;

// Builds the list in order; one call per metric keeps collect_metrics readable as a table.
class MetricList {
 public:
  void info(std::string name, std::string help, std::string value) {
    add(std::move(name), MetricType::kInfo, std::move(help), std::move(value));
  }
  void gauge(std::string name, std::string help, int64_t value) {
    add(std::move(name), MetricType::kGauge, std::move(help), value);
  }
  void gauge(std::string name, std::string help, uint64_t value) {
    gauge(std::move(name), std::move(help), static_cast<int64_t>(value));
  }
  void gauge_double(std::string name, std::string help, double value) {
    add(std::move(name), MetricType::kGauge, std::move(help), value);
  }
  void counter(std::string name, std::string help, uint64_t value) {
    add(std::move(name), MetricType::kCounter, std::move(help), static_cast<int64_t>(value));
  }
  void summary(std::string name, std::string help, const ValueHistogram& h, SummaryDetail d) {
    add(std::move(name), MetricType::kSummary, std::move(help), SummaryValue{h, d});
  }
  std::vector<Metric> take() { return std::move(metrics_); }

 private:
  template <typename V>
  void add(std::string name, MetricType type, std::string help, V value) {
    metrics_.push_back(Metric{std::move(name), type, std::move(help), std::move(value)});
  }
  std::vector<Metric> metrics_;
};

// ZooKeeper's ServerStats and data-tree gauges (ZooKeeperServer.registerMetrics).
void add_server_gauges(MetricList& m, const ServerSnapshot& s, const HostFacts& facts) {
  m.gauge_double("avg_latency", "Average request latency, ms", zk_rounded_average(s.latency.avg_ms));
  m.gauge("max_latency", "Largest request latency, ms", s.latency.max_ms);
  m.gauge("min_latency", "Smallest request latency, ms", s.latency.min_ms);
  m.gauge("packets_received", "Client packets received", s.packets_received);
  m.gauge("packets_sent", "Client packets sent", s.packets_sent);
  m.gauge("num_alive_connections", "Open client connections", s.connection_count);
  m.gauge("outstanding_requests", "Requests received and not answered yet", s.outstanding_requests);
  m.gauge("znode_count", "Znodes, the root counted twice as ZooKeeper does", s.node_count);
  m.gauge("watch_count", "Watches set (path, connection) in every watch table", s.watch_count);
  m.gauge("ephemerals_count", "Ephemeral znodes", s.ephemerals_count);
  m.gauge("approximate_data_size", "Bytes of znode data and paths", s.approximate_data_size);
  m.counter("connection_request_count", "ConnectRequests handled", s.connection_requests);
  m.counter("stale_sessions_expired", "Sessions this server expired", s.sessions_expired);
  m.counter("connection_drop_count", "Connections the client ended", s.connection_drops);
  m.counter("connection_rejected", "Connections refused at accept (maxClientCnxns)",
            s.connections_rejected);
  // ZooKeeper exports the descriptor counts only where the platform reports them.
  if (facts.open_file_descriptors >= 0) {
    m.gauge("open_file_descriptor_count", "Open file descriptors", facts.open_file_descriptors);
  }
  if (facts.max_file_descriptors >= 0) {
    m.gauge("max_file_descriptor_count", "File descriptor limit", facts.max_file_descriptors);
  }
}

// A quorum member's figures (QuorumZooKeeperServer, LeaderZooKeeperServer): the peer's
// state and quorum size; a leader's learner counts and proposal sizes.
void add_quorum_gauges(MetricList& m, const ServerSnapshot& s) {
  if (!s.quorum) return;
  const ServerSnapshot::Quorum& q = *s.quorum;
  m.info("peer_state", "The peer's state and phase", q.peer_state);
  if (s.mode == "leader") {
    // "followers" is ZooKeeper 3.4's name for the learner count, still read by monitors.
    m.gauge("followers", "Learner connections (ZooKeeper 3.4's name)", q.learners);
    m.gauge("learners", "Learner connections", q.learners);
    m.gauge("synced_followers", "Followers synced with this leader", q.synced_followers);
    m.gauge("synced_non_voting_followers", "Non-voting followers synced", int64_t{0});
    m.gauge("synced_observers", "Observers synced with this leader", q.synced_observers);
    m.gauge("pending_syncs", "Learners being synced", q.pending_syncs);
    m.gauge("last_proposal_size", "Bytes of the last proposal (-1: none yet)", q.last_proposal_size);
    m.gauge("max_proposal_size", "Bytes of the largest proposal (-1: none yet)", q.max_proposal_size);
    m.gauge("min_proposal_size", "Bytes of the smallest proposal (-1: none yet)", q.min_proposal_size);
  }
  m.gauge("quorum_size", "Voting members", q.quorum_size);
  if (s.mode == "leader" && q.leader_uptime_ms >= 0) {
    m.gauge("leader_uptime", "Milliseconds since this server became the serving leader",
            q.leader_uptime_ms);
  }
}

// ZooKeeper's ServerMetrics of replication. ZooKeeper exports them on every server (zero
// where they never happen, as standalone), so dashboards find every series everywhere.
void add_replication_metrics(MetricList& m, const ServerSnapshot& s) {
  const ServerSnapshot::Quorum q = s.quorum.value_or(ServerSnapshot::Quorum{});
  m.summary("election_time", "Leader election time, ms (LOOKING to the decision)",
            q.election_time_ms, SummaryDetail::kBasic);
  m.counter("looking_count", "Times this server entered LOOKING", q.looking_count);
  m.counter("diff_count", "Learner syncs by DIFF this leader started", q.diff_count);
  m.counter("snap_count", "Learner syncs by SNAP this leader started", q.snap_count);
  m.counter("commit_count", "Txns this leader committed", q.commit_count);
  m.counter("proposal_count", "Txns this leader proposed", q.proposal_count);
  m.summary("quorum_ack_latency", "Leader: ms from a proposal to its quorum of ACKs",
            q.quorum_ack_latency_ms, SummaryDetail::kAdvanced);
  m.summary("follower_sync_time", "Follower: ms from following to UPTODATE",
            q.follower_sync_time_ms, SummaryDetail::kBasic);
  m.summary("observer_sync_time", "Observer: ms from observing to UPTODATE",
            q.observer_sync_time_ms, SummaryDetail::kBasic);
  m.counter("learner_proposal_received_count", "Learner: PROPOSAL packets received",
            q.learner_proposal_received_count);
  m.counter("learner_commit_received_count", "Learner: COMMIT packets received",
            q.learner_commit_received_count);
}

// ZooKeeper's ServerMetrics summaries that Paddock measures too.
void add_zookeeper_summaries(MetricList& m, const ServerSnapshot& s) {
  m.summary("readlatency", "Read request latency, ms", s.read_latency_ms, SummaryDetail::kAdvanced);
  m.summary("updatelatency", "Write request latency, ms", s.update_latency_ms,
            SummaryDetail::kAdvanced);
  m.summary("fsynctime", "Txn log fdatasync time, ms", s.durability.fsync_ms, SummaryDetail::kBasic);
  m.summary("snapshottime", "Snapshot write time, ms", s.durability.snapshot_ms,
            SummaryDetail::kBasic);
  m.summary("sync_processor_batch_size", "Txns written and synced together (group commit)",
            s.durability.group_commit_records, SummaryDetail::kBasic);
}

// Paddock's own: how well its batching works and what memory a znode costs.
void add_paddock_metrics(MetricList& m, const ServerSnapshot& s, const HostFacts& facts) {
  // ZooKeeper's BASIC sync_processor_batch_size exports the median only; the tail of the
  // group-commit size is what says whether fsyncs keep up.
  m.summary("paddock_group_commit_records", "Txns per log batch (one write, one fdatasync)",
            s.durability.group_commit_records, SummaryDetail::kAdvanced);
  m.summary("paddock_pipeline_batch_frames", "Client frames per network batch the pipeline took",
            s.frames_per_batch, SummaryDetail::kAdvanced);
  m.summary("paddock_pipeline_turn_frames", "Reply and watch-event frames sent per pipeline turn",
            s.frames_per_turn, SummaryDetail::kAdvanced);
  m.counter("paddock_pipeline_turns_total", "Pipeline turns that sent frames", s.pipeline_turns);
  m.counter("paddock_network_loop_turns_total", "Network loop turns that handed frames over",
            s.network_loop_turns);
  m.counter("paddock_log_fsyncs_total", "Txn log fdatasync calls", s.log_fsyncs);
  m.counter("paddock_log_written_bytes_total", "Bytes written to txn log segments",
            s.durability.log_bytes);
  m.counter("paddock_snapshots_written_total", "Snapshots written", s.durability.snapshots_written);
  if (facts.resident_bytes >= 0) {
    m.gauge("paddock_resident_memory_bytes", "Resident set of the process", facts.resident_bytes);
    const int64_t znodes = static_cast<int64_t>(s.node_count > 0 ? s.node_count : 1);
    m.gauge("paddock_resident_bytes_per_znode", "Resident set divided by znode_count",
            facts.resident_bytes / znodes);
  }
}

}  // namespace

std::vector<Metric> collect_metrics(const ServerSnapshot& s, const HostFacts& facts) {
  MetricList m;
  m.info("version", "Server version", s.version);
  m.info("server_state", "standalone, leader, follower or observer", s.mode);
  add_server_gauges(m, s, facts);
  add_quorum_gauges(m, s);
  m.gauge("uptime", "Milliseconds since the client port opened", facts.uptime_ms);
  m.gauge("global_sessions", "Sessions", s.session_count);
  m.gauge("local_sessions", "Local sessions (Paddock has none)", int64_t{0});
  add_zookeeper_summaries(m, s);
  add_replication_metrics(m, s);
  add_paddock_metrics(m, s, facts);
  return m.take();
}

std::vector<double> prometheus_quantiles(SummaryDetail detail) {
  if (detail == SummaryDetail::kAdvanced) return {0.5, 0.9, 0.99};
  return {0.5};
}

std::vector<std::pair<std::string, MetricValue>> flatten_for_mntr(const std::vector<Metric>& m) {
  std::vector<std::pair<std::string, MetricValue>> out;
  for (const Metric& metric : m) {
    const auto* summary = std::get_if<SummaryValue>(&metric.value);
    if (summary == nullptr) {
      std::visit(
          [&](const auto& v) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, SummaryValue>) {
              out.emplace_back(metric.name, v);
            }
          },
          metric.value);
      continue;
    }
    const ValueHistogram& h = summary->histogram;
    out.emplace_back("avg_" + metric.name, zk_rounded_average(h.mean()));
    out.emplace_back("min_" + metric.name, h.min());
    out.emplace_back("max_" + metric.name, h.max());
    out.emplace_back("cnt_" + metric.name, static_cast<int64_t>(h.count()));
    out.emplace_back("sum_" + metric.name, h.sum());
    if (summary->detail == SummaryDetail::kAdvanced) {
      out.emplace_back("p50_" + metric.name, h.quantile(0.5));
      out.emplace_back("p95_" + metric.name, h.quantile(0.95));
      out.emplace_back("p99_" + metric.name, h.quantile(0.99));
      out.emplace_back("p999_" + metric.name, h.quantile(0.999));
    }
  }
  return out;
}

}  // namespace paddock::server
