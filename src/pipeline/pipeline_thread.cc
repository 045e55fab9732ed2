#include "pipeline/pipeline_thread.h"

#include <algorithm>
#include <chrono>

#include "util/assert.h"
#include "util/thread_name.h"

namespace paddock::pipeline {

namespace {
// Emptied frame batches kept for the network threads to refill, and the largest buffer kept
// with one (a batch that carried big frames gives its buffer back to the allocator).
constexpr size_t kMaxSpareFrameBatches = 8;
constexpr size_t kMaxKeptFrameBatchBytes = 1 << 20;
// Threads for SASL steps: each GSSAPI step is CPU work of about a millisecond, and two
// keep one slow step (a keytab on a slow disk) from holding up every other exchange.
constexpr size_t kSaslThreads = 2;
}  // namespace

PipelineThread::PipelineThread(PipelineOptions options, state::Database& db, Orderer& orderer,
                               SessionAuthority& sessions, const Clock& clock)
    : options_(std::move(options)), db_(db), orderer_(orderer), sessions_(sessions), clock_(clock) {
  if (options_.sasl != nullptr && options_.sasl_runner == nullptr) {
    sasl_worker_ = std::make_unique<SaslWorker>(
        kSaslThreads, [this](ConnectionId conn, SaslExchange::Step step) {
          post(PipelineCore::SaslStepDone{conn, std::move(step)});
        });
    options_.sasl_runner = sasl_worker_.get();
  }
}

PipelineThread::~PipelineThread() { stop(); }

void PipelineThread::start(ClientChannel& channel) {
  PADDOCK_ASSERT(core_ == nullptr);
  core_ = std::make_unique<PipelineCore>(options_, db_, orderer_, sessions_, channel);
  core_->start(now());
  orderer_.set_wakeup([this] { post(PipelineCore::CommitsReady{}); });
  thread_ = std::thread([this] {
    set_thread_name("pipeline");
    run();
  });
}

void PipelineThread::stop() {
  {
    std::lock_guard lock(inbox_mutex_);
    stopping_ = true;
  }
  inbox_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  // After the pipeline: a step still running delivers into an inbox nobody reads.
  if (sasl_worker_ != nullptr) sasl_worker_->stop();
}

void PipelineThread::post(Event event) {
  bool was_empty;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(event));
  }
  if (was_empty) inbox_cv_.notify_one();
}

void PipelineThread::connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port) {
  post(PipelineCore::Opened{conn, std::move(peer_ip), peer_port, {}});
}

void PipelineThread::secure_connection_opened(ConnectionId conn, std::string peer_ip,
                                              uint16_t peer_port, std::string x509_subject) {
  post(PipelineCore::Opened{conn, std::move(peer_ip), peer_port, std::move(x509_subject)});
}

// One lock and at most one wake-up per batch; the caller gets a spare batch back to refill.
void PipelineThread::frames_received(FrameBatch& batch) {
  if (batch.empty()) return;
  bool was_empty;
  {
    std::lock_guard lock(inbox_mutex_);
    was_empty = inbox_.empty();
    inbox_.emplace_back(PipelineCore::Frames{std::move(batch)});
    if (spare_frames_.empty()) {
      batch = FrameBatch{};
    } else {
      batch = std::move(spare_frames_.back());
      spare_frames_.pop_back();
    }
  }
  if (was_empty) inbox_cv_.notify_one();
}

void PipelineThread::request_snapshot(const SnapshotRequest& what, SnapshotCallback done) {
  post(PipelineCore::SnapshotAsked{what, std::move(done)});
}
void PipelineThread::reset_statistics(bool connections) {
  post(PipelineCore::ResetAsked{connections});
}
void PipelineThread::connection_closed(ConnectionId conn) { post(PipelineCore::Closed{conn}); }
void PipelineThread::run_task(std::function<void()> task) {
  post(PipelineCore::Task{std::move(task)});
}
void PipelineThread::set_log_failed(bool failed, std::string reason) {
  post(PipelineCore::LogState{failed, std::move(reason)});
}
void PipelineThread::learner_write(ForwardedWrite write) {
  post(PipelineCore::LearnerWrite{std::move(write)});
}

void PipelineThread::run() {
  std::vector<Event> batch;
  for (;;) {
    if (!wait_for_events(batch, core_->next_tick_ms())) return;
    const Now turn = now();  // the clocks are read once per turn, not per request
    for (Event& event : batch) {
      core_->handle(event, turn);
      if (auto* frames = std::get_if<PipelineCore::Frames>(&event)) {
        used_frames_.push_back(std::move(frames->batch));
      }
    }
    batch.clear();
    if (turn.monotonic_ms >= core_->next_tick_ms()) core_->tick(turn);
    core_->end_turn();
  }
}

// Takes the inbox (waiting until something arrives or the next tick is due), and gives the
// frame batches handled last turn back to the network threads. False: stop.
bool PipelineThread::wait_for_events(std::vector<Event>& batch, int64_t next_tick) {
  std::unique_lock lock(inbox_mutex_);
  for (FrameBatch& used : used_frames_) {
    if (spare_frames_.size() >= kMaxSpareFrameBatches ||
        used.bytes.capacity() > kMaxKeptFrameBatchBytes) {
      continue;
    }
    spare_frames_.push_back(std::move(used));
  }
  used_frames_.clear();
  if (inbox_.empty() && !stopping_) {
    const int64_t wait_ms = std::max<int64_t>(0, next_tick - clock_.monotonic_ms());
    inbox_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                       [this] { return stopping_ || !inbox_.empty(); });
  }
  if (stopping_) return false;
  batch.swap(inbox_);
  return true;
}

}  // namespace paddock::pipeline
