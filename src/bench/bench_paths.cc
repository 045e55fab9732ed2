#include "bench/bench_paths.h"

#include <fmt/format.h>

namespace paddock::bench {

BenchPaths::BenchPaths(std::string root, uint32_t keys)
    : root_(std::move(root)),
      keys_(keys),
      seq_prefix_(root_ + "/seq/n-"),
      eph_prefix_(root_ + "/eph/n-"),
      fill_prefix_(root_ + "/fill/n-"),
      watch_node_(root_ + "/watch") {
  std::string prefix = root_ + "/k/";
  key_width_ = prefix.size() + 8;
  key_block_.reserve(key_width_ * keys_);
  for (uint32_t i = 0; i < keys_; ++i) key_block_ += fmt::format("{}{:08d}", prefix, i);
}

std::vector<std::string> BenchPaths::folders() const {
  return {root_, root_ + "/k", root_ + "/seq", root_ + "/eph", root_ + "/fill", watch_node_};
}

}  // namespace paddock::bench
