#pragma once
// The two epoch files of a quorum member, written as ZooKeeper 3.8 writes them
// (ZK-FORMATS.md section 5, "Other files"): `acceptedEpoch` -- the newest epoch this server
// agreed to follow (written at LEADERINFO, before ACKEPOCH is sent) -- and `currentEpoch` --
// the epoch whose history it has synced (written at NEWLEADER). ASCII decimal, no newline,
// written to `<name>.tmp`, synced and renamed. Paddock keeps them in its snapshot directory.
#include <cstdint>
#include <string>

#include "storage/env.h"
#include "util/result.h"

namespace paddock::durable {

inline constexpr char kAcceptedEpochFile[] = "acceptedEpoch";
inline constexpr char kCurrentEpochFile[] = "currentEpoch";

struct Epochs {
  int64_t accepted = 0;
  int64_t current = 0;
};

// Reads both files from `dir`. A missing file is derived from the epoch of the last logged
// zxid and written, as ZooKeeper does on its first start with a quorum config. A file that
// does not hold a decimal number, or accepted < current, is an error naming the file (the
// server must not start: it could vote with a wrong history).
Result<Epochs> load_epochs(storage::Env& env, const std::string& dir, int64_t last_logged_zxid);

// Writes `<dir>/<name>` atomically and durably: tmp file, fdatasync, rename, directory sync.
Status write_epoch_file(storage::Env& env, const std::string& dir, const std::string& name,
                        int64_t epoch);

}  // namespace paddock::durable
