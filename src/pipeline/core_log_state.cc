// What the pipeline does while the txn log cannot take writes (disk full, I/O error).
//
// ZooKeeper stops serving writes when its log fails; Paddock does the same without stopping
// the process: every write that was not logged is answered with NOTREADONLY (-119, what a
// read-only ZooKeeper server answers to a write, and an error every client library maps to
// an exception of its own), reads go on from the applied state, and once the log works
// again (LogOutageHandler, log_outage.h) writes are accepted as before. Nothing acknowledged
// is touched: only txns the log never made durable are dropped, and they were never applied.
#include <spdlog/spdlog.h>

#include "pipeline/pipeline_core.h"

namespace paddock::pipeline {

void PipelineCore::refuse_write(ConnectionState& conn, const RequestView& request) {
  reply(conn, request, db_.tree().last_zxid(), proto::Err::kNotReadOnly, {});
  if (request.op == proto::OpCode::kCloseSession) {
    // The close could not be logged: the session lives on (and expires later); the
    // client is done with this connection either way.
    close_connection(conn);
  }
}

void PipelineCore::on_log_state(const LogState& state) {
  if (!state.failed) {
    if (writes_refused_) spdlog::info("event=writes_accepted_again");
    writes_refused_ = false;
    return;
  }
  if (writes_refused_) return;
  writes_refused_ = true;
  spdlog::error("event=writes_refused reason=\"{}\" last_applied_zxid=0x{:x}", state.reason,
                db_.tree().last_zxid());
  // The writer reported everything that became durable before it reported the failure.
  apply_committed();
  // What is still pending was not logged and never will be: answer it, in order with the
  // reads queued behind it.
  size_t refused = 0;
  for (auto& [id, conn] : connections_) {
    if (conn.phase == ConnectionPhase::kConnecting) {  // its createSession txn was lost
      outstanding_ -= conn.pending.size();
      conn.pending.clear();
      close_connection(conn);
      continue;
    }
    while (!conn.pending.empty()) {
      PendingRequest request = std::move(conn.pending.front());
      conn.pending.pop_front();
      --outstanding_;
      if (request.is_write) {
        ++refused;
        refuse_write(conn, request.view());
      } else if (conn.phase != ConnectionPhase::kClosing) {
        answer_read(conn, request.view());
      }
    }
  }
  db_.drop_pending();
  // A session whose closeSession txn was lost (expired, or closed by its client) is alive
  // again: it expires later, once txns can be logged.
  for (const auto& [session_id, timeout_ms] : db_.tree().sessions()) {
    sessions_.revive(session_id, timeout_ms, now_ms_);
  }
  spdlog::warn("event=unlogged_writes_refused count={}", refused);
  resume_paused_connections();
}

}  // namespace paddock::pipeline
