#pragma once
// Snapshotter: decides when to snapshot and writes snapshots without stopping the pipeline.
//
// When: after snapCount/2 + r txns, r drawn in [0, snapCount/2) anew after each snapshot, or
// once the txns logged since the last snapshot pass snapSizeLimit/2 + s bytes (s likewise),
// as ZooKeeper's SyncRequestProcessor decides. The log then starts a new segment.
//
// How: the pipeline thread serializes the tree a piece (~chunk_bytes) at a time, each piece
// a task queued behind the requests already waiting (PipelineThread::run_task), so a snapshot of a
// large tree costs many short pauses rather than one long one (TreeSnapshotCursor: a fuzzy
// snapshot, exact after log replay). A background thread compresses, checksums and writes the
// pieces to a temp file, then syncs and renames it (SnapshotFileWriter). At most
// kMaxChunksInFlight pieces wait for that thread; past that, the next piece is queued only
// when the thread takes one. A snapshot that is due while one is still being written is
// skipped (ZooKeeper: "Too busy to snap, skipping").
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "durable/tree_snapshot.h"
#include "state/data_tree.h"
#include "storage/env.h"
#include "storage/snapshot_file.h"
#include "util/value_histogram.h"

namespace paddock::durable {

struct SnapshotterOptions {
  std::string dir;                            // storage::snapshot_dir(dataDir)
  int64_t snap_count = 100000;                // zookeeper.snapCount
  int64_t snap_size_limit_bytes = 4ll << 30;  // zookeeper.snapSizeLimitInKb * 1024; <= 0: off
  uint64_t seed = 0;                          // for the randomized thresholds
  size_t chunk_bytes = 256 << 10;             // serialized per pipeline task
  int compression_level = 1;
  uint64_t dbid = 0;
};

struct SnapshotterStats {
  uint64_t started = 0;
  uint64_t written = 0;
  uint64_t failed = 0;
  uint64_t skipped_busy = 0;
  int64_t last_zxid = -1;  // zxid of the last snapshot written
  std::string last_path;   // its file
  uint64_t last_file_bytes = 0;
  uint64_t last_nodes = 0;
  uint64_t last_chunks = 0;
  uint64_t last_max_pause_us = 0;    // longest single piece on the pipeline thread
  uint64_t last_total_pause_us = 0;  // all pieces together
  uint64_t last_duration_ms = 0;     // start to rename
  uint64_t max_pause_us = 0;         // over all snapshots
  ValueHistogram duration_ms;        // each snapshot written, start to rename (snapshottime)
};

class Snapshotter {
 public:
  using RunOnPipeline = std::function<void(std::function<void()>)>;  // PipelineThread::run_task
  using RollLog = std::function<void()>;                             // TxnLogWriter::roll

  // `tree` is read on the pipeline thread only.
  Snapshotter(SnapshotterOptions options, storage::Env& env, const state::DataTree& tree,
              RunOnPipeline run_on_pipeline, RollLog roll_log);
  ~Snapshotter();  // stop()
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  // Pipeline thread: a txn of `bytes` bytes went to the log. May roll the log and start a
  // snapshot.
  void on_txn_logged(size_t bytes);
  // Before the first on_txn_logged: `txns` were logged after the newest snapshot before this
  // server started (replayed at recovery). They count towards the next snapshot, so the
  // count runs from the last snapshot, not from the start of this process.
  void count_earlier_txns(uint64_t txns) { txns_since_ += static_cast<int64_t>(txns); }
  // Pipeline thread: starts a snapshot now; false if one is in progress.
  bool start();
  // Abandons a snapshot in progress (its temp file is removed) and joins the thread. Call
  // after the pipeline has stopped running tasks.
  void stop();
  // Pipeline thread: the tree is about to be replaced (reloaded, or a leader's snapshot):
  // the walk in progress, if any, stops here and its file is abandoned, never finished.
  void abandon_walk();

  // Txns logged since the last snapshot (or, before the first, since the newest one on disk).
  // Pipeline thread.
  int64_t txns_since_snapshot() const { return txns_since_; }
  bool in_progress() const { return in_progress_.load(std::memory_order_acquire); }
  SnapshotterStats stats() const;

 private:
  static constexpr size_t kMaxChunksInFlight = 2;
  struct Job {
    enum class Kind { kBegin, kChunk, kFinish } kind = Kind::kChunk;
    storage::SnapshotChunk chunk;
    int64_t zxid = 0;    // kBegin: the snapshot's zxid; kFinish: end zxid
    int64_t digest = 0;  // kFinish
    bool abandoned = false;  // kFinish: the walk was cut short; remove the file
  };

  void reset_thresholds();
  void step();  // pipeline thread: one piece
  void enqueue(Job job);
  void run();  // writer thread
  void handle(Job& job);
  void finish_job(const Job& job);

  SnapshotterOptions options_;
  storage::Env& env_;
  const state::DataTree& tree_;
  RunOnPipeline run_on_pipeline_;
  RollLog roll_log_;

  // Pipeline thread.
  std::mt19937_64 random_;
  int64_t txns_since_ = 0;
  int64_t bytes_since_ = 0;
  int64_t txn_threshold_ = 0;
  int64_t byte_threshold_ = 0;
  std::unique_ptr<TreeSnapshotCursor> cursor_;
  uint64_t pause_max_us_ = 0;
  uint64_t pause_total_us_ = 0;
  uint64_t chunks_ = 0;

  std::atomic<bool> in_progress_{false};

  // Shared with the writer thread.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  size_t chunks_queued_ = 0;
  bool step_waiting_ = false;  // the next piece waits for room in the queue
  bool abort_ = false;         // the write failed: stop serializing
  bool stopping_ = false;
  SnapshotterStats stats_;
  std::thread thread_;

  // Writer thread.
  std::unique_ptr<storage::SnapshotFileWriter> writer_;
  bool write_failed_ = false;
  int64_t writing_zxid_ = 0;
  std::chrono::steady_clock::time_point begun_at_;
};

}  // namespace paddock::durable
