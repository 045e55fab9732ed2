#include "pipeline/recovery.h"

#include <fmt/format.h>

#include "proto/txn.h"

namespace paddock::pipeline {

Result<RecoveryReport> recover_database(storage::Env& env, const std::string& log_dir,
                                        state::Database& db) {
  RecoveryReport report;
  storage::LogReadOptions options;
  options.after_zxid = db.tree().last_zxid();
  auto visit = [&](int64_t zxid, std::string_view payload) -> Status {
    Result<proto::Txn> txn = proto::decode_txn(payload);
    if (!txn) {
      return Status::error(fmt::format("txn 0x{:x} does not decode: {}", zxid, txn.error()));
    }
    if (txn->header.zxid != zxid) {
      return Status::error(fmt::format("record zxid 0x{:x} holds a txn with zxid 0x{:x}", zxid,
                                       txn->header.zxid));
    }
    db.apply(*txn, nullptr);
    ++report.txns_applied;
    return Status::ok();
  };
  Result<storage::RecoveredLog> log = storage::recover_txn_log(env, log_dir, options, visit);
  if (!log) return log.status();
  report.log = std::move(*log);
  return report;
}

}  // namespace paddock::pipeline
