#pragma once
// Quota bookkeeping shared with ZooKeeper: limits live in
// /zookeeper/quota<path>/zookeeper_limits and the usage ZooKeeper keeps current in memory in
// /zookeeper/quota<path>/zookeeper_stats, both as StatsTrack text:
//   "count=5,bytes=-1"                                              (3.4 style, soft only)
//   "count=-1,bytes=-1=;byteHardLimit=100;countHardLimit=3"         (3.7+, as zkCli writes)
// A missing field reads as -1 (no limit).
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paddock::state {

inline constexpr std::string_view kQuotaRoot = "/zookeeper/quota";
inline constexpr std::string_view kQuotaLimitNode = "zookeeper_limits";
inline constexpr std::string_view kQuotaStatNode = "zookeeper_stats";

std::string quota_limits_path(std::string_view path);  // /zookeeper/quota<path>/zookeeper_limits
std::string quota_stats_path(std::string_view path);   // /zookeeper/quota<path>/zookeeper_stats

// One StatsTrack value. Keys other than count and bytes keep the order they were read in.
struct QuotaStats {
  int64_t count = -1;
  int64_t bytes = -1;
  std::vector<std::pair<std::string, int64_t>> extra;

  int64_t value(std::string_view key) const;  // -1 when absent
  int64_t count_hard_limit() const { return value("countHardLimit"); }
  int64_t byte_hard_limit() const { return value("byteHardLimit"); }
  void set(std::string_view key, int64_t v);

  static QuotaStats parse(std::string_view text);
  std::string to_string() const;
  friend bool operator==(const QuotaStats&, const QuotaStats&) = default;
};

// The paths that have a limits node (ZooKeeper's PathTrie of quota paths).
class QuotaIndex {
 public:
  bool empty() const { return paths_.empty(); }
  void add(std::string_view path) { paths_.emplace(path); }
  void remove(std::string_view path);
  // The deepest quota path that is `path` or one of its ancestors (whole components), as a
  // prefix of `path`; never "/" (ZooKeeper keeps no quota on the root).
  std::optional<std::string_view> max_prefix(std::string_view path) const;
  const std::set<std::string, std::less<>>& paths() const { return paths_; }

 private:
  std::set<std::string, std::less<>> paths_;
};

}  // namespace paddock::state
