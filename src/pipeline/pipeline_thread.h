#pragma once
// PipelineThread: the thread that owns the state in paddockd. It is only an adapter around
// PipelineCore: it queues events from any thread (the RequestSink face the network threads
// call), reads the clock once per turn, hands each turn's events to the core, ticks it when
// due and ends the turn. Everything the server does with a request happens in the core.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/client_port.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/sasl_worker.h"
#include "util/clock.h"

namespace paddock::pipeline {

class PipelineThread final : public RequestSink {
 public:
  // `db`, `orderer`, `sessions` and `clock` must outlive this object.
  PipelineThread(PipelineOptions options, state::Database& db, Orderer& orderer,
                 SessionAuthority& sessions, const Clock& clock);
  ~PipelineThread() override;
  PipelineThread(const PipelineThread&) = delete;
  PipelineThread& operator=(const PipelineThread&) = delete;

  // Builds the core around `channel` (which must outlive this object; it is given here, not
  // at construction, because the channel -- the client port -- is built around this sink),
  // registers the sessions found in recovered state (their timeouts restart now), hooks the
  // orderer's wake-up, then starts the thread. Events posted before start() wait for it.
  void start(ClientChannel& channel);
  // Stops the thread; requests still in flight are not answered.
  void stop();

  // RequestSink (any thread)
  void connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port) override;
  void secure_connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port,
                                std::string x509_subject) override;
  void frames_received(FrameBatch& batch) override;
  void request_snapshot(const SnapshotRequest& what, SnapshotCallback done) override;
  void reset_statistics(bool connections) override;
  void connection_closed(ConnectionId conn) override;

  // Runs `task` on the pipeline thread, in order with the other events (any thread). The
  // snapshotter serializes the tree this way, a piece at a time between batches.
  void run_task(std::function<void()> task);
  // The txn log failed or works again (any thread): see PipelineCore::on_log_state.
  void set_log_failed(bool failed, std::string reason);
  // Leader: a learner's client write to prep and propose, in order with the other events
  // (any thread).
  void learner_write(ForwardedWrite write);

  // For tasks run by run_task only (they run on the pipeline thread, between events): the
  // core itself and the clocks' reading now. An ensemble member's adapter drives the
  // serving state and takes commits through these.
  PipelineCore& core_in_task() { return *core_; }
  Now now() const { return Now{clock_.monotonic_ms(), clock_.wall_ms()}; }

 private:
  using Event = PipelineCore::Event;
  void post(Event event);
  void run();
  bool wait_for_events(std::vector<Event>& batch, int64_t next_tick);

  PipelineOptions options_;
  state::Database& db_;
  Orderer& orderer_;
  SessionAuthority& sessions_;
  const Clock& clock_;
  std::unique_ptr<PipelineCore> core_;  // built by start(); then the pipeline thread's only
  // Runs the SASL steps of connections with nothing else in flight (null without SASL).
  std::unique_ptr<SaslWorker> sasl_worker_;

  std::mutex inbox_mutex_;
  std::condition_variable inbox_cv_;
  std::vector<Event> inbox_;
  std::vector<FrameBatch> spare_frames_;  // emptied frame batches for the network threads
  bool stopping_ = false;
  std::thread thread_;
  std::vector<FrameBatch> used_frames_;  // handled this turn; spare at the next swap
};

}  // namespace paddock::pipeline
