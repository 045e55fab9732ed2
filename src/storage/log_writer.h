#pragma once
// TxnLogWriter: the group-commit thread between the pipeline and the txn log.
//
// The pipeline thread calls append(zxid, txn bytes) and goes on; the writer thread takes
// everything queued at once, writes it as one batch (one pwrite), calls fdatasync once for
// the batch (unless force_sync is off) and then reports on_durable(last zxid of the batch).
// Only then may the pipeline apply and acknowledge those txns.
//
// Back-pressure: the queue holds at most max_queued_records records and max_queued_bytes
// bytes (TxnLogOptions). append() BLOCKS the caller while it is full; try_append() returns
// kFull instead. (One record larger than max_queued_bytes is accepted into an empty queue.)
//
// Failure: a failed write, allocate or sync (ENOSPC, EIO) puts the writer in the failed
// state: on_durable is first called for anything that did become durable, then on_error;
// queued records are dropped (never acknowledged) and every later append is refused with
// the error, until resume() repairs the log (it discards whatever the failed batch left
// after the last durable record, so zxids after durable_zxid() may be reused).
//
// Callbacks run on the writer thread, never concurrently with each other, with zxids that
// only grow; they must not block for long (post to the pipeline's own thread) and must not
// call stop(). They may call resume().
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/txn_log.h"
#include "util/result.h"
#include "util/value_histogram.h"

namespace paddock::storage {

struct TxnLogStats {
  FsyncStats fsync;      // count, total/max latency, over-threshold count
  uint64_t batches = 0;  // commits that wrote records
  uint64_t records = 0;
  uint64_t bytes = 0;  // written to segment files, headers included
  uint64_t max_batch_records = 0;
  ValueHistogram batch_records;  // records per group commit (ZooKeeper's sync batch size)
  uint64_t queued_records = 0;  // waiting right now
  uint64_t queued_bytes = 0;
  uint64_t segments_created = 0;
  int64_t durable_zxid = 0;
  bool failed = false;
};

class TxnLogWriter {
 public:
  using DurableCallback = std::function<void(int64_t last_durable_zxid)>;
  using ErrorCallback = std::function<void(const Status& error)>;

  // Starts the writer thread. Queue limits and force_sync come from log->options(); `log`
  // must not be null. Either callback may be empty.
  TxnLogWriter(std::unique_ptr<TxnLog> log, DurableCallback on_durable, ErrorCallback on_error);
  ~TxnLogWriter();  // stop()
  TxnLogWriter(const TxnLogWriter&) = delete;
  TxnLogWriter& operator=(const TxnLogWriter&) = delete;

  // Queues a record; blocks while the queue is full. Fails when the writer has failed or
  // stopped, or the payload is empty or too large. zxids must increase (asserted).
  Status append(int64_t zxid, std::string bytes);

  enum class TryAppend { kQueued, kFull, kRejected };
  // Never blocks. Moves from `bytes` only when it returns kQueued; kRejected: see status().
  TryAppend try_append(int64_t zxid, std::string& bytes);

  // Records appended after this call go to a new segment (called after a snapshot).
  void roll();

  // Waits until every record appended before the call is durable -- synced even when
  // force_sync is off. Returns the writer's error if it fails meanwhile or has failed
  // (after on_durable/on_error ran for that failure). Records dropped by a failure that
  // was already resumed before the call are reported by on_error only.
  Status flush();

  // Drains the queue, syncs, closes the log and joins the thread. Idempotent. Appends fail
  // afterwards.
  void stop();

  // Leaves the failed state: repairs the log (see above) and accepts appends again, the
  // next one being any zxid above durable_zxid(). Ok at once when not failed.
  Status resume();

  Status status() const;  // ok, or why appends are refused
  int64_t durable_zxid() const;
  TxnLogStats stats() const;

 private:
  enum class State { kRunning, kFailed, kRepairing, kStopped };
  struct Item {
    int64_t zxid;
    std::string bytes;
    bool roll_before;
  };

  void run();
  void write_batch(std::vector<Item>& batch, bool force_sync, uint64_t flush_target);
  void fail(const Status& error);
  void finish();
  bool accepting_locked() const { return state_ == State::kRunning && !stop_requested_; }
  bool has_room_locked(size_t bytes) const;
  void enqueue_locked(int64_t zxid, std::string&& bytes);
  Status rejection_locked() const;
  void copy_log_stats_locked();

  std::unique_ptr<TxnLog> log_;  // touched by the writer thread, or by resume() while failed
  const DurableCallback on_durable_;
  const ErrorCallback on_error_;
  const size_t max_queued_records_;
  const size_t max_queued_bytes_;
  const bool force_sync_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for records, flushes, stop, resume
  std::condition_variable room_cv_;  // appenders wait for queue room
  std::condition_variable done_cv_;  // flush() waits for its sync
  std::vector<Item> queue_;
  size_t queued_bytes_ = 0;
  int64_t last_queued_zxid_ = 0;
  bool roll_next_ = false;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  uint64_t failures_ = 0;           // failures entered
  uint64_t failures_reported_ = 0;  // failures whose callbacks have returned
  State state_ = State::kRunning;
  bool stop_requested_ = false;
  Status error_;         // why appends are refused now
  Status last_failure_;  // the latest failure, kept after resume() for flush()
  TxnLogStats stats_;
  std::thread thread_;
};

}  // namespace paddock::storage
