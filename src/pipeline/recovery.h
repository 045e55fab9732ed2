#pragma once
// Recovery at start-up: replays the txn log into the Database. (Snapshots come first once
// they exist; the log after the snapshot's zxid follows.) Lives in pipeline/ because it is
// the layer that knows both storage/ and state/.
#include <string>

#include "state/database.h"
#include "storage/env.h"
#include "storage/log_reader.h"
#include "util/result.h"

namespace paddock::pipeline {

struct RecoveryReport {
  storage::RecoveredLog log;
  uint64_t txns_applied = 0;
};

// Applies every txn in `log_dir` to `db`, in zxid order. A record that does not decode as a
// txn is a fatal error naming its zxid (the log's own checks name file and offset).
Result<RecoveryReport> recover_database(storage::Env& env, const std::string& log_dir,
                                        state::Database& db);

}  // namespace paddock::pipeline
