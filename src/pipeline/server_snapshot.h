#pragma once
// A copy of what the pipeline thread knows, taken on that thread and handed to the server
// for four-letter words (srvr, stat, cons, mntr, wchs, wchc, wchp, dump, conf, envi), the
// admin endpoint and metrics. Plain data; formatting belongs to server/.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace paddock::pipeline {

using ConnectionId = uint64_t;  // unique for the life of the process, never reused

struct LatencyStats {
  int64_t min_ms = 0;
  int64_t max_ms = 0;
  double avg_ms = 0;
  uint64_t count = 0;
};

struct ConnectionSnapshot {
  ConnectionId id = 0;
  std::string peer_ip;
  uint16_t peer_port = 0;
  int64_t session_id = 0;  // 0 before the handshake
  int32_t timeout_ms = 0;
  uint64_t queued = 0;     // requests received but not answered yet
  uint64_t received = 0;   // packets received
  uint64_t sent = 0;       // packets sent
  std::string last_op = "NA";  // ZooKeeper's short op names: GETD, SETD, CREA, PING, ...
  int32_t last_cxid = 0;
  int64_t last_zxid = 0;
  int64_t established_ms = 0;    // wall clock, ms since epoch
  int64_t last_response_ms = 0;  // wall clock, ms since epoch
  int64_t last_latency_ms = 0;
  LatencyStats latency;
};

struct ServerSnapshot {
  std::string version;          // e.g. "3.8.0-paddock-0.1.0, built on ..."
  std::string mode = "standalone";  // standalone, leader, follower, observer
  int64_t server_id = 0;
  int64_t last_zxid = 0;
  uint64_t node_count = 0;
  int64_t approximate_data_size = 0;
  LatencyStats latency;
  uint64_t packets_received = 0;
  uint64_t packets_sent = 0;
  uint64_t outstanding_requests = 0;
  uint64_t ephemerals_count = 0;
  uint64_t watch_count = 0;
  uint64_t watched_paths = 0;
  int64_t max_request_bytes = 0;   // jute.maxbuffer
  std::vector<ConnectionSnapshot> connections;
  std::vector<std::pair<int64_t, int32_t>> sessions;                // id, timeout
  std::map<int64_t, std::vector<std::string>> ephemerals_by_session;
  std::map<int64_t, std::vector<std::string>> watches_by_session;   // wchc
  std::map<std::string, std::vector<int64_t>> watches_by_path;      // wchp
  std::vector<std::pair<std::string, std::string>> config;          // conf, in order
  std::string data_dir;
  std::string data_log_dir;
  uint64_t fsync_threshold_exceeded = 0;
  uint64_t log_fsyncs = 0;
  bool read_only = false;
};

}  // namespace paddock::pipeline
