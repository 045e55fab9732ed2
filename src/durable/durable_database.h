#pragma once
// DurableDatabase: the one owner of everything that makes the state durable, in the manner
// of leveldb's DBImpl and ZooKeeper's ZKDatabase/FileTxnSnapLog: recovery at start, the txn
// log and its group-commit writer, snapshots (when and how), the handling of a failed log,
// purge, and the epoch files. The server builds it, starts it and stops it; the pipeline
// appends to it; replication reads from it, truncates it and sets its epochs.
//
// Threads: append(), the replication operations and the epoch setters are called on the
// state-owning thread (the pipeline's). The hooks given to start() are called from the log
// writer's thread (on_durable, on the log failing) and post to the state-owning thread.
#include <chrono>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "durable/epochs.h"
#include "durable/log_outage.h"
#include "durable/log_weights.h"
#include "durable/recovery.h"
#include "durable/snapshotter.h"
#include "state/database.h"
#include "storage/env.h"
#include "storage/log_range.h"
#include "storage/log_writer.h"
#include "storage/purge.h"
#include "storage/txn_log.h"
#include "util/result.h"

namespace paddock::durable {

struct DurableOptions {
  std::string snap_dir;          // storage::snapshot_dir(dataDir)
  std::string log_dir;           // storage::txn_log_dir(dataLogDir)
  storage::TxnLogOptions log;    // .dir is set from log_dir
  SnapshotterOptions snapshots;  // .dir is set from snap_dir
  LogOutageOptions outage;       // .log_dir is set from log_dir
  size_t purge_retain_count = storage::kMinSnapRetainCount;
  std::chrono::milliseconds purge_interval{0};  // 0: autopurge off
};

// Where the durable database reaches the rest of the server once it runs.
struct DurableHooks {
  // Runs a task on the state-owning thread, in order with its other events.
  std::function<void(std::function<void()>)> run_on_state_thread;
  // Everything up to the zxid is durable (log writer's thread).
  std::function<void(int64_t zxid)> on_durable;
  // The log failed (true) or takes writes again (false) (any thread).
  std::function<void(bool failed, std::string reason)> set_log_failed;
  // On the state-owning thread after a failure: forget txns above the durable zxid.
  std::function<void(int64_t durable_zxid)> reset_orderer;
};

// A snapshot file and the zxid it holds the state at.
struct SnapshotRef {
  int64_t zxid = -1;  // -1: none
  std::string path;
};

struct StartupSnapshot {
  bool written = false;
  std::string path;
  uint64_t ms = 0;
};

class DurableDatabase {
 public:
  // Recovers `db` (newest intact snapshot, then the log after it), loads the epoch files and
  // opens the log for appending. After a long replay -- at least snapCount/2 txns, the
  // least that triggers a snapshot while serving -- a snapshot of the recovered state is
  // written before this returns, so a server that crashes again and again replays a bounded
  // log (ZooKeeper writes one at every start). A shorter replay counts towards the next
  // snapshot. Nothing runs yet: no thread is started.
  static Result<std::unique_ptr<DurableDatabase>> open(storage::Env& env, DurableOptions options,
                                                       state::Database& db);
  ~DurableDatabase();  // stop()
  DurableDatabase(const DurableDatabase&) = delete;
  DurableDatabase& operator=(const DurableDatabase&) = delete;

  // Starts the log writer, the snapshotter, the outage handler and purge.
  void start(DurableHooks hooks);
  // Stops them: an unfinished snapshot is abandoned, the writer drains its queue and syncs.
  // Idempotent.
  void stop();

  // State-owning thread: a txn for the log (group commit; hooks.on_durable reports it). May
  // start a snapshot and roll the log.
  void append(int64_t zxid, std::string bytes);

  // --- replication (state-owning thread) --------------------------------------------------
  int64_t durable_zxid() const;
  // DIFF: logged and durable txns after `zxid`, at most `max_txns`; `contiguous` false when
  // the log no longer reaches back to zxid + 1 (then SNAP). Past `max_bytes` none are
  // returned and `over_limit` is set. The weights of what this process appended
  // (log_weights.h) settle it when they can: over the limit without reading the log, or
  // within it with one pass that copies; else the log is weighed before it is read.
  Result<storage::LogRangeRead> read_committed_after(int64_t zxid, size_t max_txns,
                                                     size_t max_bytes = SIZE_MAX);
  // The same in two halves, so that reading the files can leave the state-owning thread (a
  // DIFF of 100,000s of txns takes 10s of ms to read): the plan is made on that thread (the
  // weights, the durable zxid), and read_planned runs on any thread, since the records up to
  // the durable zxid do not change while the writer appends after them. A purge or TRUNC
  // meanwhile makes the read fail or come back not contiguous; the caller then sends a SNAP.
  struct CommittedRead {
    int64_t after_zxid = 0;
    int64_t up_to_zxid = 0;
    size_t max_txns = 0;
    size_t max_bytes = SIZE_MAX;
    bool over_limit = false;  // settled by the weights: nothing to read
  };
  CommittedRead plan_committed_read(int64_t zxid, size_t max_txns, size_t max_bytes = SIZE_MAX);
  Result<storage::LogRangeRead> read_planned(const CommittedRead& plan) const;
  // TRUNC: drops every logged txn above `zxid` and every snapshot taken after it; the log
  // writer is restarted on the cut log. The caller reloads its state afterwards.
  Result<storage::LogTruncation> truncate_after(int64_t zxid);
  const Epochs& epochs() const { return epochs_; }
  Status set_accepted_epoch(int64_t epoch);
  Status set_current_epoch(int64_t epoch);
  // Throws the state away and loads it again from the snapshot and log on disk (what was
  // appended is synced first): after a TRUNC, or when an election starts after a sync that
  // never finished. No client may be attached.
  Status reload();
  // The state now is a leader's snapshot (SNAP), taken as the new base: it is written as a
  // snapshot at its zxid, and every log record and every snapshot above that zxid is
  // removed -- the old log does not lead to this state, and a later DIFF must never be read
  // from it. Appends go on after it. Synchronous.
  Status replace_with_snapshot();

  // The snapshot written last -- at start-up, by the snapshotter or for a SNAP -- or, when
  // none was written since, the one the state was last loaded from; none when there is
  // neither (ZooKeeper's last_snapshot command: FileTxnSnapLog's lastSnapshotInfo).
  // State-owning thread.
  SnapshotRef last_snapshot() const;

  const RecoveryReport& recovery() const { return recovery_; }
  const StartupSnapshot& startup_snapshot() const { return startup_snapshot_; }
  storage::TxnLogWriter* writer() { return writer_.get(); }
  Snapshotter* snapshotter() { return snapshotter_.get(); }
  const DurableOptions& options() const { return options_; }

 private:
  DurableDatabase(storage::Env& env, DurableOptions options, state::Database& db);
  Status recover();
  Status write_startup_snapshot();
  // The state as it stands, written whole and synchronously as a snapshot at its zxid.
  Result<std::string> write_whole_snapshot();
  Status open_log();
  // The state was loaded from (or written as) `snapshot`: it is the last one until the
  // snapshotter writes another.
  void set_last_snapshot(SnapshotRef snapshot);
  void start_writer();
  void stop_writer();  // drains and syncs what was appended

  storage::Env& env_;
  DurableOptions options_;
  state::Database& db_;
  DurableHooks hooks_;
  RecoveryReport recovery_;
  StartupSnapshot startup_snapshot_;
  SnapshotRef last_snapshot_;         // loaded or written here, not by the snapshotter
  uint64_t written_before_last_ = 0;  // the snapshotter's count when last_snapshot_ was set
  Epochs epochs_;
  LogWeights weights_;  // bytes appended between zxids, this process's appends only
  std::unique_ptr<storage::TxnLog> log_;  // opened, until the writer takes it
  std::unique_ptr<storage::TxnLogWriter> writer_;
  std::unique_ptr<Snapshotter> snapshotter_;
  std::unique_ptr<LogOutageHandler> outage_;
  std::unique_ptr<storage::Purger> purger_;
  bool started_ = false;
};

}  // namespace paddock::durable
