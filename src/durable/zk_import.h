#pragma once
// Importing an Apache ZooKeeper 3.8 data dir (`paddock import-zk`): its newest readable
// snapshot becomes a Paddock snapshot and the txns of its logs after that snapshot become a
// Paddock log, so that paddockd started on the destination recovers the same tree, sessions
// included, and continues the same zxid history.
//
// The txn bytes are copied unchanged (Paddock logs ZooKeeper's txn format). On the way every
// txn is decoded and applied to the tree that is being built (so a txn Paddock cannot apply
// stops the import before anything is written under its final name), zxids are checked to
// be contiguous, and ZooKeeper's digests (the snapshot's and each txn's TxnDigest) are
// compared with Paddock's tree digest. At the end the destination is recovered read-only
// and compared with the tree built here.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/env.h"
#include "util/result.h"

namespace paddock::durable {

struct ZkImportOptions {
  std::string zk_snap_dir;        // ZooKeeper's dataDir, or its version-2 folder
  std::string zk_log_dir;         // its dataLogDir (or version-2 folder); empty: zk_snap_dir
  std::string dest_data_dir;      // Paddock's dataDir: the snapshot goes to <it>/paddock-snap
  std::string dest_data_log_dir;  // Paddock's dataLogDir; empty: dest_data_dir
  bool force = false;             // replace Paddock files already in the destination
  int64_t created_ms = 0;
};

struct ZkImportReport {
  std::string zk_snapshot;  // the file used; empty when ZooKeeper had none
  int64_t snapshot_zxid = 0;
  std::vector<std::string> skipped_snapshots;  // "path: why"
  uint64_t sessions = 0;
  uint64_t nodes = 0;
  uint64_t log_files = 0;
  uint64_t txns = 0;
  int64_t last_zxid = 0;
  uint64_t digest_checks = 0;
  uint64_t digest_mismatches = 0;
  std::vector<std::string> warnings;
  std::string paddock_snapshot;
  std::string paddock_log_dir;
};

Result<ZkImportReport> import_zk(storage::Env& env, const ZkImportOptions& options);

}  // namespace paddock::durable
