#pragma once
// FaultInjectingEnv: an in-memory file system for tests. It counts every operation, fails
// chosen ones (ENOSPC, EIO, ...), and simulates a power failure: crash() drops every byte that
// was not synced and every file whose creation was not made durable by sync_dir().
// Simplifications: renames and removals are durable at once; directories always exist once
// created. Thread-safe; the env must outlive the files it opened.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "storage/env.h"

namespace paddock::storage {

class FaultInjectingEnv final : public Env {
 public:
  enum class Op { kCreate, kWrite, kSync, kAllocate, kTruncate, kSyncDir, kRename, kRemove };
  static constexpr size_t kOpCount = 8;

  struct Fault {
    Op op = Op::kWrite;
    int nth = 1;               // 1 = the next call of `op` fails
    int error = 5;             // errno value reported (EIO by default)
    bool sticky = false;       // every later call of `op` fails too, until clear_faults()
    size_t partial_bytes = 0;  // a failing write still stores this many leading bytes
  };

  // Installs (replacing any earlier one for the same op) a fault.
  void inject(const Fault& fault);
  void clear_faults();

  // Power failure: files roll back to their synced contents; files created since their
  // directory was last synced disappear; handles opened before fail from now on.
  void crash();

  // How many times `op` was called (failed calls included).
  uint64_t calls(Op op) const;

  // Virtual monotonic clock (now_micros). Each file sync advances it by the sync latency.
  void advance_clock(uint64_t micros);
  void set_sync_latency(uint64_t micros);
  // Runs at the start of every file sync, outside the env's lock (tests use it to hold a
  // sync until they have queued more work).
  void set_sync_hook(std::function<void()> hook);

  // Test access to contents, bypassing faults. set_contents() makes the file durable.
  std::string contents(const std::string& path) const;
  void set_contents(const std::string& path, std::string data);
  std::set<std::string> file_names() const;  // full paths

  // Env
  Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path,
                                                      OpenMode mode) override;
  Result<std::unique_ptr<RandomAccessFile>> open_readable(const std::string& path) override;
  bool file_exists(const std::string& path) override;
  Result<uint64_t> file_size(const std::string& path) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  Status create_dirs(const std::string& dir) override;
  Status sync_dir(const std::string& dir) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  uint64_t now_micros() override;

 private:
  struct FileState {
    std::string data;     // what reads see
    std::string durable;  // what survives crash()
    bool entry_durable = false;
  };
  class MemWritableFile;
  class MemRandomAccessFile;
  friend class MemWritableFile;
  friend class MemRandomAccessFile;

  struct FaultState {
    bool armed = false;
    int countdown = 0;
    bool firing = false;  // sticky fault already hit
    Fault fault;
  };

  // Counts the call and returns the injected error, if this call is to fail. Sets
  // *partial to the bytes a failing write still stores.
  Status check_locked(Op op, const std::string& path, size_t* partial = nullptr);
  Status check_handle_locked(uint64_t generation, const std::string& path) const;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;
  std::set<std::string> dirs_;
  std::array<uint64_t, kOpCount> calls_{};
  std::array<FaultState, kOpCount> faults_{};
  uint64_t generation_ = 0;
  uint64_t clock_micros_ = 1'000'000;
  uint64_t sync_latency_micros_ = 0;
  std::function<void()> sync_hook_;
};

}  // namespace paddock::storage
