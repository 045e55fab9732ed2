#pragma once
// Znode: one node of the DataTree, laid out for memory (docs/benchmarks.md, Finding 6).
//
// One allocation holds the fixed fields and the node's full path; the name is the path's
// last component (a view, not a copy). The data is a tagged word: null data, up to 7 bytes
// inline, or a pointer to an exact-size block. Children are a ChildList of pointers to the
// child nodes, ordered by name (nothing allocated for a leaf). The tree's NodeTable hashes
// nodes by the path stored in them, so no separate key is kept. The fixed part is 88 bytes
// (every 8 saved here is a 16-byte malloc size class for half of all path lengths): the name
// and the hash are computed from the path when needed rather than stored. A 100-byte znode
// with a 32-byte path costs 88 + 32 bytes of node (a 128-byte malloc chunk), 104 of data (112),
// and a pointer in its parent's list and in the node table (~9-21 bytes).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proto/types.h"
#include "state/child_list.h"
#include "state/node_alloc.h"

namespace paddock::state {

// A node's data: ZooKeeper's null data (length -1) kept apart from empty data. Its block
// comes from the tree's NodeAlloc, so the owner must release() it before it goes away.
class NodeBytes {
 public:
  static constexpr size_t kInlineMax = 7;

  NodeBytes() { set_inline_empty(); }
  NodeBytes(const NodeBytes&) = delete;
  NodeBytes& operator=(const NodeBytes&) = delete;

  bool is_null() const { return word_ == 0; }
  std::string_view view() const;  // empty for null data
  void assign(std::optional<std::string_view> bytes, NodeAlloc& alloc);
  void release(NodeAlloc& alloc);  // back to empty data

 private:
  struct Block;  // uint32_t length, then the bytes
  // 0: null. Low bit 1: inline (low byte = length << 1 | 1, the bytes in the next seven;
  // little-endian). Otherwise a Block* (8-byte aligned, so its low bit is 0).
  uintptr_t word_;

  void set_inline_empty() { word_ = 1; }
};

class Znode {
 public:
  proto::StatPersisted stat;  // cversion here counts child creates (see proto::StatPersisted)
  uint32_t acl_id = 0;        // index into the tree's ACL table (shared by identical lists)

  // The full path ("/" for the root) and the last component ("" for the root).
  std::string_view path() const { return {path_chars(), path_len_}; }
  std::string_view name() const { return path().substr(path().rfind('/') + 1); }

  // ZooKeeper's null data (created or set with a buffer of length -1) is kept apart from
  // empty data: getData answers a null buffer and snapshots write length -1. It counts as
  // empty everywhere else (dataLength 0, quotas, digest).
  std::string_view data() const { return data_.view(); }
  bool data_null() const { return data_.is_null(); }
  size_t data_size() const { return data().size(); }
  // The data as ZooKeeper holds it: nullopt for null data.
  proto::NodeData nullable_data() const {
    return data_null() ? proto::NodeData() : proto::NodeData(std::string(data()));
  }
  // The same without a copy (for snapshot writers): nullopt for null data.
  std::optional<std::string_view> data_view() const {
    return data_null() ? std::optional<std::string_view>()
                       : std::optional<std::string_view>(data());
  }

  const ChildList& children() const { return children_; }

  // --- for the DataTree, which owns the nodes and hands out only const Znode* ---------------
  // A node for `path` (empty data, zero stat), and its end; both with the tree's allocator.
  static Znode* make(std::string_view path, NodeAlloc& alloc);
  static void destroy(Znode* node, NodeAlloc& alloc);
  ChildList& children() { return children_; }
  // nullopt: null data. A proto::NodeData or a std::string converts.
  void set_data(std::optional<std::string_view> bytes, NodeAlloc& alloc) {
    data_.assign(bytes, alloc);
  }

 private:
  explicit Znode(uint32_t path_len) : path_len_(path_len) {}
  ~Znode() = default;
  Znode(const Znode&) = delete;
  Znode& operator=(const Znode&) = delete;
  // The path's bytes follow the node in the same allocation.
  const char* path_chars() const { return reinterpret_cast<const char*>(this + 1); }

  uint32_t path_len_;  // fills the 8-byte word with acl_id
  NodeBytes data_;
  ChildList children_;
};

}  // namespace paddock::state
