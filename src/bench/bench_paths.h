#pragma once
// The znodes a bench run uses, all under one root (default /paddock-bench):
//   <root>/k/00000000 ..   the keys that get/set/exists/multi address (payload bytes each)
//   <root>/seq/n-NNNNNNNNNN persistent sequential creates (and their deletes)
//   <root>/eph/n-NNNNNNNNNN ephemeral sequential creates
//   <root>/fill/n-NNNNNNNNNN the memory fill
//   <root>/watch            the node the watch fan-out sets
// Key paths are laid out once in one block of fixed-width names, so the hot path takes a
// string_view into it instead of formatting a path per request.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::bench {

class BenchPaths {
 public:
  BenchPaths(std::string root, uint32_t keys);

  const std::string& root() const { return root_; }
  std::string_view key(uint32_t i) const {
    return std::string_view(key_block_.data() + static_cast<size_t>(i) * key_width_, key_width_);
  }
  uint32_t keys() const { return keys_; }
  const std::string& seq_prefix() const { return seq_prefix_; }
  const std::string& eph_prefix() const { return eph_prefix_; }
  const std::string& fill_prefix() const { return fill_prefix_; }
  const std::string& watch_node() const { return watch_node_; }
  // The root and its folders, parents first.
  std::vector<std::string> folders() const;

 private:
  std::string root_;
  uint32_t keys_;
  size_t key_width_ = 0;
  std::string key_block_;
  std::string seq_prefix_;
  std::string eph_prefix_;
  std::string fill_prefix_;
  std::string watch_node_;
};

}  // namespace paddock::bench
