#include "state/quota.h"

#include <charconv>

namespace paddock::state {

std::string quota_limits_path(std::string_view path) {
  std::string out(kQuotaRoot);
  out.append(path).append("/").append(kQuotaLimitNode);
  return out;
}

std::string quota_stats_path(std::string_view path) {
  std::string out(kQuotaRoot);
  out.append(path).append("/").append(kQuotaStatNode);
  return out;
}

int64_t QuotaStats::value(std::string_view key) const {
  if (key == "count") return count;
  if (key == "bytes") return bytes;
  for (const auto& [k, v] : extra) {
    if (k == key) return v;
  }
  return -1;
}

void QuotaStats::set(std::string_view key, int64_t v) {
  if (key == "count") {
    count = v;
    return;
  }
  if (key == "bytes") {
    bytes = v;
    return;
  }
  for (auto& [k, old] : extra) {
    if (k == key) {
      old = v;
      return;
    }
  }
  extra.emplace_back(std::string(key), v);
}

// Pairs are separated by runs of ',' and ';'; in a pair the key ends at the first '=' and the
// value at the next one ("bytes=-1=" is bytes -1); an empty value is -1. Unparsable values
// are skipped rather than trusted.
QuotaStats QuotaStats::parse(std::string_view text) {
  QuotaStats out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(",;", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(i, end - i);
    i = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    value = value.substr(0, value.find('='));
    int64_t v = -1;
    if (!value.empty()) {
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || ptr != value.data() + value.size()) continue;
    }
    out.set(key, v);
  }
  return out;
}

std::string QuotaStats::to_string() const {
  std::string out = "count=" + std::to_string(count) + ",bytes=" + std::to_string(bytes);
  if (extra.empty()) return out;
  out += "=;";  // marks the newer format, as ZooKeeper's StatsTrack writes it
  for (size_t i = 0; i < extra.size(); ++i) {
    if (i > 0) out += ';';
    out += extra[i].first + "=" + std::to_string(extra[i].second);
  }
  return out;
}

void QuotaIndex::remove(std::string_view path) {
  auto it = paths_.find(path);
  if (it != paths_.end()) paths_.erase(it);
}

std::optional<std::string_view> QuotaIndex::max_prefix(std::string_view path) const {
  if (paths_.empty()) return std::nullopt;
  std::string_view at = path;
  while (!at.empty() && at != "/") {
    if (paths_.find(at) != paths_.end()) return at;
    size_t slash = at.rfind('/');
    if (slash == std::string_view::npos) break;
    at = at.substr(0, slash);
  }
  return std::nullopt;
}

}  // namespace paddock::state
