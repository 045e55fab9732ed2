#include "state/znode.h"

#include <bit>
#include <cstring>
#include <new>

#include "util/assert.h"

namespace paddock::state {

static_assert(std::endian::native == std::endian::little, "NodeBytes keeps inline bytes LE");
// The node's fixed part: 64 (stat) + 4 (acl id) + 4 (path length) + 8 (data) + 8 (children).
static_assert(sizeof(void*) != 8 || sizeof(Znode) == 88, "a znode's fixed part grew");

struct NodeBytes::Block {
  uint32_t size;
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
};

std::string_view NodeBytes::view() const {
  if (word_ & 1) {
    // The bytes after the length byte, in the word's own storage.
    const auto* raw = reinterpret_cast<const char*>(&word_);
    return {raw + 1, static_cast<size_t>((word_ & 0xff) >> 1)};
  }
  if (word_ == 0) return {};
  auto* block = reinterpret_cast<Block*>(word_);
  return {block->bytes(), block->size};
}

void NodeBytes::release(NodeAlloc& alloc) {
  if (word_ != 0 && (word_ & 1) == 0) {
    auto* block = reinterpret_cast<Block*>(word_);
    alloc.deallocate(block, sizeof(Block) + block->size);
  }
  set_inline_empty();
}

void NodeBytes::assign(std::optional<std::string_view> bytes, NodeAlloc& alloc) {
  if (bytes && !(word_ & 1) && word_ != 0 && bytes->size() > kInlineMax &&
      reinterpret_cast<Block*>(word_)->size == bytes->size()) {
    // Same length as before (the common setData): reuse the block.
    std::memcpy(reinterpret_cast<Block*>(word_)->bytes(), bytes->data(), bytes->size());
    return;
  }
  release(alloc);
  if (!bytes) {
    word_ = 0;
    return;
  }
  if (bytes->size() <= kInlineMax) {
    word_ = (bytes->size() << 1) | 1;
    std::memcpy(reinterpret_cast<char*>(&word_) + 1, bytes->data(), bytes->size());
    return;
  }
  PADDOCK_ASSERT(bytes->size() <= UINT32_MAX);
  void* mem = alloc.allocate(sizeof(Block) + bytes->size());
  auto* block = new (mem) Block{static_cast<uint32_t>(bytes->size())};
  std::memcpy(block->bytes(), bytes->data(), bytes->size());
  word_ = reinterpret_cast<uintptr_t>(block);
}

Znode* Znode::make(std::string_view path, NodeAlloc& alloc) {
  PADDOCK_ASSERT(path.size() <= UINT32_MAX);
  void* mem = alloc.allocate(sizeof(Znode) + path.size());
  auto* node = new (mem) Znode(static_cast<uint32_t>(path.size()));
  std::memcpy(reinterpret_cast<char*>(node + 1), path.data(), path.size());
  return node;
}

void Znode::destroy(Znode* node, NodeAlloc& alloc) {
  node->data_.release(alloc);
  const size_t size = sizeof(Znode) + node->path_len_;
  node->~Znode();
  alloc.deallocate(node, size);
}

}  // namespace paddock::state
