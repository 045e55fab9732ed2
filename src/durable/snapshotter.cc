#include "durable/snapshotter.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "util/clock.h"
#include "util/thread_name.h"

namespace paddock::durable {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Snapshotter::Snapshotter(SnapshotterOptions options, storage::Env& env, const state::DataTree& tree,
                         RunOnPipeline run_on_pipeline, RollLog roll_log)
    : options_(std::move(options)),
      env_(env),
      tree_(tree),
      run_on_pipeline_(std::move(run_on_pipeline)),
      roll_log_(std::move(roll_log)),
      random_(options_.seed) {
  if (options_.snap_count < 2) options_.snap_count = 2;
  reset_thresholds();
  thread_ = std::thread([this] {
    set_thread_name("snapshotter");
    run();
  });
}

Snapshotter::~Snapshotter() { stop(); }

void Snapshotter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SnapshotterStats Snapshotter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

// Draws the next thresholds, as ZooKeeper does after each snapshot, so the servers of an
// ensemble do not all snapshot at the same txn.
void Snapshotter::reset_thresholds() {
  txns_since_ = 0;
  bytes_since_ = 0;
  const int64_t half = options_.snap_count / 2;
  txn_threshold_ = half + static_cast<int64_t>(random_() % static_cast<uint64_t>(half));
  if (options_.snap_size_limit_bytes > 0) {
    const int64_t half_bytes = std::max<int64_t>(1, options_.snap_size_limit_bytes / 2);
    byte_threshold_ =
        half_bytes + static_cast<int64_t>(random_() % static_cast<uint64_t>(half_bytes));
  }
}

void Snapshotter::on_txn_logged(size_t bytes) {
  ++txns_since_;
  bytes_since_ += static_cast<int64_t>(bytes);
  const bool by_count = txns_since_ > txn_threshold_;
  const bool by_size = options_.snap_size_limit_bytes > 0 && bytes_since_ > byte_threshold_;
  if (!by_count && !by_size) return;
  roll_log_();  // the next txn starts a new segment
  reset_thresholds();
  if (!start()) {
    spdlog::warn(
        "event=snapshot_skipped reason=too_busy (the previous one is still being "
        "written)");
    std::lock_guard lock(mu_);
    ++stats_.skipped_busy;
  }
}

bool Snapshotter::start() {
  if (in_progress_.exchange(true, std::memory_order_acq_rel)) return false;
  cursor_ = std::make_unique<TreeSnapshotCursor>(tree_);
  pause_max_us_ = pause_total_us_ = chunks_ = 0;
  {
    std::lock_guard lock(mu_);
    abort_ = false;
    ++stats_.started;
  }
  Job begin{Job::Kind::kBegin, {}, cursor_->start_zxid(), 0};
  enqueue(std::move(begin));
  run_on_pipeline_([this] { step(); });
  return true;
}

void Snapshotter::step() {
  if (cursor_ == nullptr) return;
  bool abort;
  {
    std::lock_guard lock(mu_);
    abort = abort_ || stopping_;
  }
  const auto t0 = std::chrono::steady_clock::now();
  Job job{Job::Kind::kChunk, {}, 0, 0};
  const bool done = abort || cursor_->next_chunk(job.chunk, options_.chunk_bytes);
  const uint64_t pause = elapsed_us(t0);
  pause_max_us_ = std::max(pause_max_us_, pause);
  pause_total_us_ += pause;
  ++chunks_;
  if (!abort) enqueue(std::move(job));
  if (done) {
    cursor_.reset();
    {
      std::lock_guard lock(mu_);
      stats_.last_max_pause_us = pause_max_us_;
      stats_.last_total_pause_us = pause_total_us_;
      stats_.last_chunks = chunks_;
      stats_.max_pause_us = std::max(stats_.max_pause_us, pause_max_us_);
    }
    // The tree's state when the walk ended: replaying the log up to here must give this.
    Job finish;  // named fields: GCC 12 at -O3 warns falsely about a braced empty chunk
    finish.kind = Job::Kind::kFinish;
    finish.zxid = tree_.last_zxid();
    finish.digest = tree_.digest();
    enqueue(std::move(finish));
    return;
  }
  bool later;
  {
    std::lock_guard lock(mu_);
    later = chunks_queued_ >= kMaxChunksInFlight;
    step_waiting_ = later;
  }
  if (!later) run_on_pipeline_([this] { step(); });
}

void Snapshotter::abandon_walk() {
  if (cursor_ == nullptr) return;
  cursor_.reset();  // a step queued behind this finds no cursor and does nothing
  Job finish;
  finish.kind = Job::Kind::kFinish;
  finish.abandoned = true;
  enqueue(std::move(finish));
  spdlog::info("event=snapshot_abandoned reason=state_replaced");
}

void Snapshotter::enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    if (job.kind == Job::Kind::kChunk) ++chunks_queued_;
    queue_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void Snapshotter::run() {
  for (;;) {
    Job job;
    bool post_step = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      job = std::move(queue_.front());
      queue_.pop_front();
      if (job.kind == Job::Kind::kChunk) --chunks_queued_;
      if (step_waiting_ && chunks_queued_ < kMaxChunksInFlight) {
        step_waiting_ = false;
        post_step = true;
      }
    }
    if (post_step) run_on_pipeline_([this] { step(); });
    handle(job);
  }
  if (writer_ != nullptr) {
    writer_->abandon();
    writer_.reset();
    spdlog::info("event=snapshot_abandoned reason=shutdown");
  }
}

void Snapshotter::handle(Job& job) {
  auto failed = [&](const Status& st) {
    spdlog::error("event=snapshot_failed dir={} {}", options_.dir, st.message());
    if (writer_ != nullptr) writer_->abandon();
    writer_.reset();
    write_failed_ = true;
    std::lock_guard lock(mu_);
    abort_ = true;
  };
  switch (job.kind) {
    case Job::Kind::kBegin: {
      write_failed_ = false;
      writing_zxid_ = job.zxid;
      begun_at_ = std::chrono::steady_clock::now();
      storage::SnapshotWriteOptions options;
      options.dir = options_.dir;
      options.header.zxid = job.zxid;
      options.header.dbid = options_.dbid;
      options.header.created_ms = wall_ms();
      options.compression_level = options_.compression_level;
      auto writer = storage::SnapshotFileWriter::create(env_, options);
      if (!writer) {
        failed(writer.status());
      } else {
        writer_ = std::move(*writer);
      }
      break;
    }
    case Job::Kind::kChunk:
      if (!write_failed_ && writer_ != nullptr) {
        if (Status st = writer_->add(job.chunk); !st) failed(st);
      }
      break;
    case Job::Kind::kFinish:
      finish_job(job);
      break;
  }
}

void Snapshotter::finish_job(const Job& job) {
  if (job.abandoned) {
    if (writer_ != nullptr) writer_->abandon();
    writer_.reset();
    write_failed_ = false;
    in_progress_.store(false, std::memory_order_release);
    return;
  }
  Status status = write_failed_ ? Status::error("write failed") : Status::ok();
  std::string path;
  if (status && writer_ != nullptr) {
    auto done = writer_->finish(job.zxid, job.digest);
    if (done) {
      path = *done;
    } else {
      status = done.status();
      spdlog::error("event=snapshot_failed dir={} {}", options_.dir, status.message());
      writer_->abandon();
    }
  }
  const uint64_t duration_ms = elapsed_us(begun_at_) / 1000;
  SnapshotterStats now;
  {
    std::lock_guard lock(mu_);
    if (status && writer_ != nullptr) {
      ++stats_.written;
      stats_.last_zxid = writing_zxid_;
      stats_.last_path = path;
      stats_.last_file_bytes = writer_->bytes_written();
      stats_.last_nodes = writer_->totals().nodes;
      stats_.last_duration_ms = duration_ms;
      stats_.duration_ms.record(static_cast<int64_t>(duration_ms));
    } else {
      ++stats_.failed;
    }
    now = stats_;
  }
  if (status && writer_ != nullptr) {
    spdlog::info(
        "event=snapshot_written file={} zxid=0x{:x} end_zxid=0x{:x} nodes={} sessions={} "
        "bytes={} raw_bytes={} chunks={} max_pause_us={} total_pause_us={} duration_ms={}",
        path, writing_zxid_, job.zxid, writer_->totals().nodes, writer_->totals().sessions,
        writer_->bytes_written(), writer_->totals().raw_bytes, now.last_chunks,
        now.last_max_pause_us, now.last_total_pause_us, duration_ms);
  }
  writer_.reset();
  write_failed_ = false;
  in_progress_.store(false, std::memory_order_release);
}

}  // namespace paddock::durable
