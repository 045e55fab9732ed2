// Sessions on the pipeline thread: the connect handshake, resuming a session on a new
// connection, expiry, and the server's own txns (session close, container clean-up).
#include <spdlog/spdlog.h>

#include "pipeline/frames.h"
#include "pipeline/pipeline_core.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {

namespace {
constexpr size_t kPasswordBytes = 16;
}

void PipelineCore::on_connect_request(ConnectionState& conn, std::string_view frame) {
  ++connection_requests_;
  proto::ConnectRequest request;
  if (!proto::decode(frame, request)) {
    bad_input_log_.warn(now_ms_, conn.peer_ip, "event=bad_connect_request conn={} peer={} bytes={}",
                        conn.id, conn.peer_ip, frame.size());
    close_connection(conn);
    return;
  }
  if (!serving_) {
    // Between leaders (ZooKeeper: "ZooKeeperServer not running"): the client tries another
    // server, or this one again once it has joined a leader.
    spdlog::info("event=refuse_connect conn={} peer={} reason=not_serving", conn.id, conn.peer_ip);
    close_connection(conn);
    return;
  }
  const int64_t our_zxid = db_.tree().last_zxid();
  if (request.last_zxid_seen > our_zxid) {
    // The client has seen a newer state than ours (it talked to a more recent server): it
    // must try another server, as ZooKeeper makes it.
    bad_input_log_.info(now_ms_, conn.peer_ip,
                        "event=refuse_connect conn={} peer={} client_zxid=0x{:x} our_zxid=0x{:x}",
                        conn.id, conn.peer_ip, request.last_zxid_seen, our_zxid);
    close_connection(conn);
    return;
  }
  conn.client_sent_read_only = request.read_only.has_value();
  const int32_t timeout = state::SessionTracker::negotiate_timeout(
      request.timeout_ms, options_.min_session_timeout_ms, options_.max_session_timeout_ms);
  if (request.session_id == 0) {
    accept_new_session(conn, timeout);
  } else {
    resume_session(conn, request.session_id, request.passwd, timeout);
  }
}

void PipelineCore::accept_new_session(ConnectionState& conn, int32_t timeout_ms) {
  if (writes_refused_) {  // a new session is a txn, and the log takes none now
    spdlog::info("event=session_refused conn={} peer={} reason=log_failed", conn.id, conn.peer_ip);
    close_connection(conn);
    return;
  }
  const int64_t session_id = next_session_id_++;
  conn.phase = ConnectionPhase::kConnecting;
  conn.session_id = session_id;
  conn.timeout_ms = timeout_ms;
  session_connection_[session_id] = conn.id;  // its createSession txn answers conn
  if (!orderer_.prepares_writes()) {
    // The session id is ours (its top byte our server id); the leader makes the txn.
    ForwardedWrite write;
    write.session_id = session_id;
    write.type = static_cast<int32_t>(proto::OpCode::kCreateSession);
    proto::JuteWriter w(write.body);
    w.i32(timeout_ms);
    orderer_.forward(std::move(write));
    return;
  }
  const int64_t zxid = orderer_.allocate_zxid();
  orderer_.propose(db_.prep_create_session(session_id, timeout_ms, zxid, wall_now_ms_));
}

// A session resumed on a new connection: the id must name a session of the tree and the
// password must be the one this id gets; whether it is still alive is the session
// authority's answer (at once when local, after a REVALIDATE round trip on a learner).
// Frames that arrive meanwhile are held, as while a new session is being created.
void PipelineCore::resume_session(ConnectionState& conn, int64_t session_id,
                                  const std::string& passwd, int32_t timeout_ms) {
  const bool known = db_.tree().sessions().count(session_id) > 0;
  const bool password_ok =
      passwd == state::SessionTracker::password_for(session_id, options_.password_secret);
  if (!known || !password_ok) {
    if (known) close_session_connection(session_id);  // as ZooKeeper does; the session lives
    bad_input_log_.info(now_ms_, conn.peer_ip,
                        "event=session_refused conn={} peer={} session=0x{:x} reason={}", conn.id,
                        conn.peer_ip, session_id, known ? "bad_password" : "expired");
    refuse_session(conn);
    return;
  }
  conn.phase = ConnectionPhase::kConnecting;
  conn.timeout_ms = timeout_ms;
  sessions_.revalidate(
      session_id, timeout_ms, now_ms_,
      [this, id = conn.id, session_id](bool alive) { finish_resume(id, session_id, alive); });
}

void PipelineCore::finish_resume(ConnectionId id, int64_t session_id, bool alive) {
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.phase != ConnectionPhase::kConnecting) return;
  ConnectionState& conn = it->second;
  if (!alive) {
    spdlog::info("event=session_refused conn={} peer={} session=0x{:x} reason=expired", conn.id,
                 conn.peer_ip, session_id);
    refuse_session(conn);
    return;
  }
  close_session_connection(session_id);
  establish(conn, session_id);
}

// The connection carries `session_id` from now on: the ConnectResponse goes out and the
// frames held while the session was being created or revalidated are handled.
void PipelineCore::establish(ConnectionState& conn, int64_t session_id) {
  conn.session_id = session_id;
  conn.phase = ConnectionPhase::kEstablished;
  session_connection_[session_id] = conn.id;
  send_connect_response(conn);
  release_held_frames(conn);
}

void PipelineCore::release_held_frames(ConnectionState& conn) {
  while (!conn.held_frames.empty() && conn.phase == ConnectionPhase::kEstablished &&
         !conn.sasl_step) {
    std::string frame = std::move(conn.held_frames.front());
    conn.held_frames.pop_front();
    on_request(conn, frame);
  }
  if (conn.phase != ConnectionPhase::kEstablished) conn.held_frames.clear();
}

void PipelineCore::close_session_connection(int64_t session_id) {
  if (auto old = session_connection_.find(session_id); old != session_connection_.end()) {
    if (auto c = connections_.find(old->second); c != connections_.end()) {
      close_connection(c->second);
    }
  }
}

void PipelineCore::refuse_session(ConnectionState& conn) {
  proto::ConnectResponse response;
  response.protocol_version = 0;
  response.timeout_ms = 0;
  response.session_id = 0;
  response.passwd = std::string(kPasswordBytes, '\0');
  if (conn.client_sent_read_only) response.read_only = false;
  send_frame(conn.id, bare_frame(response));
  close_connection(conn);
}

void PipelineCore::send_connect_response(ConnectionState& conn) {
  proto::ConnectResponse response;
  response.protocol_version = 0;
  response.timeout_ms = conn.timeout_ms;
  response.session_id = conn.session_id;
  response.passwd = state::SessionTracker::password_for(conn.session_id, options_.password_secret);
  if (conn.client_sent_read_only) response.read_only = false;
  send_frame(conn.id, bare_frame(response));
  ++conn.sent;
}

void PipelineCore::on_session_created(const proto::Txn& txn, ConnectionState* origin) {
  const int64_t session_id = txn.header.session_id;
  const auto* body = std::get_if<proto::CreateSessionTxn>(&txn.body);
  const int32_t timeout = body != nullptr ? body->timeout_ms : options_.max_session_timeout_ms;
  sessions_.session_added(session_id, timeout, now_ms_);
  if (origin == nullptr || origin->phase != ConnectionPhase::kConnecting ||
      origin->session_id != session_id) {
    return;  // the client went away meanwhile: the session lives until it expires
  }
  establish(*origin, session_id);
}

void PipelineCore::on_session_closed(const proto::Txn& txn) {
  const int64_t session_id = txn.header.session_id;
  sessions_.session_removed(session_id);
  if (auto it = session_connection_.find(session_id); it != session_connection_.end()) {
    if (auto c = connections_.find(it->second); c != connections_.end()) {
      close_connection(c->second);
    }
    session_connection_.erase(it);
  }
}

void PipelineCore::expire_sessions(int64_t now_ms) {
  for (int64_t session_id : sessions_.expire(now_ms)) {
    spdlog::info("event=session_expired session=0x{:x}", session_id);
    ++sessions_expired_;
    const int64_t zxid = orderer_.allocate_zxid();
    propose_server_txn(db_.prep_close_session(session_id, zxid, wall_now_ms_));
  }
}

void PipelineCore::close_sessionless_connections(int64_t now_ms) {
  while (!awaiting_handshake_.empty() &&
         awaiting_handshake_.front().first + options_.sessionless_connection_timeout_ms <= now_ms) {
    const ConnectionId id = awaiting_handshake_.front().second;
    awaiting_handshake_.pop_front();
    auto it = connections_.find(id);
    if (it == connections_.end() || it->second.phase != ConnectionPhase::kAwaitingConnect) {
      continue;
    }
    bad_input_log_.info(now_ms, it->second.peer_ip,
                        "event=sessionless_connection_closed conn={} peer={}", id,
                        it->second.peer_ip);
    close_connection(it->second);
  }
}

void PipelineCore::clean_containers(int64_t wall_now_ms) {
  for (const std::string& path : db_.tree().expired_containers_and_ttls(wall_now_ms)) {
    const int64_t zxid = orderer_.allocate_zxid();
    propose_server_txn(db_.prep_delete_container(path, zxid, wall_now_ms));
  }
}

void PipelineCore::propose_server_txn(proto::Txn txn) { orderer_.propose(std::move(txn)); }

}  // namespace paddock::pipeline
