#include "storage/log_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "storage/log_format.h"
#include "util/assert.h"
#include "util/thread_name.h"

namespace paddock::storage {

namespace {
std::unique_ptr<TxnLog> checked(std::unique_ptr<TxnLog> log) {
  PADDOCK_ASSERT(log != nullptr);
  return log;
}
}  // namespace

TxnLogWriter::TxnLogWriter(std::unique_ptr<TxnLog> log, DurableCallback on_durable,
                           ErrorCallback on_error)
    : log_(checked(std::move(log))),
      on_durable_(std::move(on_durable)),
      on_error_(std::move(on_error)),
      max_queued_records_(std::max<size_t>(1, log_->options().max_queued_records)),
      max_queued_bytes_(log_->options().max_queued_bytes),
      force_sync_(log_->options().force_sync) {
  last_queued_zxid_ = log_->last_zxid();
  stats_.durable_zxid = log_->committed_zxid();
  queue_.reserve(std::min<size_t>(max_queued_records_, 1024));
  thread_ = std::thread([this] {
    set_thread_name("log-writer");
    run();
  });
}

TxnLogWriter::~TxnLogWriter() { stop(); }

bool TxnLogWriter::has_room_locked(size_t bytes) const {
  return queue_.empty() ||
         (queue_.size() < max_queued_records_ && queued_bytes_ + bytes <= max_queued_bytes_);
}

void TxnLogWriter::enqueue_locked(int64_t zxid, std::string&& bytes) {
  PADDOCK_ASSERT(zxid > last_queued_zxid_);
  queued_bytes_ += bytes.size();
  queue_.push_back(Item{zxid, std::move(bytes), roll_next_});
  roll_next_ = false;
  last_queued_zxid_ = zxid;
}

Status TxnLogWriter::rejection_locked() const {
  if (state_ == State::kFailed || state_ == State::kRepairing) return error_;
  return Status::error("txn log writer is stopped");
}

Status TxnLogWriter::append(int64_t zxid, std::string bytes) {
  if (bytes.empty() || bytes.size() > kMaxRecordPayload) {
    return Status::error(fmt::format("txn log: record for zxid 0x{:x} has {} bytes (allowed 1..{})",
                                     zxid, bytes.size(), kMaxRecordPayload));
  }
  std::unique_lock lock(mu_);
  room_cv_.wait(lock, [&] { return !accepting_locked() || has_room_locked(bytes.size()); });
  if (!accepting_locked()) return rejection_locked();
  enqueue_locked(zxid, std::move(bytes));
  lock.unlock();
  work_cv_.notify_one();
  return Status::ok();
}

TxnLogWriter::TryAppend TxnLogWriter::try_append(int64_t zxid, std::string& bytes) {
  if (bytes.empty() || bytes.size() > kMaxRecordPayload) return TryAppend::kRejected;
  std::unique_lock lock(mu_);
  if (!accepting_locked()) return TryAppend::kRejected;
  if (!has_room_locked(bytes.size())) return TryAppend::kFull;
  enqueue_locked(zxid, std::move(bytes));
  lock.unlock();
  work_cv_.notify_one();
  return TryAppend::kQueued;
}

void TxnLogWriter::roll() {
  std::lock_guard lock(mu_);
  roll_next_ = true;
}

Status TxnLogWriter::flush() {
  std::unique_lock lock(mu_);
  const auto reported = [&] { return failures_reported_ == failures_; };
  if (!accepting_locked()) {
    done_cv_.wait(lock, reported);  // a failure's callbacks run before flush() reports it
    return rejection_locked();
  }
  const uint64_t seq = ++flush_requested_;
  const uint64_t failures = failures_;
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] {
    return flush_done_ >= seq || (failures_ > failures && reported()) || state_ == State::kStopped;
  });
  if (flush_done_ >= seq) return Status::ok();
  // on_error may already have resumed the writer: report the failure itself.
  if (failures_ > failures) return last_failure_;
  return rejection_locked();
}

void TxnLogWriter::stop() {
  PADDOCK_ASSERT(!thread_.joinable() || thread_.get_id() != std::this_thread::get_id());
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  work_cv_.notify_all();
  room_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (state_ == State::kRunning) state_ = State::kStopped;
  done_cv_.notify_all();
}

Status TxnLogWriter::resume() {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRunning && !stop_requested_) return Status::ok();
    if (state_ != State::kFailed || stop_requested_) return rejection_locked();
    state_ = State::kRepairing;
  }
  // The writer thread leaves log_ alone while the state is not kRunning.
  const Status repaired = log_->discard_uncommitted();
  std::unique_lock lock(mu_);
  if (!repaired) {
    state_ = State::kFailed;
    error_ = Status::error("txn log failed and could not be repaired: " + repaired.message());
    return error_;
  }
  if (stop_requested_) {
    state_ = State::kStopped;
    return rejection_locked();
  }
  state_ = State::kRunning;
  error_ = Status::ok();
  stats_.failed = false;
  last_queued_zxid_ = log_->committed_zxid();
  stats_.durable_zxid = log_->committed_zxid();
  spdlog::info("txn log: resumed after failure durable_zxid=0x{:x}", stats_.durable_zxid);
  lock.unlock();
  work_cv_.notify_all();
  room_cv_.notify_all();
  return Status::ok();
}

Status TxnLogWriter::status() const {
  std::lock_guard lock(mu_);
  if (accepting_locked()) return Status::ok();
  return rejection_locked();
}

int64_t TxnLogWriter::durable_zxid() const {
  std::lock_guard lock(mu_);
  return stats_.durable_zxid;
}

TxnLogStats TxnLogWriter::stats() const {
  std::lock_guard lock(mu_);
  TxnLogStats s = stats_;
  s.queued_records = queue_.size();
  s.queued_bytes = queued_bytes_;
  return s;
}

void TxnLogWriter::copy_log_stats_locked() {
  stats_.fsync = log_->fsync_stats();
  stats_.segments_created = log_->segments_created();
  stats_.bytes = log_->bytes_written();
}

void TxnLogWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    bool forced = false;
    uint64_t flush_target = 0;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] {
        return stop_requested_ ||
               (state_ == State::kRunning && (!queue_.empty() || flush_requested_ > flush_done_));
      });
      // Failed and asked to stop: leave the log exactly as it is.
      if (state_ != State::kRunning) return;
      if (queue_.empty() && flush_requested_ == flush_done_) break;  // stopping, drained
      batch.swap(queue_);
      queued_bytes_ = 0;
      flush_target = flush_requested_;
      forced = flush_target > flush_done_;
    }
    room_cv_.notify_all();
    write_batch(batch, forced, flush_target);
    batch.clear();
  }
  finish();
}

void TxnLogWriter::write_batch(std::vector<Item>& batch, bool forced, uint64_t flush_target) {
  Status st;
  for (Item& item : batch) {
    if (item.roll_before) log_->roll();
    st = log_->append(item.zxid, item.bytes);
    if (!st) break;
  }
  if (st) st = log_->commit(force_sync_ || forced);
  if (!st) {
    fail(st);
    return;
  }
  const int64_t durable = log_->committed_zxid();
  bool advanced;
  {
    std::lock_guard lock(mu_);
    advanced = durable > stats_.durable_zxid;
    stats_.durable_zxid = durable;
    if (!batch.empty()) {
      ++stats_.batches;
      stats_.records += batch.size();
      stats_.max_batch_records = std::max<uint64_t>(stats_.max_batch_records, batch.size());
      stats_.batch_records.record(static_cast<int64_t>(batch.size()));
    }
    copy_log_stats_locked();
  }
  // Report before releasing flush(): whoever flushed may rely on having been told.
  if (advanced && on_durable_) on_durable_(durable);
  {
    std::lock_guard lock(mu_);
    flush_done_ = std::max(flush_done_, flush_target);
  }
  done_cv_.notify_all();
}

void TxnLogWriter::fail(const Status& error) {
  const int64_t durable = log_->committed_zxid();
  bool advanced;
  size_t dropped;
  Status reported;
  {
    std::lock_guard lock(mu_);
    copy_log_stats_locked();
    advanced = durable > stats_.durable_zxid;
    stats_.durable_zxid = durable;
    stats_.failed = true;
    dropped = queue_.size();
    queue_.clear();
    queued_bytes_ = 0;
    error_ = Status::error("txn log failed: " + error.message() +
                           "; appends are refused until it is resumed");
    reported = error_;
    last_failure_ = error_;
    state_ = State::kFailed;
    ++failures_;
  }
  room_cv_.notify_all();
  spdlog::error("txn log: write failed error=\"{}\" durable_zxid=0x{:x} dropped_records={}",
                error.message(), durable, dropped);
  if (advanced && on_durable_) on_durable_(durable);
  if (on_error_) on_error_(reported);
  {
    std::lock_guard lock(mu_);
    ++failures_reported_;
  }
  done_cv_.notify_all();
}

void TxnLogWriter::finish() {
  const Status st = log_->close();
  if (!st) {
    fail(st);
    return;
  }
  {
    std::lock_guard lock(mu_);
    copy_log_stats_locked();
    flush_done_ = flush_requested_;
  }
  done_cv_.notify_all();
}

}  // namespace paddock::storage
