#pragma once
// Writing and reading snapshot files (layout in snapshot_format.h and FORMAT.md).
//
// SnapshotFileWriter writes `snapshot.<zxid>.tmp` block by block (each chunk compressed with
// zstd and checksummed), and finish() completes it: end block, trailer, fdatasync, rename to
// `snapshot.<zxid>`, fsync of the directory. A crash at any point leaves either no snapshot
// of that name or a complete one; stray temp files are removed at start-up.
//
// read_snapshot checks everything (header, every block's checksum and size, the records, the
// trailer's counts and checksum of the whole raw stream) and visits the records in order.
// A damaged file is an error naming the file and the byte offset of the damage.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/env.h"
#include "storage/snapshot_format.h"
#include "util/result.h"

typedef struct ZSTD_CCtx_s ZSTD_CCtx;

namespace paddock::storage {

struct SnapshotWriteOptions {
  std::string dir;  // snapshot_dir(dataDir); created if missing
  SnapshotHeader header;
  int compression_level = 1;  // zstd level; 1 is fast and still shrinks znode data well
};

class SnapshotFileWriter {
 public:
  static Result<std::unique_ptr<SnapshotFileWriter>> create(Env& env, SnapshotWriteOptions options);
  ~SnapshotFileWriter();  // abandon() unless finished
  SnapshotFileWriter(const SnapshotFileWriter&) = delete;
  SnapshotFileWriter& operator=(const SnapshotFileWriter&) = delete;

  // Compresses and appends one block. An empty chunk is skipped.
  Status add(const SnapshotChunk& chunk);
  // Ends the file and makes it durable under its final name; returns that path.
  Result<std::string> finish(int64_t end_zxid, int64_t end_digest);
  // Closes and removes the temp file (best effort).
  void abandon();

  uint64_t bytes_written() const { return offset_; }
  const SnapshotTrailer& totals() const { return trailer_; }
  const std::string& final_path() const { return final_path_; }

 private:
  SnapshotFileWriter(Env& env, SnapshotWriteOptions options);

  Env& env_;
  SnapshotWriteOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::string temp_path_;
  std::string final_path_;
  uint64_t offset_ = 0;
  SnapshotTrailer trailer_;
  ZSTD_CCtx* cctx_ = nullptr;
  std::string stored_;  // compression buffer, reused
  bool done_ = false;
};

struct SnapshotFile {
  std::string path;
  int64_t zxid = 0;
};

// Snapshot files in `dir` ordered by zxid (oldest first). A missing dir holds none. Temp
// files and other names are not listed.
Result<std::vector<SnapshotFile>> list_snapshots(Env& env, const std::string& dir);
// Temp files (`snapshot.*.tmp`) left by a crash while writing, as full paths.
Result<std::vector<std::string>> list_snapshot_temp_files(Env& env, const std::string& dir);

struct SnapshotInfo {
  SnapshotHeader header;
  SnapshotTrailer trailer;
  uint64_t file_size = 0;
  uint64_t blocks = 0;
};

// Reads and checks the whole file, visiting every record in order when `visitor` is given.
// A visitor error stops the read and is returned with the file and offset added.
Result<SnapshotInfo> read_snapshot(Env& env, const std::string& path, SnapshotVisitor* visitor);

// Cheap completeness check (header, trailer and the end block, without reading the blocks
// between): what purge uses to count a snapshot as valid.
Result<SnapshotInfo> peek_snapshot(Env& env, const std::string& path);

}  // namespace paddock::storage
