#pragma once
// TxnLog: appends records to the segment files of the txn log (layout in FORMAT.md). Used by
// one thread at a time (the TxnLogWriter's); append() only encodes into a batch buffer, and
// commit() writes the whole batch with one pwrite and one fdatasync.
//
// Segments are created lazily: roll() (after a snapshot) or passing segment_max_bytes makes
// the NEXT append start a new segment named for that append's zxid. The old segment is
// written (and, with force_sync, synced) before the new one receives anything, so every
// segment but the last is complete on disk.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"
#include "storage/log_reader.h"
#include "util/result.h"
#include "util/value_histogram.h"

namespace paddock::storage {

struct TxnLogOptions {
  std::string dir;                            // txn_log_dir(dataLogDir): <dataLogDir>/paddock-log
  uint64_t preallocate_bytes = 64ull << 20;   // zookeeper.preAllocSize (KiB) * 1024; 0: none
  uint64_t segment_max_bytes = 256ull << 20;  // start a new segment past this size
  uint64_t dbid = 0;                          // stamped into segment headers (informational)
  bool force_sync = true;                     // forceSync: fdatasync before acknowledging
  int64_t fsync_warning_threshold_ms = 1000;  // fsync.warningthresholdms
  // TxnLogWriter queue bounds: append() blocks (try_append() says kFull) past either.
  size_t max_queued_records = 10000;
  size_t max_queued_bytes = 64u << 20;
};

struct FsyncStats {
  uint64_t count = 0;  // fdatasync calls on segment files
  uint64_t total_micros = 0;
  uint64_t max_micros = 0;
  uint64_t slow_count = 0;  // took longer than fsync_warning_threshold_ms
  ValueHistogram time_ms;   // each fdatasync, in ms (ZooKeeper's fsynctime)
};

class TxnLog {
 public:
  // Continues the log that recovery described: appends go to its tail segment while that
  // is under segment_max_bytes, else to a new one. Creates options.dir if needed.
  static Result<std::unique_ptr<TxnLog>> open(Env& env, TxnLogOptions options,
                                              const RecoveredLog& recovered);
  ~TxnLog();
  TxnLog(const TxnLog&) = delete;
  TxnLog& operator=(const TxnLog&) = delete;

  // Adds a record to the pending batch. No I/O, except when a new segment must be started
  // (the previous one is then written out, synced with force_sync, and closed).
  // Precondition (asserted): zxid > last_zxid(). An empty or oversized payload is an error.
  Status append(int64_t zxid, std::string_view payload);
  // Writes the pending batch (one pwrite; fallocate when the segment must grow) and, with
  // `sync`, makes everything written durable (fdatasync; directory fsync after a new
  // segment). On success committed_zxid() == last_zxid().
  Status commit(bool sync);
  void roll();
  // After a failed append/commit: forgets everything after the last successful commit --
  // pending bytes, bytes a failed write left in the file, a segment started since -- so
  // the log ends exactly at committed_zxid() and appends may reuse the zxids after it.
  Status discard_uncommitted();
  // Commits (with sync) and closes the current segment.
  Status close();

  int64_t last_zxid() const { return last_zxid_; }
  int64_t committed_zxid() const { return committed_zxid_; }
  const FsyncStats& fsync_stats() const { return fsync_; }
  uint64_t segments_created() const { return segments_created_; }
  uint64_t bytes_written() const { return bytes_written_; }
  const std::string& current_segment() const { return path_; }  // empty before the first
  const TxnLogOptions& options() const { return options_; }

 private:
  TxnLog(Env& env, TxnLogOptions options);
  Status start_segment(int64_t first_zxid);
  Status finish_segment();
  Status write_pending();
  Status sync_all();
  Status timed_sync(WritableFile& file);

  Env& env_;
  TxnLogOptions options_;
  std::unique_ptr<WritableFile> file_;  // current segment; null until the next append
  std::string path_;
  uint64_t write_pos_ = 0;  // where pending_ goes in the file
  uint64_t allocated_ = 0;  // bytes reserved in the file (its size)
  std::string pending_;     // encoded records (and a new segment's header) not yet written
  bool roll_requested_ = false;
  bool unsynced_ = false;  // written but not yet fdatasynced
  bool dir_sync_needed_ = false;
  // Segments closed without a sync (force_sync off), synced at the next commit(true).
  std::vector<std::unique_ptr<WritableFile>> unsynced_closed_;
  int64_t last_zxid_ = 0;
  int64_t committed_zxid_ = 0;
  std::string committed_path_;  // segment and offset where committed data ends
  uint64_t committed_pos_ = 0;
  FsyncStats fsync_;
  uint64_t segments_created_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace paddock::storage
