#include "durable/durable_database.h"

#include <spdlog/spdlog.h>

#include "durable/tree_snapshot.h"
#include "storage/snapshot_file.h"
#include "util/assert.h"
#include "util/clock.h"

namespace paddock::durable {
namespace {

// The snapshot recovery loaded the state from, if any.
SnapshotRef loaded_snapshot(const RecoveryReport& r) {
  if (r.snapshot_path.empty()) return SnapshotRef{};
  return SnapshotRef{r.snapshot_zxid, r.snapshot_path};
}

}  // namespace

DurableDatabase::DurableDatabase(storage::Env& env, DurableOptions options, state::Database& db)
    : env_(env), options_(std::move(options)), db_(db) {
  options_.log.dir = options_.log_dir;
  options_.snapshots.dir = options_.snap_dir;
  options_.outage.log_dir = options_.log_dir;
}

DurableDatabase::~DurableDatabase() { stop(); }

Result<std::unique_ptr<DurableDatabase>> DurableDatabase::open(storage::Env& env,
                                                               DurableOptions options,
                                                               state::Database& db) {
  std::unique_ptr<DurableDatabase> d(new DurableDatabase(env, std::move(options), db));
  if (Status s = d->recover(); !s) return s;
  return d;
}

Status DurableDatabase::recover() {
  auto recovered = recover_database(env_, {options_.snap_dir, options_.log_dir}, db_);
  if (!recovered) return recovered.status();
  recovery_ = std::move(*recovered);
  set_last_snapshot(loaded_snapshot(recovery_));
  auto epochs = load_epochs(env_, options_.snap_dir, recovery_.log.last_zxid);
  if (!epochs) return epochs.status();
  epochs_ = *epochs;
  if (static_cast<int64_t>(recovery_.txns_applied) >= options_.snapshots.snap_count / 2) {
    if (Status s = write_startup_snapshot(); !s) return s;
  }
  return open_log();
}

// A synchronous snapshot of the recovered state, before serving: the next start replays
// only what this life logs. (Taken in the background instead, it could be cut short by the
// next crash every time, and the replay would keep growing.)
Status DurableDatabase::write_startup_snapshot() {
  const auto t0 = std::chrono::steady_clock::now();
  auto path = write_whole_snapshot();
  if (!path) return Status::error("start-up snapshot: " + path.error());
  startup_snapshot_ = StartupSnapshot{true, *path, elapsed_ms(t0)};
  spdlog::info("event=startup_snapshot file={} zxid=0x{:x} replayed_txns={} ms={}", *path,
               db_.tree().last_zxid(), recovery_.txns_applied, startup_snapshot_.ms);
  return Status::ok();
}

Result<std::string> DurableDatabase::write_whole_snapshot() {
  const state::DataTree& tree = db_.tree();
  auto path = write_tree_snapshot(env_, options_.snap_dir, tree, options_.snapshots.dbid,
                                  SystemClock().wall_ms(), tree.last_zxid(), tree.digest());
  if (path) set_last_snapshot(SnapshotRef{tree.last_zxid(), *path});
  return path;
}

void DurableDatabase::set_last_snapshot(SnapshotRef snapshot) {
  last_snapshot_ = std::move(snapshot);
  written_before_last_ = snapshotter_ ? snapshotter_->stats().written : 0;
}

SnapshotRef DurableDatabase::last_snapshot() const {
  if (snapshotter_) {
    SnapshotterStats st = snapshotter_->stats();
    if (st.written > written_before_last_) return SnapshotRef{st.last_zxid, st.last_path};
  }
  return last_snapshot_;
}

Status DurableDatabase::open_log() {
  auto log = storage::TxnLog::open(env_, options_.log, recovery_.log);
  if (!log) return Status::error("log " + options_.log_dir + ": " + log.error());
  log_ = std::move(*log);
  // A new segment after a start-up snapshot, so purge can drop the replayed ones.
  if (startup_snapshot_.written) log_->roll();
  return Status::ok();
}

void DurableDatabase::start(DurableHooks hooks) {
  PADDOCK_ASSERT(!started_ && log_ != nullptr);
  started_ = true;
  hooks_ = std::move(hooks);
  start_writer();
  snapshotter_ =
      std::make_unique<Snapshotter>(options_.snapshots, env_, db_.tree(),
                                    hooks_.run_on_state_thread, [this] { writer_->roll(); });
  // A replay too short for a start-up snapshot still counts towards the next one.
  if (!startup_snapshot_.written) snapshotter_->count_earlier_txns(recovery_.txns_applied);
  if (options_.purge_interval.count() > 0) {
    purger_ =
        std::make_unique<storage::Purger>(env_, options_.snap_dir, options_.log_dir,
                                          options_.purge_retain_count, options_.purge_interval);
  }
}

// The outage handler needs the writer and the writer reports to the handler: the handler is
// made right after the writer, before the pipeline appends anything, so no failure can be
// reported before it exists.
void DurableDatabase::start_writer() {
  writer_ = std::make_unique<storage::TxnLogWriter>(
      std::move(log_), [this](int64_t zxid) { hooks_.on_durable(zxid); },
      [this](const Status& error) {
        PADDOCK_ASSERT(outage_ != nullptr);
        outage_->on_log_error(error);
      });
  outage_ = std::make_unique<LogOutageHandler>(
      *writer_, env_, options_.outage,
      LogOutageHooks{hooks_.set_log_failed, hooks_.run_on_state_thread, hooks_.reset_orderer});
}

void DurableDatabase::stop() {
  if (!started_) return;
  started_ = false;
  if (purger_) purger_->stop();
  if (snapshotter_) snapshotter_->stop();  // abandons a snapshot in progress
  if (outage_) outage_->stop();
  if (writer_) writer_->stop();
}

void DurableDatabase::append(int64_t zxid, std::string bytes) {
  const size_t size = bytes.size();
  if (Status s = writer_->append(zxid, std::move(bytes)); !s) {
    spdlog::error("event=log_append_failed zxid=0x{:x} {}", zxid, s.message());
    return;
  }
  weights_.appended(zxid, size);
  snapshotter_->on_txn_logged(size);
}

int64_t DurableDatabase::durable_zxid() const {
  return writer_ != nullptr ? writer_->durable_zxid() : recovery_.log.last_zxid;
}

Result<storage::LogRangeRead> DurableDatabase::read_committed_after(int64_t zxid, size_t max_txns,
                                                                    size_t max_bytes) {
  return read_planned(plan_committed_read(zxid, max_txns, max_bytes));
}

DurableDatabase::CommittedRead DurableDatabase::plan_committed_read(int64_t zxid, size_t max_txns,
                                                                    size_t max_bytes) {
  CommittedRead plan{zxid, durable_zxid(), max_txns, max_bytes, false};
  if (max_bytes != SIZE_MAX) {
    if (weights_.at_least(zxid, plan.up_to_zxid) > max_bytes) {
      plan.over_limit = true;  // settled without reading the log: more were logged since
      return plan;
    }
    if (std::optional<uint64_t> most = weights_.at_most(zxid, plan.up_to_zxid);
        most && *most <= max_bytes) {
      // Settled the other way: it fits, so the range is read once, not weighed first.
      plan.max_bytes = SIZE_MAX;
    }
  }
  return plan;
}

Result<storage::LogRangeRead> DurableDatabase::read_planned(const CommittedRead& plan) const {
  if (plan.over_limit) {
    storage::LogRangeRead over;
    over.over_limit = true;
    return over;
  }
  return storage::read_log_range(env_, options_.log_dir, plan.after_zxid, plan.up_to_zxid,
                                 plan.max_txns, plan.max_bytes);
}

void DurableDatabase::stop_writer() {
  if (outage_) outage_->stop();
  if (writer_) writer_->stop();  // drains and syncs; nothing appends meanwhile
}

Result<storage::LogTruncation> DurableDatabase::truncate_after(int64_t zxid) {
  weights_.clear();
  stop_writer();
  auto snapshots = storage::list_snapshots(env_, options_.snap_dir);
  if (!snapshots) return snapshots.status();
  for (const storage::SnapshotFile& snap : *snapshots) {
    if (snap.zxid <= zxid) continue;
    if (Status s = env_.remove(snap.path); !s) return s;
    spdlog::warn("event=snapshot_removed_by_trunc file={} trunc_zxid=0x{:x}", snap.path, zxid);
  }
  auto cut = storage::truncate_log_after(env_, options_.log_dir, zxid);
  if (!cut) return cut.status();
  storage::LogReadOptions read;
  read.after_zxid = cut->last_zxid;
  auto tail = storage::recover_txn_log(env_, options_.log_dir, read,
                                       [](int64_t, std::string_view) { return Status::ok(); });
  if (!tail) return tail.status();
  recovery_.log = *tail;
  if (Status s = open_log(); !s) return s;
  if (started_) start_writer();
  spdlog::warn("event=log_truncated zxid=0x{:x} dropped={} segments_removed={}", zxid,
               cut->records_dropped, cut->segments_removed);
  return cut;
}

Status DurableDatabase::set_accepted_epoch(int64_t epoch) {
  if (Status s = write_epoch_file(env_, options_.snap_dir, kAcceptedEpochFile, epoch); !s) return s;
  epochs_.accepted = epoch;
  return Status::ok();
}

Status DurableDatabase::set_current_epoch(int64_t epoch) {
  if (Status s = write_epoch_file(env_, options_.snap_dir, kCurrentEpochFile, epoch); !s) return s;
  epochs_.current = epoch;
  return Status::ok();
}

Status DurableDatabase::reload() {
  weights_.clear();
  if (snapshotter_) snapshotter_->abandon_walk();
  stop_writer();
  db_.reset();
  auto recovered = recover_database(env_, {options_.snap_dir, options_.log_dir}, db_);
  if (!recovered) return recovered.status();
  recovery_ = std::move(*recovered);
  set_last_snapshot(loaded_snapshot(recovery_));
  if (Status s = open_log(); !s) return s;
  if (started_) start_writer();
  spdlog::info("event=state_reloaded last_zxid=0x{:x} txns_replayed={} nodes={}",
               db_.tree().last_zxid(), recovery_.txns_applied, db_.tree().node_count());
  return Status::ok();
}

Status DurableDatabase::replace_with_snapshot() {
  weights_.clear();
  if (snapshotter_) snapshotter_->abandon_walk();
  stop_writer();
  const int64_t zxid = db_.tree().last_zxid();
  auto path = write_whole_snapshot();
  if (!path) return Status::error("snapshot: " + path.error());
  auto snapshots = storage::list_snapshots(env_, options_.snap_dir);
  if (!snapshots) return snapshots.status();
  for (const storage::SnapshotFile& snap : *snapshots) {
    if (snap.zxid <= zxid) continue;
    if (Status s = env_.remove(snap.path); !s) return s;
    spdlog::warn("event=snapshot_removed_by_snap file={} snap_zxid=0x{:x}", snap.path, zxid);
  }
  // No txn is 0: this drops every record of the old log.
  auto cut = storage::truncate_log_after(env_, options_.log_dir, 0);
  if (!cut) return cut.status();
  const uint64_t dbid = recovery_.log.dbid;
  recovery_.log = storage::RecoveredLog{};
  recovery_.log.last_zxid = zxid;
  recovery_.log.dbid = dbid;
  if (Status s = open_log(); !s) return s;
  if (started_) start_writer();
  spdlog::info("event=snapshot_installed file={} zxid=0x{:x} log_records_dropped={}", *path, zxid,
               cut->records_dropped);
  return Status::ok();
}

}  // namespace paddock::durable
