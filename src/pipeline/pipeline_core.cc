#include "pipeline/pipeline_core.h"

#include <spdlog/spdlog.h>

#include "pipeline/frames.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "state/op_table.h"
#include "util/assert.h"

namespace paddock::pipeline {

namespace {

// How often tick() is due: session expiry and connection time-outs are this precise.
constexpr int64_t kTickIntervalMs = 100;
// Requests one connection may have unanswered before its reading pauses.
constexpr size_t kMaxPendingPerConnection = 1000;
// The largest buffer an outbound batch keeps for reuse (one that carried big frames gives
// its buffer back to the allocator).
constexpr size_t kMaxKeptOutboundBatchBytes = 1 << 20;

// Ops answered on the pipeline thread without a txn, in the connection's order.
bool is_read_op(proto::OpCode op) { return state::op_info(op).kind == state::OpKind::kRead; }

}  // namespace

PipelineCore::PipelineCore(PipelineOptions options, state::Database& db, Orderer& orderer,
                           SessionAuthority& sessions, ClientChannel& channel)
    : options_(std::move(options)),
      db_(db),
      orderer_(orderer),
      channel_(channel),
      sessions_(sessions),
      serving_(options_.serving_at_start) {
  // ZooKeeper delivers a watch event only to a connection that may READ the node then.
  db_.set_watcher_auth([this](state::WatcherId watcher) -> const std::vector<proto::Id>* {
    auto it = connections_.find(watcher);
    return it == connections_.end() ? nullptr : &it->second.auth;
  });
}

PipelineCore::~PipelineCore() {
  db_.set_watcher_auth(nullptr);
  // A batch the channel still holds (its loop stopped before writing it, and the channel
  // outlives us) is left to it: freeing it would let its late release() write freed memory.
  for (auto& batch : outbound_pool_) {
    if (batch->in_use()) static_cast<void>(batch.release());
  }
}

void PipelineCore::start(Now now) {
  set_now(now);
  if (serving_) register_tree_sessions();
  next_session_id_ = state::SessionTracker::initial_session_id(options_.server_id, wall_now_ms_);
  next_container_check_ms_ = now_ms_ + options_.container_check_interval_ms;
  next_tick_ms_ = now_ms_ + kTickIntervalMs;
}

// The session authority learns every session of the tree, its timeout starting now: at
// start (recovered sessions) and whenever serving starts (the tree may have been reloaded).
void PipelineCore::register_tree_sessions() {
  for (const auto& [session_id, timeout_ms] : db_.tree().sessions()) {
    sessions_.session_added(session_id, timeout_ms, now_ms_);
  }
}

void PipelineCore::set_now(Now now) {
  now_ms_ = now.monotonic_ms;
  wall_now_ms_ = now.wall_ms;
}

void PipelineCore::handle(Event& event, Now now) {
  set_now(now);
  std::visit(
      [this](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Opened>) {
          on_opened(e);
        } else if constexpr (std::is_same_v<E, Frames>) {
          on_frames(e.batch);
          e.batch.clear();
        } else if constexpr (std::is_same_v<E, Closed>) {
          forget_connection(e.conn);
        } else if constexpr (std::is_same_v<E, SnapshotAsked>) {
          e.done(take_snapshot(e.what));
        } else if constexpr (std::is_same_v<E, ResetAsked>) {
          on_reset(e);
        } else if constexpr (std::is_same_v<E, CommitsReady>) {
          apply_committed();
        } else if constexpr (std::is_same_v<E, Task>) {
          e.run();
        } else if constexpr (std::is_same_v<E, LogState>) {
          on_log_state(e);
        } else if constexpr (std::is_same_v<E, LearnerWrite>) {
          prep_learner_write(e.write);
        } else if constexpr (std::is_same_v<E, SaslStepDone>) {
          on_sasl_step_done(e);
        }
      },
      event);
}

void PipelineCore::on_opened(Opened& opened) {
  ConnectionState conn;
  conn.id = opened.conn;
  conn.peer_ip = std::move(opened.ip);
  conn.peer_port = opened.port;
  conn.auth.push_back(proto::Id{"ip", conn.peer_ip});
  if (!opened.x509_subject.empty()) {  // as X509AuthenticationProvider.handleAuthentication
    if (opened.x509_subject == options_.x509_super_user) {
      conn.auth.push_back(proto::Id{"super", opened.x509_subject});
    }
    conn.auth.push_back(proto::Id{"x509", std::move(opened.x509_subject)});
  }
  conn.established_ms = wall_now_ms_;
  connections_.emplace(opened.conn, std::move(conn));
  awaiting_handshake_.emplace_back(now_ms_, opened.conn);
}

void PipelineCore::on_reset(const ResetAsked& reset) {
  if (reset.connections) {
    for (auto& [id, conn] : connections_) {
      conn.latency = {};
      conn.received = conn.sent = 0;
    }
  } else {
    latency_ = {};
    packets_received_ = packets_sent_ = 0;
    read_latency_ms_.reset();
    update_latency_ms_.reset();
  }
}

void PipelineCore::tick(Now now) {
  set_now(now);
  next_tick_ms_ = now_ms_ + kTickIntervalMs;
  close_sessionless_connections(now_ms_);
  if (writes_refused_) return;  // expiry and clean-up need txns the log cannot take now
  expire_sessions(now_ms_);
  if (now_ms_ >= next_container_check_ms_) {
    next_container_check_ms_ = now_ms_ + options_.container_check_interval_ms;
    clean_containers(wall_now_ms_);
  }
}

// --- requests ----------------------------------------------------------------------------

void PipelineCore::on_frames(FrameBatch& batch) {
  frames_per_batch_.record(static_cast<int64_t>(batch.records.size()));
  ConnectionState* conn = nullptr;
  ConnectionId id = 0;
  for (const FrameBatch::Record& frame : batch.records) {
    if (conn == nullptr || frame.conn != id) {  // a connection's frames come in runs
      id = frame.conn;
      auto it = connections_.find(id);
      conn = it == connections_.end() ? nullptr : &it->second;
    }
    if (conn != nullptr) on_frame(*conn, batch.frame(frame));
  }
}

void PipelineCore::on_frame(ConnectionState& conn, std::string_view frame) {
  ++conn.received;
  ++packets_received_;
  switch (conn.phase) {
    case ConnectionPhase::kAwaitingConnect:
      on_connect_request(conn, frame);
      break;
    case ConnectionPhase::kConnecting:
      conn.held_frames.emplace_back(frame);
      break;
    case ConnectionPhase::kEstablished:
      if (conn.sasl_step) {
        conn.held_frames.emplace_back(frame);
      } else {
        on_request(conn, frame);
      }
      break;
    case ConnectionPhase::kClosing:
      break;
  }
}

void PipelineCore::on_request(ConnectionState& conn, std::string_view frame) {
  proto::RequestHeader header;
  proto::JuteReader reader(frame);
  proto::read(reader, header);
  if (!reader.ok()) {
    bad_input_log_.warn(now_ms_, conn.peer_ip, "event=bad_request_header conn={} peer={} bytes={}",
                        conn.id, conn.peer_ip, frame.size());
    close_connection(conn);
    return;
  }
  if (conn.last_touch_ms != now_ms_) {  // touching again in the same ms changes nothing
    sessions_.touch(conn.session_id, now_ms_);
    conn.last_touch_ms = now_ms_;
  }
  RequestView request;
  request.xid = header.xid;
  request.op = static_cast<proto::OpCode>(header.type);
  request.frame = frame;
  request.received_ms = now_ms_;
  conn.last_op = state::op_short_name(request.op);
  conn.last_cxid = header.xid;

  if (request.op == proto::OpCode::kCreateSession ||
      request.op == proto::OpCode::kDeleteContainer) {
    // Only the server makes these txns; ZooKeeper drops a client that sends them.
    bad_input_log_.warn(now_ms_, conn.peer_ip, "event=server_only_op conn={} peer={} op={}",
                        conn.id, conn.peer_ip, header.type);
    close_connection(conn);
    return;
  }
  if (!passes_enforced_auth(conn, request)) return;
  if (request.op == proto::OpCode::kSync && !orderer_.syncs_immediately()) {
    submit_sync(conn, PendingRequest::copy_of(request));
  } else if (request.op == proto::OpCode::kCloseSession || state::Database::is_write(request.op)) {
    if (writes_refused_) {
      refuse_write(conn, request);
      return;
    }
    submit_write(conn, PendingRequest::copy_of(request));
    if (conn.phase == ConnectionPhase::kEstablished &&
        static_cast<proto::OpCode>(header.type) == proto::OpCode::kCloseSession) {
      conn.phase = ConnectionPhase::kClosing;
    }
  } else if (conn.pending.empty()) {
    answer_read(conn, request);
  } else {
    conn.pending.push_back(PendingRequest::copy_of(request));
    ++outstanding_;
  }
  update_back_pressure(conn);
}

void PipelineCore::submit_write(ConnectionState& conn, PendingRequest request) {
  if (!orderer_.prepares_writes()) {
    forward_write(conn, std::move(request));
    return;
  }
  const int64_t zxid = orderer_.allocate_zxid();
  const int64_t now = wall_now_ms_;
  proto::Txn txn = request.op == proto::OpCode::kCloseSession
                       ? db_.prep_close_session(conn.session_id, zxid, now)
                       : db_.prep(make_request(conn, request.view()), zxid, now);
  txn.header.cxid = request.xid;
  request.is_write = true;
  conn.pending.push_back(std::move(request));
  ++outstanding_;
  orderer_.propose(std::move(txn));
}

// A learner relays the write to the leader; the txn that comes back committed with this
// session and cxid answers it (origin_of), in the connection's order.
void PipelineCore::forward_write(ConnectionState& conn, PendingRequest request) {
  ForwardedWrite write;
  write.session_id = conn.session_id;
  write.cxid = request.xid;
  write.type = static_cast<int32_t>(request.op);
  write.body = request.frame.substr(8);
  write.auth = conn.auth;
  request.is_write = true;
  conn.pending.push_back(std::move(request));
  ++outstanding_;
  orderer_.forward(std::move(write));
}

// The leader's side of forward_write: the same prep as for a client of ours, with the ids
// the learner sent; watches cannot be set through a write, so no watcher is needed.
void PipelineCore::prep_learner_write(const ForwardedWrite& write) {
  // The learner's client times out and retries elsewhere; a write that arrives after this
  // server stopped leading is not prepped against a tree that no longer takes proposals.
  if (writes_refused_ || !orderer_.prepares_writes()) return;
  const auto op = static_cast<proto::OpCode>(write.type);
  const int64_t zxid = orderer_.allocate_zxid();
  proto::Txn txn;
  if (op == proto::OpCode::kCreateSession) {
    proto::JuteReader r(write.body);
    const int32_t timeout = r.i32();
    txn = db_.prep_create_session(
        write.session_id, r.ok() ? timeout : options_.max_session_timeout_ms, zxid, wall_now_ms_);
  } else if (op == proto::OpCode::kCloseSession) {
    txn = db_.prep_close_session(write.session_id, zxid, wall_now_ms_);
  } else {
    state::Request request;
    request.session_id = write.session_id;
    request.xid = write.cxid;
    request.op = op;
    request.body = write.body;
    request.auth = &write.auth;
    txn = db_.prep(request, zxid, wall_now_ms_);
  }
  txn.header.cxid = write.cxid;
  orderer_.propose(std::move(txn));
}

// A learner's sync: the leader answers it once every proposal made before it has committed;
// reads the connection sends after it wait behind it, so they see at least that state.
void PipelineCore::submit_sync(ConnectionState& conn, PendingRequest request) {
  proto::SyncRequest sync;
  if (!proto::decode(request.frame.substr(8), sync)) {
    reply(conn, request.view(), db_.tree().last_zxid(), proto::Err::kMarshallingError, {});
    return;
  }
  ForwardedWrite forwarded;
  forwarded.session_id = conn.session_id;
  forwarded.cxid = request.xid;
  forwarded.type = static_cast<int32_t>(proto::OpCode::kSync);
  forwarded.body = request.frame.substr(8);
  forwarded.auth = conn.auth;
  request.is_write = true;
  request.is_sync = true;
  conn.pending.push_back(std::move(request));
  ++outstanding_;
  syncs_in_flight_.push_back(conn.id);
  orderer_.request_sync(std::move(forwarded));
}

void PipelineCore::answer_completed_syncs() {
  for (size_t n = orderer_.take_completed_syncs(); n > 0 && !syncs_in_flight_.empty(); --n) {
    const ConnectionId id = syncs_in_flight_.front();
    syncs_in_flight_.pop_front();
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ConnectionState& conn = it->second;
    auto sync = std::find_if(conn.pending.begin(), conn.pending.end(),
                             [](const PendingRequest& r) { return r.is_sync; });
    if (sync == conn.pending.end()) continue;
    // The txns committed before the leader's answer were applied first, so the first sync
    // pending is at the head of the connection's queue.
    PADDOCK_ASSERT(sync == conn.pending.begin());
    PendingRequest request = std::move(*sync);
    conn.pending.pop_front();
    --outstanding_;
    answer_special(conn, request.view());
    drain_ready_reads(conn);
  }
}

void PipelineCore::answer_read(ConnectionState& conn, const RequestView& request) {
  const int64_t last_zxid = db_.tree().last_zxid();
  switch (request.op) {
    case proto::OpCode::kPing:
    case proto::OpCode::kAuth:
    case proto::OpCode::kSasl:
    case proto::OpCode::kSync:
      answer_special(conn, request);
      return;
    default:
      break;
  }
  if (!is_read_op(request.op)) {
    reply(conn, request, -1, proto::Err::kUnimplemented, {});
    return;
  }
  state::Outcome outcome = db_.read(make_request(conn, request));
  deliver_events(outcome.events);
  reply(conn, request, last_zxid, outcome.reply.err, outcome.reply.body);
}

void PipelineCore::answer_special(ConnectionState& conn, const RequestView& request) {
  const int64_t last_zxid = db_.tree().last_zxid();
  std::string_view body = request.frame.substr(8);
  if (request.op == proto::OpCode::kPing) {
    reply(conn, request, last_zxid, proto::Err::kOk, {});
  } else if (request.op == proto::OpCode::kSync) {
    proto::SyncRequest sync;
    if (!proto::decode(body, sync)) {
      reply(conn, request, last_zxid, proto::Err::kMarshallingError, {});
      return;
    }
    reply(conn, request, last_zxid, proto::Err::kOk, proto::encode(proto::SyncResponse{sync.path}));
  } else if (request.op == proto::OpCode::kSasl) {
    answer_sasl(conn, request);
  } else {
    answer_auth_packet(conn, request);
  }
}

void PipelineCore::drain_ready_reads(ConnectionState& conn) {
  while (!conn.pending.empty() && !conn.pending.front().is_write &&
         conn.phase != ConnectionPhase::kClosing) {
    PendingRequest request = std::move(conn.pending.front());
    conn.pending.pop_front();
    --outstanding_;
    answer_read(conn, request.view());
  }
}

void PipelineCore::apply_committed() {
  for (proto::Txn& txn : orderer_.take_committed()) apply_one(txn);
  answer_completed_syncs();
  resume_paused_connections();
}

void PipelineCore::apply_one(proto::Txn& txn) {
  const int64_t zxid = txn.header.zxid;
  ConnectionState* origin = origin_of(txn);
  const auto type = static_cast<proto::OpCode>(txn.header.type);
  const bool answers_request = origin != nullptr && origin->phase != ConnectionPhase::kConnecting;
  if (!answers_request) {
    state::Outcome outcome = db_.apply(txn, nullptr);
    deliver_events(outcome.events);
    if (type == proto::OpCode::kCreateSession) on_session_created(txn, origin);
    if (type == proto::OpCode::kCloseSession) on_session_closed(txn);
    return;
  }
  ConnectionState& conn = *origin;
  PendingRequest request = std::move(conn.pending.front());
  conn.pending.pop_front();
  --outstanding_;
  state::Request origin_request = make_request(conn, request.view());
  state::Outcome outcome = db_.apply(txn, &origin_request);
  deliver_events(outcome.events);
  reply(conn, request.view(), zxid, outcome.reply.err, outcome.reply.body);
  if (type == proto::OpCode::kCloseSession) {
    on_session_closed(txn);
    return;
  }
  drain_ready_reads(conn);
}

// The connection a committed txn answers, found by what the txn carries -- its session and
// cxid -- rather than by a zxid handed out here: in an ensemble the zxid is the leader's,
// known to a follower only at COMMIT. A connection's writes commit in the order it sent
// them, so the txn answers the first pending write if it answers any; a createSession
// answers the connection waiting for that session. Txns the server made (expiry, container
// clean-up) and txns of sessions attached elsewhere answer nobody. (As in ZooKeeper, whose
// followers match commits the same way, a server-made txn carries cxid 0, which no client
// library uses for a request.)
ConnectionState* PipelineCore::origin_of(const proto::Txn& txn) {
  auto s = session_connection_.find(txn.header.session_id);
  if (s == session_connection_.end()) return nullptr;
  auto c = connections_.find(s->second);
  if (c == connections_.end()) return nullptr;
  ConnectionState& conn = c->second;
  if (static_cast<proto::OpCode>(txn.header.type) == proto::OpCode::kCreateSession) {
    return conn.phase == ConnectionPhase::kConnecting ? &conn : nullptr;
  }
  if (conn.pending.empty()) return nullptr;
  const PendingRequest& first = conn.pending.front();
  if (!first.is_write || first.is_sync || first.xid != txn.header.cxid) return nullptr;
  return &conn;
}

state::Request PipelineCore::make_request(const ConnectionState& conn,
                                          const RequestView& pending) const {
  state::Request request;
  request.session_id = conn.session_id;
  request.xid = pending.xid;
  request.op = pending.op;
  request.body = pending.frame.substr(8);  // after RequestHeader
  request.auth = &conn.auth;
  request.watcher = conn.id;
  return request;
}

void PipelineCore::reply(ConnectionState& conn, const RequestView& request, int64_t zxid,
                         proto::Err err, std::string_view body) {
  OutboundBatch& out = outbound();
  const size_t start = out.bytes.size();
  append_reply_frame(out.bytes, request.xid, zxid, err, body);
  out.add_appended(conn.id, start);
  ++packets_sent_;
  ++conn.sent;
  const int64_t latency = now_ms_ - request.received_ms;
  conn.last_latency_ms = latency;
  conn.last_zxid = zxid;
  conn.last_response_ms = wall_now_ms_;
  if (request.op != proto::OpCode::kPing) {
    record_latency(conn.latency, latency);
    record_latency(latency_, latency);
    (state::Database::is_write(request.op) ? update_latency_ms_ : read_latency_ms_)
        .record(latency);
  }
}

// An event goes to many watchers at once (one setData, thousands of sessions): its frame is
// encoded once and shared by every connection it goes to.
void PipelineCore::deliver_events(const std::vector<state::WatchEvent>& events) {
  const state::WatchEvent* encoded = nullptr;  // the event whose frame `frame` holds
  OutboundBatch::Record frame;
  for (const state::WatchEvent& event : events) {
    auto it = connections_.find(event.watcher);
    if (it == connections_.end()) continue;
    OutboundBatch& out = outbound();
    if (encoded != nullptr && encoded->type == event.type && encoded->state == event.state &&
        encoded->path == event.path) {
      out.add_shared(event.watcher, frame);
    } else {
      const size_t start = out.bytes.size();
      append_notification_frame(out.bytes, event.type, event.state, event.path);
      out.add_appended(event.watcher, start);
      frame = out.records.back();
      encoded = &event;
    }
    ++packets_sent_;
    ++it->second.sent;
  }
}

void PipelineCore::send_frame(ConnectionId conn, std::string_view frame) {
  ++packets_sent_;
  outbound().add(conn, frame);
}

OutboundBatch& PipelineCore::outbound() {
  if (outbound_ != nullptr) return *outbound_;
  for (auto& batch : outbound_pool_) {
    if (batch->in_use()) continue;
    if (batch->bytes.capacity() > kMaxKeptOutboundBatchBytes) batch->bytes = std::string();
    batch->clear();
    outbound_ = batch.get();
    return *outbound_;
  }
  // Every batch is still with the channel: one more (a handful exist in steady state).
  outbound_pool_.push_back(std::make_unique<OutboundBatch>());
  outbound_ = outbound_pool_.back().get();
  return *outbound_;
}

void PipelineCore::flush_outbound() {
  if (outbound_ == nullptr || outbound_->empty()) return;
  OutboundBatch& batch = *outbound_;
  outbound_ = nullptr;
  ++pipeline_turns_;
  frames_per_turn_.record(static_cast<int64_t>(batch.records.size()));
  batch.begin_use();
  channel_.send(batch);
}

void PipelineCore::set_serving(bool serving, Now now) {
  set_now(now);
  if (serving == serving_) return;
  serving_ = serving;
  if (serving) {
    register_tree_sessions();
    spdlog::info("event=serving_clients last_zxid=0x{:x} sessions={}", db_.tree().last_zxid(),
                 db_.tree().sessions().size());
    return;
  }
  size_t closed = 0;
  for (auto& [id, conn] : connections_) {
    outstanding_ -= conn.pending.size();
    conn.pending.clear();
    conn.held_frames.clear();
    conn.sasl_step.reset();
    if (conn.phase != ConnectionPhase::kClosing) {
      close_connection(conn);
      ++closed;
    }
  }
  syncs_in_flight_.clear();
  db_.drop_pending();
  spdlog::info("event=stopped_serving_clients connections_closed={} last_zxid=0x{:x}", closed,
               db_.tree().last_zxid());
  resume_paused_connections();
}

void PipelineCore::take_commits(Now now) {
  set_now(now);
  apply_committed();
}

void PipelineCore::close_connection(ConnectionState& conn) {
  conn.phase = ConnectionPhase::kClosing;
  flush_outbound();
  channel_.close_after_flush(conn.id);
}

void PipelineCore::forget_connection(ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ConnectionState& conn = it->second;
  db_.tree().watches().remove_watcher(id);
  if (auto s = session_connection_.find(conn.session_id);
      s != session_connection_.end() && s->second == id) {
    session_connection_.erase(s);
  }
  outstanding_ -= conn.pending.size();
  connections_.erase(it);
}

// Reading pauses for a connection with too many unanswered requests, or for any connection
// that sends while the whole server is over globalOutstandingLimit; it resumes once both
// have drained to half.
void PipelineCore::update_back_pressure(ConnectionState& conn) {
  const bool over = conn.pending.size() >= kMaxPendingPerConnection ||
                    outstanding_ >= options_.global_outstanding_limit;
  if (over && !conn.reading_paused) {
    conn.reading_paused = true;
    paused_connections_.push_back(conn.id);
    channel_.set_reading(conn.id, false);
  }
}

void PipelineCore::resume_paused_connections() {
  if (paused_connections_.empty() || outstanding_ > options_.global_outstanding_limit / 2) return;
  std::vector<ConnectionId> still_paused;
  for (ConnectionId id : paused_connections_) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ConnectionState& conn = it->second;
    if (conn.pending.size() > kMaxPendingPerConnection / 2) {
      still_paused.push_back(id);
      continue;
    }
    conn.reading_paused = false;
    channel_.set_reading(id, true);
  }
  paused_connections_ = std::move(still_paused);
}

}  // namespace paddock::pipeline
