#pragma once
// PosixEnv: the real disk, through pread/pwrite/fdatasync/posix_fallocate/ftruncate.
#include "storage/env.h"

namespace paddock::storage {

class PosixEnv final : public Env {
 public:
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
};

}  // namespace paddock::storage
