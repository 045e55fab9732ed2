#include "storage/purge.h"
#include "util/thread_name.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace paddock::storage {

PurgePlan plan_purge(const std::vector<SnapshotFile>& snapshots,
                     const std::vector<SnapshotFile>& complete,
                     const std::vector<SegmentFile>& segments, size_t retain_count) {
  PurgePlan plan;
  if (complete.empty()) return plan;
  const size_t retain = std::max(retain_count, kMinSnapRetainCount);
  const size_t first_kept = complete.size() > retain ? complete.size() - retain : 0;
  const int64_t r = complete[first_kept].zxid;
  plan.oldest_retained_zxid = r;
  for (const SnapshotFile& s : snapshots) {
    if (s.zxid < r) plan.snapshots_to_remove.push_back(s.path);
  }
  // The segment holding r + 1 is the last one starting at or before it.
  size_t needed = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].first_zxid <= r + 1) needed = i;
  }
  if (needed == segments.size()) return plan;  // every segment starts after r + 1
  for (size_t i = 0; i < needed; ++i) plan.segments_to_remove.push_back(segments[i].path);
  return plan;
}

Result<PurgePlan> purge_old_files(Env& env, const std::string& snap_dir, const std::string& log_dir,
                                  size_t retain_count) {
  auto snapshots = list_snapshots(env, snap_dir);
  if (!snapshots) return snapshots.status();
  auto segments = list_segments(env, log_dir);
  if (!segments) return segments.status();
  std::vector<SnapshotFile> complete;
  for (const SnapshotFile& s : *snapshots) {
    if (auto info = peek_snapshot(env, s.path); info) {
      complete.push_back(s);
    } else {
      spdlog::warn("event=purge_skips_damaged_snapshot file={} {}", s.path, info.error());
    }
  }
  PurgePlan plan = plan_purge(*snapshots, complete, *segments, retain_count);
  for (const auto* list : {&plan.snapshots_to_remove, &plan.segments_to_remove}) {
    for (const std::string& path : *list) {
      if (Status st = env.remove(path); !st) return st;
      spdlog::info("event=purged file={}", path);
    }
  }
  if (!plan.snapshots_to_remove.empty()) {
    if (Status st = env.sync_dir(snap_dir); !st) return st;
  }
  if (!plan.segments_to_remove.empty()) {
    if (Status st = env.sync_dir(log_dir); !st) return st;
  }
  return plan;
}

Purger::Purger(Env& env, std::string snap_dir, std::string log_dir, size_t retain_count,
               std::chrono::milliseconds interval)
    : env_(env),
      snap_dir_(std::move(snap_dir)),
      log_dir_(std::move(log_dir)),
      retain_count_(retain_count),
      interval_(interval) {
  thread_ = std::thread([this] {
    set_thread_name("purge");
    run();
  });
}

Purger::~Purger() { stop(); }

void Purger::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t Purger::runs() const {
  std::lock_guard lock(mu_);
  return runs_;
}

void Purger::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto plan = purge_old_files(env_, snap_dir_, log_dir_, retain_count_);
    if (!plan) {
      spdlog::warn("event=purge_failed {}", plan.error());
    } else {
      spdlog::info(
          "event=purge_done oldest_retained_snapshot=0x{:x} snapshots_removed={} "
          "segments_removed={}",
          plan->oldest_retained_zxid, plan->snapshots_to_remove.size(),
          plan->segments_to_remove.size());
    }
    lock.lock();
    ++runs_;
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace paddock::storage
