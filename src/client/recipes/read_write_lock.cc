#include "client/recipes/read_write_lock.h"

namespace paddock::client::recipes {
namespace {

constexpr const char* kRead = "read-";
constexpr const char* kWrite = "write-";

std::optional<std::string> reader_waits_for(const std::vector<std::string>& sorted, size_t mine) {
  for (size_t i = mine; i-- > 0;) {
    if (sorted[i].find(kWrite) != std::string::npos) return sorted[i];
  }
  return std::nullopt;
}

std::optional<std::string> writer_waits_for(const std::vector<std::string>& sorted, size_t mine) {
  if (mine == 0) return std::nullopt;
  return sorted[mine - 1];
}

}  // namespace

ReadWriteLock::ReadWriteLock(Client& client, const std::string& dir)
    : read_(client, dir, kRead, {kRead, kWrite}, reader_waits_for),
      write_(client, dir, kWrite, {kRead, kWrite}, writer_waits_for) {}

}  // namespace paddock::client::recipes
