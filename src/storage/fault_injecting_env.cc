#include "storage/fault_injecting_env.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace paddock::storage {
namespace {

size_t op_index(FaultInjectingEnv::Op op) { return static_cast<size_t>(op); }

Status errno_status(std::string_view what, const std::string& path, int err) {
  return Status::error(fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

const char* op_name(FaultInjectingEnv::Op op) {
  using Op = FaultInjectingEnv::Op;
  switch (op) {
    case Op::kCreate:
      return "open";
    case Op::kWrite:
      return "pwrite";
    case Op::kSync:
      return "fdatasync";
    case Op::kAllocate:
      return "fallocate";
    case Op::kTruncate:
      return "ftruncate";
    case Op::kSyncDir:
      return "fsync";
    case Op::kRename:
      return "rename";
    case Op::kRemove:
      return "unlink";
  }
  return "?";
}

}  // namespace

class FaultInjectingEnv::MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(FaultInjectingEnv* env, std::string path, std::shared_ptr<FileState> file,
                  uint64_t generation)
      : env_(env),
        path_(std::move(path)),
        file_(std::move(file)),
        generation_(generation),
        end_(file_->data.size()) {}

  Status write_at(uint64_t offset, std::string_view data) override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    size_t partial = 0;
    Status st = env_->check_locked(Op::kWrite, path_, &partial);
    const std::string_view stored = st ? data : data.substr(0, std::min(partial, data.size()));
    std::string& d = file_->data;
    if (d.size() < offset + stored.size()) d.resize(offset + stored.size(), '\0');
    std::memcpy(d.data() + offset, stored.data(), stored.size());
    end_ = std::max<uint64_t>(end_, offset + stored.size());
    return st;
  }

  Status append(std::string_view data) override { return write_at(end_, data); }

  Status sync() override {
    std::function<void()> hook;
    {
      std::lock_guard lock(env_->mu_);
      hook = env_->sync_hook_;
    }
    if (hook) hook();
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    env_->clock_micros_ += env_->sync_latency_micros_;
    if (Status st = env_->check_locked(Op::kSync, path_); !st) return st;
    file_->durable = file_->data;
    return Status::ok();
  }

  Status allocate(uint64_t offset, uint64_t length) override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    if (Status st = env_->check_locked(Op::kAllocate, path_); !st) return st;
    if (file_->data.size() < offset + length) file_->data.resize(offset + length, '\0');
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    if (Status st = env_->check_locked(Op::kTruncate, path_); !st) return st;
    file_->data.resize(size, '\0');
    end_ = std::min(end_, size);
    return Status::ok();
  }

  Result<uint64_t> size() override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    return static_cast<uint64_t>(file_->data.size());
  }

  Status close() override { return Status::ok(); }
  const std::string& path() const override { return path_; }

 private:
  FaultInjectingEnv* env_;
  std::string path_;
  std::shared_ptr<FileState> file_;
  uint64_t generation_;
  uint64_t end_;
};

class FaultInjectingEnv::MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(FaultInjectingEnv* env, std::string path, std::shared_ptr<FileState> file,
                      uint64_t generation)
      : env_(env), path_(std::move(path)), file_(std::move(file)), generation_(generation) {}

  Status read(uint64_t offset, size_t n, std::string* out) override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    const std::string& d = file_->data;
    if (offset >= d.size()) {
      out->clear();
    } else {
      out->assign(d, offset, std::min<uint64_t>(n, d.size() - offset));
    }
    return Status::ok();
  }

  Result<uint64_t> size() override {
    std::lock_guard lock(env_->mu_);
    if (Status st = env_->check_handle_locked(generation_, path_); !st) return st;
    return static_cast<uint64_t>(file_->data.size());
  }

 private:
  FaultInjectingEnv* env_;
  std::string path_;
  std::shared_ptr<FileState> file_;
  uint64_t generation_;
};

void FaultInjectingEnv::inject(const Fault& fault) {
  std::lock_guard lock(mu_);
  FaultState& f = faults_[op_index(fault.op)];
  f = FaultState{};
  f.armed = true;
  f.countdown = fault.nth;
  f.fault = fault;
}

void FaultInjectingEnv::clear_faults() {
  std::lock_guard lock(mu_);
  faults_ = {};
}

void FaultInjectingEnv::crash() {
  std::lock_guard lock(mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    if (!it->second->entry_durable) {
      it = files_.erase(it);
      continue;
    }
    it->second->data = it->second->durable;
    ++it;
  }
  ++generation_;
}

uint64_t FaultInjectingEnv::calls(Op op) const {
  std::lock_guard lock(mu_);
  return calls_[op_index(op)];
}

void FaultInjectingEnv::advance_clock(uint64_t micros) {
  std::lock_guard lock(mu_);
  clock_micros_ += micros;
}

void FaultInjectingEnv::set_sync_latency(uint64_t micros) {
  std::lock_guard lock(mu_);
  sync_latency_micros_ = micros;
}

void FaultInjectingEnv::set_sync_hook(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  sync_hook_ = std::move(hook);
}

std::string FaultInjectingEnv::contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? std::string() : it->second->data;
}

void FaultInjectingEnv::set_contents(const std::string& path, std::string data) {
  std::lock_guard lock(mu_);
  auto& file = files_[path];
  if (!file) file = std::make_shared<FileState>();
  file->data = data;
  file->durable = std::move(data);
  file->entry_durable = true;
}

std::set<std::string> FaultInjectingEnv::file_names() const {
  std::lock_guard lock(mu_);
  std::set<std::string> names;
  for (const auto& [path, file] : files_) names.insert(path);
  return names;
}

Status FaultInjectingEnv::check_locked(Op op, const std::string& path, size_t* partial) {
  ++calls_[op_index(op)];
  FaultState& f = faults_[op_index(op)];
  if (!f.armed) return Status::ok();
  if (!f.firing) {
    if (--f.countdown > 0) return Status::ok();
    f.firing = true;
  }
  if (!f.fault.sticky) f.armed = false;
  if (partial != nullptr) *partial = f.fault.partial_bytes;
  return errno_status(op_name(op), path, f.fault.error);
}

Status FaultInjectingEnv::check_handle_locked(uint64_t generation, const std::string& path) const {
  if (generation != generation_) return errno_status("stale handle (crashed)", path, EIO);
  return Status::ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectingEnv::open_writable(const std::string& path,
                                                                       OpenMode mode) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (mode == OpenMode::kOpenExisting) {
    if (it == files_.end()) return errno_status("open", path, ENOENT);
  } else {
    if (mode == OpenMode::kCreateNew && it != files_.end()) {
      return errno_status("open", path, EEXIST);
    }
    if (!dirs_.contains(parent_dir(path))) return errno_status("open", path, ENOENT);
    if (Status st = check_locked(Op::kCreate, path); !st) return st;
    if (it == files_.end()) {
      it = files_.emplace(path, std::make_shared<FileState>()).first;
    } else {
      it->second->data.clear();
    }
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<MemWritableFile>(this, path, it->second, generation_));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectingEnv::open_readable(
    const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return errno_status("open", path, ENOENT);
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<MemRandomAccessFile>(this, path, it->second, generation_));
}

bool FaultInjectingEnv::file_exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.contains(path) || dirs_.contains(path);
}

Result<uint64_t> FaultInjectingEnv::file_size(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return errno_status("stat", path, ENOENT);
  return static_cast<uint64_t>(it->second->data.size());
}

Result<std::vector<std::string>> FaultInjectingEnv::list_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(dir)) return errno_status("opendir", dir, ENOENT);
  std::vector<std::string> names;
  for (const auto& [path, file] : files_) {
    if (parent_dir(path) == dir) names.push_back(path.substr(path.find_last_of('/') + 1));
  }
  for (const auto& d : dirs_) {
    if (d != dir && parent_dir(d) == dir) names.push_back(d.substr(d.find_last_of('/') + 1));
  }
  return names;
}

Status FaultInjectingEnv::create_dirs(const std::string& dir) {
  std::lock_guard lock(mu_);
  for (std::string d = dir; !d.empty() && d != "." && d != "/"; d = parent_dir(d)) {
    dirs_.insert(d);
    if (d.find('/') == std::string::npos) break;
  }
  return Status::ok();
}

Status FaultInjectingEnv::sync_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (!dirs_.contains(dir)) return errno_status("open", dir, ENOENT);
  if (Status st = check_locked(Op::kSyncDir, dir); !st) return st;
  for (auto& [path, file] : files_) {
    if (parent_dir(path) == dir) file->entry_durable = true;
  }
  return Status::ok();
}

Status FaultInjectingEnv::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return errno_status("rename", from, ENOENT);
  if (Status st = check_locked(Op::kRename, from); !st) return st;
  auto file = it->second;
  files_.erase(it);
  file->entry_durable = true;
  files_[to] = std::move(file);
  return Status::ok();
}

Status FaultInjectingEnv::remove(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return errno_status("unlink", path, ENOENT);
  if (Status st = check_locked(Op::kRemove, path); !st) return st;
  files_.erase(it);
  return Status::ok();
}

uint64_t FaultInjectingEnv::now_micros() {
  std::lock_guard lock(mu_);
  return clock_micros_;
}

}  // namespace paddock::storage
