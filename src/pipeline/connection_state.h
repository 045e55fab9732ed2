#pragma once
// What the pipeline thread keeps per client connection: the session it carries, its auth
// ids, the requests it sent that are not answered yet (in order) and its statistics.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/sasl_authenticator.h"
#include "pipeline/server_snapshot.h"
#include "proto/types.h"

namespace paddock::pipeline {

// A request being answered: a PendingRequest, or a frame still in the inbound batch (a read
// answered at once is never copied out of it).
struct RequestView {
  int32_t xid = 0;
  proto::OpCode op = proto::OpCode::kError;
  std::string_view frame;   // the whole request frame (header + record)
  int64_t received_ms = 0;  // monotonic, for latency
};

// One request waiting for its reply. Writes wait for their txn to be applied; a read waits
// only while an earlier write of the same connection is in flight (per-session FIFO).
struct PendingRequest {
  int32_t xid = 0;
  proto::OpCode op = proto::OpCode::kError;
  bool is_write = false;    // waits for something ordered: a txn, or the leader's sync
  bool is_sync = false;     // a sync waiting for the leader (is_write too)
  std::string frame;        // the whole request frame (header + record)
  int64_t received_ms = 0;  // monotonic, for latency

  static PendingRequest copy_of(const RequestView& view) {
    PendingRequest request;
    request.xid = view.xid;
    request.op = view.op;
    request.frame = std::string(view.frame);
    request.received_ms = view.received_ms;
    return request;
  }
  RequestView view() const { return RequestView{xid, op, frame, received_ms}; }
};

enum class ConnectionPhase {
  kAwaitingConnect,  // no ConnectRequest yet
  kConnecting,       // createSession txn in flight; later frames are held
  kEstablished,
  kClosing,  // closeSession sent or connection being closed: frames are ignored
};

struct ConnectionState {
  ConnectionId id = 0;
  std::string peer_ip;
  uint16_t peer_port = 0;
  ConnectionPhase phase = ConnectionPhase::kAwaitingConnect;
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  bool client_sent_read_only = false;
  std::vector<proto::Id> auth;  // ip first, then ids proven by auth packets and SASL
  // The SASL exchange in progress (from the first op 102 until it completes or fails).
  // Shared with the SaslStepRunner while one of its steps runs there.
  std::shared_ptr<SaslExchange> sasl;
  bool sasl_finished = false;  // completed or failed: a later op 102 fails at once
  // The op 102 whose step runs on the SaslStepRunner; the connection's frames are held
  // until its result arrives.
  std::optional<PendingRequest> sasl_step;
  std::deque<PendingRequest> pending;
  // Frames that arrived while kConnecting or while a SASL step runs elsewhere.
  std::deque<std::string> held_frames;
  bool reading_paused = false;
  int64_t last_touch_ms = -1;  // the session was last touched at this (monotonic) ms

  // Statistics for cons/stat.
  uint64_t received = 0;
  uint64_t sent = 0;
  const char* last_op = "NA";  // proto::op_short_name: static strings
  int32_t last_cxid = 0;
  int64_t last_zxid = 0;
  int64_t established_ms = 0;
  int64_t last_response_ms = 0;
  int64_t last_latency_ms = 0;
  LatencyStats latency;
};

// Adds one latency sample to running min/avg/max statistics.
inline void record_latency(LatencyStats& stats, int64_t ms) {
  if (stats.count == 0 || ms < stats.min_ms) stats.min_ms = ms;
  if (ms > stats.max_ms) stats.max_ms = ms;
  stats.avg_ms += (static_cast<double>(ms) - stats.avg_ms) / static_cast<double>(++stats.count);
}

}  // namespace paddock::pipeline
