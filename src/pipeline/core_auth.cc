// PipelineCore: client authentication -- AuthPacket (op 100), SASL (op 102) and enforced
// authentication -- with ZooKeeper 3.8's answers (ZooKeeperServer.processSasl,
// AuthenticationHelper.enforceAuthentication).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "pipeline/pipeline_core.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::pipeline {

namespace {

// SetSASLResponse{buffer token}; a null token is what ZooKeeper sends with a failure and
// when it has no SASL server.
std::string sasl_response(const std::string* token) {
  std::string body;
  proto::JuteWriter w(body);
  if (token == nullptr) {
    w.null_buffer();
  } else {
    w.buffer(*token);
  }
  return body;
}

}  // namespace

void PipelineCore::add_auth_id(ConnectionState& conn, proto::Id id) {
  // The connection's ids are a set.
  if (std::find(conn.auth.begin(), conn.auth.end(), id) == conn.auth.end()) {
    conn.auth.push_back(std::move(id));
  }
}

void PipelineCore::answer_auth_packet(ConnectionState& conn, const RequestView& request) {
  const int64_t last_zxid = db_.tree().last_zxid();
  proto::AuthPacket packet;
  std::vector<proto::Id> ids;
  if (proto::decode(request.frame.substr(8), packet)) {
    ids = db_.authenticate_ids(packet.scheme, packet.auth, conn.peer_ip);
  }
  if (ids.empty()) {
    // Rate-limited per address: a client retrying bad credentials must not flood the log.
    bad_input_log_.info(now_ms_, conn.peer_ip, "event=auth_failed conn={} peer={} scheme={}",
                        conn.id, conn.peer_ip, packet.scheme);
    reply(conn, request, last_zxid, proto::Err::kAuthFailed, {});
    close_connection(conn);
    return;
  }
  for (proto::Id& id : ids) add_auth_id(conn, std::move(id));
  reply(conn, request, last_zxid, proto::Err::kOk, {});
}

// One GetSASLRequest. ZooKeeper answers it with zxid 0; a failure is AUTHFAILED (or
// SESSIONCLOSEDREQUIRESASLAUTH when SASL is required) with a null token, then the
// connection closes -- unless allowSaslFailedClients keeps it (without the id).
void PipelineCore::answer_sasl(ConnectionState& conn, const RequestView& request) {
  proto::JuteReader reader(request.frame.substr(8));
  std::string client_token = reader.buffer();
  if (!reader.ok()) {
    fail_sasl(conn, request, "malformed GetSASLRequest");
    return;
  }
  if (options_.sasl == nullptr) {
    // ZooKeeper without a JAAS server section: no SASL server, an OK with no token.
    spdlog::info("event=sasl_not_configured conn={} peer={}", conn.id, conn.peer_ip);
    reply(conn, request, 0, proto::Err::kOk, sasl_response(nullptr));
    return;
  }
  if (conn.sasl_finished) {
    fail_sasl(conn, request, "SASL exchange already finished on this connection");
    return;
  }
  if (conn.sasl == nullptr) conn.sasl = options_.sasl->start(conn.peer_ip, conn.peer_port);
  if (options_.sasl_runner != nullptr && conn.pending.empty()) {
    // Nothing of this connection is in flight: the step runs elsewhere and what the
    // connection sends meanwhile waits for it (on_frame), as ZooKeeper reads nothing more
    // from a connection whose SASL packet it is processing. Reading pauses meanwhile, so a
    // client cannot pile frames up behind a slow step. (A step behind requests in flight
    // runs here: requests already ordered must not be answered before it.)
    conn.sasl_step = PendingRequest::copy_of(request);
    if (!conn.reading_paused) channel_.set_reading(conn.id, false);
    options_.sasl_runner->run(conn.id, conn.sasl, std::move(client_token));
    return;
  }
  SaslExchange::Step step = conn.sasl->step(client_token);
  finish_sasl_step(conn, request, step);
}

void PipelineCore::on_sasl_step_done(SaslStepDone& done) {
  auto it = connections_.find(done.conn);
  if (it == connections_.end()) return;  // closed meanwhile
  ConnectionState& conn = it->second;
  if (!conn.sasl_step) return;  // forgotten by set_serving(false)
  PendingRequest request = std::move(*conn.sasl_step);
  conn.sasl_step.reset();
  if (conn.phase != ConnectionPhase::kEstablished) return;
  if (!conn.reading_paused) channel_.set_reading(conn.id, true);
  finish_sasl_step(conn, request.view(), done.step);
  release_held_frames(conn);
  update_back_pressure(conn);
  resume_paused_connections();
}

void PipelineCore::finish_sasl_step(ConnectionState& conn, const RequestView& request,
                                    SaslExchange::Step& step) {
  switch (step.status) {
    case SaslExchange::Step::Status::kContinue:
      reply(conn, request, 0, proto::Err::kOk, sasl_response(&step.token));
      return;
    case SaslExchange::Step::Status::kFailed:
      fail_sasl(conn, request, step.error);
      return;
    case SaslExchange::Step::Status::kComplete:
      break;
  }
  conn.sasl.reset();
  conn.sasl_finished = true;
  spdlog::info("event=sasl_authenticated conn={} peer={} session=0x{:x} id={}", conn.id,
               conn.peer_ip, conn.session_id, step.authorized_id);
  add_auth_id(conn, proto::Id{"sasl", step.authorized_id});
  if (!options_.sasl_super_user.empty() && step.authorized_id == options_.sasl_super_user) {
    add_auth_id(conn, proto::Id{"super", ""});
  }
  // A last step with nothing to say (GSSAPI's) is answered with a null token, as ZooKeeper
  // does: the Java client counts only a null token as the server's last packet and holds
  // every request until it has seen it.
  reply(conn, request, 0, proto::Err::kOk,
        sasl_response(step.token.empty() ? nullptr : &step.token));
}

void PipelineCore::fail_sasl(ConnectionState& conn, const RequestView& request,
                             const std::string& why) {
  conn.sasl.reset();
  conn.sasl_finished = true;
  const auto& schemes = options_.enforce_auth_schemes;
  const bool sasl_required = std::find(schemes.begin(), schemes.end(), "sasl") != schemes.end();
  bad_input_log_.warn(now_ms_, conn.peer_ip, "event=sasl_failed conn={} peer={} reason=\"{}\"",
                      conn.id, conn.peer_ip, why);
  if (options_.allow_sasl_failed_clients && !sasl_required) {
    reply(conn, request, 0, proto::Err::kOk, sasl_response(nullptr));
    return;
  }
  reply(conn, request, 0,
        sasl_required ? proto::Err::kSessionClosedRequireSaslAuth : proto::Err::kAuthFailed,
        sasl_response(nullptr));
  close_connection(conn);
}

bool PipelineCore::passes_enforced_auth(ConnectionState& conn, const RequestView& request) {
  const auto& schemes = options_.enforce_auth_schemes;
  if (schemes.empty() || request.op == proto::OpCode::kAuth ||
      request.op == proto::OpCode::kSasl) {
    return true;
  }
  for (const proto::Id& id : conn.auth) {
    if (std::find(schemes.begin(), schemes.end(), id.scheme) != schemes.end()) return true;
  }
  // Nothing of this connection can be in flight: every earlier request but auth and sasl
  // was refused the same way, and those two are answered at once.
  bad_input_log_.warn(now_ms_, conn.peer_ip, "event=auth_required conn={} peer={} session=0x{:x} op={}",
                      conn.id, conn.peer_ip, conn.session_id, static_cast<int32_t>(request.op));
  reply(conn, request, 0, proto::Err::kSessionClosedRequireSaslAuth, {});
  close_connection(conn);
  return false;
}

}  // namespace paddock::pipeline
