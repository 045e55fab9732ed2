#pragma once
// NodeTable: the DataTree's nodes by path, and their owner. An open-addressing hash set of
// Znode pointers keyed by the path stored in each node (no separate key string), with
// linear probing and a byte per slot holding 7 bits of the hash, so a probe rarely touches a
// node that does not match. Deletion shifts entries back (no tombstones). At most 7/8 full:
// 9 bytes per slot, 10-21 bytes per node. Nodes do not store their hash (it would cost a
// 16-byte size class for half of all path lengths): growing the table and shifting entries
// back after a delete hash the paths again, next to the cache miss that reading them costs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "state/znode.h"

namespace paddock::state {

class NodeTable {
 public:
  NodeTable() = default;
  ~NodeTable();
  NodeTable(NodeTable&&) noexcept;
  NodeTable& operator=(NodeTable&&) noexcept;
  NodeTable(const NodeTable&) = delete;
  NodeTable& operator=(const NodeTable&) = delete;

  static uint32_t hash(std::string_view path);

  size_t size() const { return size_; }
  Znode* find(std::string_view path) const { return find(path, hash(path)); }
  Znode* find(std::string_view path, uint32_t hash) const;
  // Creates a node for `path`, which must not be in the table yet.
  Znode* create(std::string_view path) { return create(path, hash(path)); }
  Znode* create(std::string_view path, uint32_t hash);
  // Removes the node from the table and frees it.
  void destroy(Znode* node);
  // Sets a node's data (nullopt: null data), with the table's allocator.
  void set_data(Znode* node, std::optional<std::string_view> data) { node->set_data(data, alloc_); }
  // Room for `n` nodes without growing.
  void reserve(size_t n);

  // Every node, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < capacity_; ++i) {
      if (tags_[i] != 0) f(*slots_[i]);
    }
  }

 private:
  static uint8_t tag_of(uint32_t hash) { return static_cast<uint8_t>(0x80 | (hash >> 25)); }
  size_t home(const Znode* node) const { return hash(node->path()) & (capacity_ - 1); }
  void insert(Znode* node, uint32_t hash);  // no growth check
  void rehash(size_t capacity);
  void clear();

  NodeAlloc alloc_;  // the nodes and their data (declared first: freed last)
  std::unique_ptr<Znode*[]> slots_;
  std::unique_ptr<uint8_t[]> tags_;  // 0: empty; 0x80 | top 7 hash bits: full
  size_t capacity_ = 0;              // 0 or a power of two
  size_t size_ = 0;
};

}  // namespace paddock::state
