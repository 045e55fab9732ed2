#pragma once
// Env: every file operation the storage layer performs goes through this seam (as in
// leveldb), so tests can swap the real disk (PosixEnv) for an in-memory one that fails on
// purpose and loses unsynced data on a simulated crash (FaultInjectingEnv).
// All methods return errors as values; messages name the path and the OS error.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::storage {

// A file opened for reading at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `n` bytes at `offset` into `*out` (replacing its contents). Fewer bytes only
  // at end of file.
  virtual Status read(uint64_t offset, size_t n, std::string* out) = 0;
  virtual Result<uint64_t> size() = 0;
};

// A file opened for writing. Not thread-safe: one owner at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at `offset` (pwrite), extending the file when needed.
  virtual Status write_at(uint64_t offset, std::string_view data) = 0;
  // Writes at the end of what this handle has written (starts at the size at open).
  virtual Status append(std::string_view data) = 0;
  // Makes written data and the file size durable (fdatasync).
  virtual Status sync() = 0;
  // Reserves [offset, offset+length) so later writes there need no allocation; the file
  // size grows to cover it and the new bytes read as zeros (fallocate).
  virtual Status allocate(uint64_t offset, uint64_t length) = 0;
  virtual Status truncate(uint64_t size) = 0;
  virtual Result<uint64_t> size() = 0;
  virtual Status close() = 0;
  virtual const std::string& path() const = 0;
};

enum class OpenMode {
  kCreateNew,         // fails if the file exists
  kOpenExisting,      // fails if it does not
  kCreateOrTruncate,  // empties an existing file
};

class Env {
 public:
  virtual ~Env() = default;

  virtual Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                              OpenMode mode) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> open_readable(const std::string& path) = 0;

  virtual bool file_exists(const std::string& path) = 0;
  virtual Result<uint64_t> file_size(const std::string& path) = 0;
  // Entry names (not paths) in `dir`, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  // Creates `dir` and any missing parents; succeeds if it already exists.
  virtual Status create_dirs(const std::string& dir) = 0;
  // Makes creations, renames and removals of entries in `dir` durable (fsync of the dir).
  virtual Status sync_dir(const std::string& dir) = 0;
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  virtual Status remove(const std::string& path) = 0;

  // Monotonic time in microseconds, for measuring I/O latency (fsync warnings).
  virtual uint64_t now_micros() = 0;

  // Reads a whole file (small files: headers, epoch files, tests).
  Result<std::string> read_file(const std::string& path);
  // Reads [offset, offset+n) of a file; shorter at end of file.
  Result<std::string> read_range(const std::string& path, uint64_t offset, size_t n);
  // Shortens (or extends with zeros) the file at `path` and syncs it.
  Status truncate_file(const std::string& path, uint64_t size);
};

// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".").
std::string parent_dir(const std::string& path);
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace paddock::storage
