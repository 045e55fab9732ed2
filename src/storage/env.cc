#include "storage/env.h"

namespace paddock::storage {

Result<std::string> Env::read_file(const std::string& path) {
  auto file = open_readable(path);
  if (!file) return file.status();
  auto size = (*file)->size();
  if (!size) return size.status();
  std::string out;
  Status st = (*file)->read(0, static_cast<size_t>(*size), &out);
  if (!st) return st;
  return out;
}

Result<std::string> Env::read_range(const std::string& path, uint64_t offset, size_t n) {
  auto file = open_readable(path);
  if (!file) return file.status();
  std::string out;
  Status st = (*file)->read(offset, n, &out);
  if (!st) return st;
  return out;
}

Status Env::truncate_file(const std::string& path, uint64_t size) {
  auto file = open_writable(path, OpenMode::kOpenExisting);
  if (!file) return file.status();
  Status st = (*file)->truncate(size);
  if (st) st = (*file)->sync();
  Status closed = (*file)->close();
  return st ? closed : st;
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace paddock::storage
