#include "storage/txn_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "storage/log_format.h"
#include "util/assert.h"

namespace paddock::storage {

TxnLog::TxnLog(Env& env, TxnLogOptions options) : env_(env), options_(std::move(options)) {}

TxnLog::~TxnLog() = default;

Result<std::unique_ptr<TxnLog>> TxnLog::open(Env& env, TxnLogOptions options,
                                             const RecoveredLog& recovered) {
  if (!env.file_exists(options.dir)) {
    if (Status st = env.create_dirs(options.dir); !st) return st;
    if (Status st = env.sync_dir(parent_dir(options.dir)); !st) return st;
  }
  if (options.dbid == 0) options.dbid = recovered.dbid;
  std::unique_ptr<TxnLog> log(new TxnLog(env, std::move(options)));
  log->last_zxid_ = log->committed_zxid_ = recovered.last_zxid;
  if (!recovered.tail_path.empty() && recovered.tail_end < log->options_.segment_max_bytes) {
    auto file = env.open_writable(recovered.tail_path, OpenMode::kOpenExisting);
    if (!file) return file.status();
    auto size = (*file)->size();
    if (!size) return size.status();
    log->file_ = std::move(*file);
    log->path_ = recovered.tail_path;
    log->write_pos_ = recovered.tail_end;
    log->allocated_ = std::max(*size, recovered.tail_end);
    log->committed_path_ = log->path_;
    log->committed_pos_ = recovered.tail_end;
  }
  return log;
}

Status TxnLog::append(int64_t zxid, std::string_view payload) {
  PADDOCK_ASSERT(zxid > last_zxid_);
  if (payload.empty() || payload.size() > kMaxRecordPayload) {
    return Status::error(fmt::format("txn log: record for zxid 0x{:x} has {} bytes (allowed 1..{})",
                                     zxid, payload.size(), kMaxRecordPayload));
  }
  const bool full = file_ != nullptr && write_pos_ + pending_.size() + record_size(payload.size()) >
                                            options_.segment_max_bytes;
  if (file_ == nullptr || roll_requested_ || full) {
    if (Status st = start_segment(zxid); !st) return st;
  }
  append_record(pending_, zxid, payload);
  last_zxid_ = zxid;
  return Status::ok();
}

void TxnLog::roll() {
  // A segment holding no record yet needs no successor.
  if (file_ != nullptr) roll_requested_ = true;
}

Status TxnLog::start_segment(int64_t first_zxid) {
  if (file_ != nullptr) {
    if (Status st = finish_segment(); !st) return st;
  }
  const std::string path = join_path(options_.dir, segment_file_name(first_zxid));
  auto file = env_.open_writable(path, OpenMode::kCreateNew);
  if (!file) return file.status();
  file_ = std::move(*file);
  path_ = path;
  write_pos_ = 0;
  allocated_ = 0;
  roll_requested_ = false;
  dir_sync_needed_ = true;
  ++segments_created_;
  // The header goes out with the segment's first batch, in the same pwrite.
  pending_ = encode_segment_header(SegmentHeader{options_.dbid, first_zxid});
  return Status::ok();
}

// Writes out and closes the current segment before a new one receives anything, so that
// recovery may treat damage in any segment but the last as corruption.
Status TxnLog::finish_segment() {
  if (Status st = write_pending(); !st) return st;
  if (options_.force_sync) {
    if (unsynced_) {
      if (Status st = timed_sync(*file_); !st) return st;
    }
    if (Status st = file_->close(); !st) return st;
  } else if (unsynced_) {
    unsynced_closed_.push_back(std::move(file_));
  }
  unsynced_ = false;
  file_.reset();
  // Everything up to here is as committed as a commit() would make it.
  committed_zxid_ = last_zxid_;
  committed_path_ = path_;
  committed_pos_ = write_pos_;
  return Status::ok();
}

Status TxnLog::write_pending() {
  if (pending_.empty()) return Status::ok();
  const uint64_t end = write_pos_ + pending_.size();
  if (end > allocated_ && options_.preallocate_bytes > 0) {
    uint64_t target = allocated_;
    while (target < end) target += options_.preallocate_bytes;
    if (Status st = file_->allocate(allocated_, target - allocated_); !st) return st;
    allocated_ = target;
  }
  if (Status st = file_->write_at(write_pos_, pending_); !st) return st;
  bytes_written_ += pending_.size();
  write_pos_ = end;
  allocated_ = std::max(allocated_, end);
  pending_.clear();
  unsynced_ = true;
  return Status::ok();
}

Status TxnLog::commit(bool sync) {
  if (file_ != nullptr) {
    if (Status st = write_pending(); !st) return st;
  }
  if (sync) {
    if (Status st = sync_all(); !st) return st;
  }
  committed_zxid_ = last_zxid_;
  committed_path_ = path_;
  committed_pos_ = write_pos_;
  return Status::ok();
}

Status TxnLog::sync_all() {
  for (auto& file : unsynced_closed_) {
    if (Status st = timed_sync(*file); !st) return st;
    if (Status st = file->close(); !st) return st;
  }
  unsynced_closed_.clear();
  if (file_ != nullptr && unsynced_) {
    if (Status st = timed_sync(*file_); !st) return st;
    unsynced_ = false;
  }
  if (dir_sync_needed_) {
    if (Status st = env_.sync_dir(options_.dir); !st) return st;
    dir_sync_needed_ = false;
  }
  return Status::ok();
}

Status TxnLog::timed_sync(WritableFile& file) {
  const uint64_t start = env_.now_micros();
  Status st = file.sync();
  const uint64_t elapsed = env_.now_micros() - start;
  ++fsync_.count;
  fsync_.total_micros += elapsed;
  fsync_.max_micros = std::max(fsync_.max_micros, elapsed);
  fsync_.time_ms.record(static_cast<int64_t>(elapsed / 1000));
  if (elapsed > static_cast<uint64_t>(options_.fsync_warning_threshold_ms) * 1000) {
    ++fsync_.slow_count;
    spdlog::warn(
        "txn log: fsync took {} ms, above fsync.warningthresholdms={} file={}; "
        "slow fsyncs delay every write",
        elapsed / 1000, options_.fsync_warning_threshold_ms, file.path());
  }
  return st;
}

Status TxnLog::discard_uncommitted() {
  pending_.clear();
  last_zxid_ = committed_zxid_;
  if (file_ == nullptr) return Status::ok();
  if (path_ != committed_path_) {
    // Started after the last commit: it holds nothing anybody was told is durable.
    file_.reset();
    if (Status st = env_.remove(path_); !st) return st;
    if (Status st = env_.sync_dir(options_.dir); !st) return st;
    spdlog::warn("txn log: removed segment started by a failed batch file={}", path_);
    path_.clear();
    dir_sync_needed_ = false;
    unsynced_ = false;
    return Status::ok();
  }
  // Reopen (a handle that saw EIO is not to be trusted) and cut what the failed batch left.
  file_.reset();
  auto file = env_.open_writable(path_, OpenMode::kOpenExisting);
  if (!file) return file.status();
  if (Status st = (*file)->truncate(committed_pos_); !st) return st;
  if (Status st = (*file)->sync(); !st) return st;
  file_ = std::move(*file);
  write_pos_ = allocated_ = committed_pos_;
  unsynced_ = false;
  return Status::ok();
}

Status TxnLog::close() {
  Status st = commit(/*sync=*/true);
  if (file_ != nullptr) {
    Status closed = file_->close();
    file_.reset();
    if (st) st = closed;
  }
  return st;
}

}  // namespace paddock::storage
