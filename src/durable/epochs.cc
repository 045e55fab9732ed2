#include "durable/epochs.h"

#include <fmt/format.h>

#include <charconv>

namespace paddock::durable {
namespace {

Result<int64_t> read_epoch_file(storage::Env& env, const std::string& path) {
  auto text = env.read_file(path);
  if (!text) return text.status();
  int64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    return Status::error(fmt::format("{}: holds \"{}\", not an epoch (a decimal number)", path,
                                     text->substr(0, 40)));
  }
  return value;
}

Result<int64_t> load_or_derive(storage::Env& env, const std::string& dir, const char* name,
                               int64_t derived) {
  const std::string path = storage::join_path(dir, name);
  if (env.file_exists(path)) return read_epoch_file(env, path);
  if (Status s = write_epoch_file(env, dir, name, derived); !s) return s;
  return derived;
}

}  // namespace

Status write_epoch_file(storage::Env& env, const std::string& dir, const std::string& name,
                        int64_t epoch) {
  if (Status s = env.create_dirs(dir); !s) return s;
  const std::string path = storage::join_path(dir, name);
  const std::string tmp = path + ".tmp";
  auto file = env.open_writable(tmp, storage::OpenMode::kCreateOrTruncate);
  if (!file) return file.status();
  const std::string text = std::to_string(epoch);
  if (Status s = (*file)->append(text); !s) return s;
  if (Status s = (*file)->sync(); !s) return s;
  if (Status s = (*file)->close(); !s) return s;
  if (Status s = env.rename(tmp, path); !s) return s;
  return env.sync_dir(dir);
}

Result<Epochs> load_epochs(storage::Env& env, const std::string& dir, int64_t last_logged_zxid) {
  const int64_t derived = static_cast<int64_t>(static_cast<uint64_t>(last_logged_zxid) >> 32);
  Epochs epochs;
  auto current = load_or_derive(env, dir, kCurrentEpochFile, derived);
  if (!current) return current.status();
  auto accepted = load_or_derive(env, dir, kAcceptedEpochFile, *current);
  if (!accepted) return accepted.status();
  epochs.current = *current;
  epochs.accepted = *accepted;
  if (epochs.accepted < epochs.current) {
    return Status::error(fmt::format(
        "{}: acceptedEpoch {} is below currentEpoch {}: the epoch files are damaged or were "
        "edited; refusing to start",
        dir, epochs.accepted, epochs.current));
  }
  return epochs;
}

}  // namespace paddock::durable
