#include "storage/posix_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace paddock::storage {
namespace {

Status os_error(std::string_view what, const std::string& path, int err) {
  return Status::error(fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status read(uint64_t offset, size_t n, std::string* out) override {
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t r =
          ::pread(fd_, out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return os_error("pread", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::ok();
  }

  Result<uint64_t> size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return os_error("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t end)
      : path_(std::move(path)), fd_(fd), end_(end) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status write_at(uint64_t offset, std::string_view data) override {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t r =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return os_error("pwrite", path_, errno);
      }
      done += static_cast<size_t>(r);
    }
    end_ = std::max(end_, offset + data.size());
    return Status::ok();
  }

  Status append(std::string_view data) override { return write_at(end_, data); }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return os_error("fdatasync", path_, errno);
    return Status::ok();
  }

  Status allocate(uint64_t offset, uint64_t length) override {
    // posix_fallocate falls back to writing zeros where the file system lacks fallocate.
    const int err = ::posix_fallocate(fd_, static_cast<off_t>(offset), static_cast<off_t>(length));
    if (err != 0) return os_error("fallocate", path_, err);
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return os_error("ftruncate", path_, errno);
    end_ = std::min(end_, size);
    return Status::ok();
  }

  Result<uint64_t> size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return os_error("fstat", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status close() override {
    if (fd_ < 0) return Status::ok();
    const int r = ::close(fd_);
    fd_ = -1;
    if (r != 0) return os_error("close", path_, errno);
    return Status::ok();
  }

  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t end_;  // where append() writes next
};

}  // namespace

Result<std::unique_ptr<WritableFile>> PosixEnv::open_writable(const std::string& path,
                                                              OpenMode mode) {
  int flags = O_WRONLY | O_CLOEXEC;
  switch (mode) {
    case OpenMode::kCreateNew:
      flags |= O_CREAT | O_EXCL;
      break;
    case OpenMode::kOpenExisting:
      break;
    case OpenMode::kCreateOrTruncate:
      flags |= O_CREAT | O_TRUNC;
      break;
  }
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) return os_error("open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return os_error("fstat", path, err);
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<PosixWritableFile>(path, fd, static_cast<uint64_t>(st.st_size)));
}

Result<std::unique_ptr<RandomAccessFile>> PosixEnv::open_readable(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("open", path, errno);
  return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
}

bool PosixEnv::file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<uint64_t> PosixEnv::file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return os_error("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Result<std::vector<std::string>> PosixEnv::list_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return os_error("opendir", dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return os_error("readdir", dir, err);
  return names;
}

Status PosixEnv::create_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error(fmt::format("mkdir {}: {}", dir, ec.message()));
  return Status::ok();
}

Status PosixEnv::sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("open", dir, errno);
  const int r = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (r != 0) return os_error("fsync", dir, err);
  return Status::ok();
}

Status PosixEnv::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return os_error("rename", fmt::format("{} -> {}", from, to), errno);
  }
  return Status::ok();
}

Status PosixEnv::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return os_error("unlink", path, errno);
  return Status::ok();
}

uint64_t PosixEnv::now_micros() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}

}  // namespace paddock::storage
