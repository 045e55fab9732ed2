#pragma once
// Purge: removes snapshots and log segments that recovery no longer needs, as ZooKeeper's
// autopurge does (autopurge.snapRetainCount, autopurge.purgeInterval).
//
// Rules (plan_purge is the pure part, unit-tested):
// - the newest `retain_count` (at least 3) COMPLETE snapshots are kept -- complete meaning
//   header, end block and trailer check out (peek_snapshot), so a torn or half-written file
//   never counts as one of the kept;
// - R = the zxid of the oldest kept snapshot. Snapshot files older than R are removed;
//   newer files are never removed (not even damaged ones: they are left for inspection);
// - recovery from R reads the segment that holds R + 1 (the last one whose first zxid is
//   <= R + 1) and every later one; segments before that one are removed;
// - with no complete snapshot nothing is removed; temp files are left alone (a snapshot may
//   be in progress; stale ones are removed at start-up).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/env.h"
#include "storage/log_reader.h"
#include "storage/snapshot_file.h"
#include "util/result.h"

namespace paddock::storage {

inline constexpr size_t kMinSnapRetainCount = 3;

struct PurgePlan {
  int64_t oldest_retained_zxid = 0;  // R; 0 when no complete snapshot exists
  std::vector<std::string> snapshots_to_remove;
  std::vector<std::string> segments_to_remove;
};

// Pure. All lists sorted by zxid, oldest first; `complete` is a subset of `snapshots`.
PurgePlan plan_purge(const std::vector<SnapshotFile>& snapshots,
                     const std::vector<SnapshotFile>& complete,
                     const std::vector<SegmentFile>& segments, size_t retain_count);

// Lists the files, checks which snapshots are complete, removes what plan_purge says and
// syncs the directories. Stops at the first failed removal (what was removed stays removed).
Result<PurgePlan> purge_old_files(Env& env, const std::string& snap_dir, const std::string& log_dir,
                                  size_t retain_count);

// Runs purge_old_files on its own thread: once at start, then every `interval` (ZooKeeper's
// DatadirCleanupManager schedules it the same way). Errors are logged, not fatal.
class Purger {
 public:
  Purger(Env& env, std::string snap_dir, std::string log_dir, size_t retain_count,
         std::chrono::milliseconds interval);
  ~Purger();  // stop()
  Purger(const Purger&) = delete;
  Purger& operator=(const Purger&) = delete;

  void stop();
  uint64_t runs() const;

 private:
  void run();

  Env& env_;
  const std::string snap_dir_;
  const std::string log_dir_;
  const size_t retain_count_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t runs_ = 0;
  std::thread thread_;
};

}  // namespace paddock::storage
