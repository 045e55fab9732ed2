#pragma once
// Recovery at start-up: the newest snapshot that reads back intact, then every txn of the
// log after its zxid. Lives in durable/, the layer that knows both storage/
// and state/.
//
// - Stale temp files of snapshots interrupted by a crash are removed first.
// - A snapshot that does not read back intact (checksum, truncation, bad record) is passed
//   over with an error line naming the file and offset, and the one before it is tried; the
//   log must then reach back to that one (purge keeps what the retained snapshots need).
//   If snapshots exist and none reads back, start-up fails: nothing is deleted.
// - The log after the snapshot: a torn tail is truncated (logged); a corrupt record before
//   the tail or a gap in zxids fails start-up with an error naming file and offset, and
//   nothing is changed (storage/log_reader.h).
// - Checks on the way: a snapshot's recorded digest (the tree's digest when it was
//   finished) is compared once replay reaches its end zxid, and txns that carry a digest
//   (ZooKeeper's TxnDigest) are compared after they apply. A mismatch is logged and counted,
//   not fatal, as ZooKeeper does.
#include <cstdint>
#include <string>
#include <vector>

#include "state/database.h"
#include "storage/env.h"
#include "storage/log_reader.h"
#include "util/result.h"

namespace paddock::durable {

struct RecoveryOptions {
  std::string snap_dir;  // storage::snapshot_dir(dataDir); may not exist
  std::string log_dir;   // storage::txn_log_dir(dataLogDir); may not exist
  // Off (tools): nothing is changed on disk -- temp files stay, a torn tail is only reported.
  bool repair = true;
};

struct RecoveryReport {
  storage::RecoveredLog log;
  uint64_t txns_applied = 0;
  std::string snapshot_path;  // empty: no snapshot, the log was replayed from the start
  int64_t snapshot_zxid = 0;
  uint64_t snapshot_nodes = 0;
  std::vector<std::string> skipped_snapshots;  // "path: why", newest first
  uint64_t removed_temp_files = 0;             // (found, with repair off)
  uint64_t digest_checks = 0;
  uint64_t digest_mismatches = 0;
  uint64_t snapshot_load_ms = 0;
  uint64_t log_replay_ms = 0;
};

Result<RecoveryReport> recover_database(storage::Env& env, const RecoveryOptions& options,
                                        state::Database& db);

// The log alone (no snapshot dir), replayed over `db` as it is.
Result<RecoveryReport> recover_database(storage::Env& env, const std::string& log_dir,
                                        state::Database& db);

}  // namespace paddock::durable
