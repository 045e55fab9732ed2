#pragma once
// NodeAlloc: memory for znodes and their data blocks. Requests up to kMaxSmall bytes are
// rounded up to 8 and carved from slabs with no per-block header; a freed block goes on the
// free list of its size and is reused for the same size. Larger requests go to operator new.
//
// Why not malloc: each znode is two long-lived blocks (node + path, data). malloc adds an
// 8-byte header and rounds to 16 (16 bytes per znode), and the server's short-lived
// allocations between them leave small holes that a long fill never refills (~30 bytes per
// znode measured with malloc_info at 1M znodes). Slabs hold nothing else.
//
// Freed small blocks stay with this allocator until it is destroyed (the tree's memory does
// not shrink after mass deletes, as a JVM's heap does not). Single-threaded, like the tree.
#include <array>
#include <cstddef>
#include <vector>

namespace paddock::state {

class NodeAlloc {
 public:
  static constexpr size_t kMaxSmall = 512;
  // Under AddressSanitizer every block comes from operator new, so ASan sees each node's
  // lifetime: a slab would hide a use of a freed node behind memory that is still mapped.
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kUsesSlabs = false;
#else
  static constexpr bool kUsesSlabs = true;
#endif

  NodeAlloc() = default;
  ~NodeAlloc() { clear(); }
  NodeAlloc(NodeAlloc&& other) noexcept;
  NodeAlloc& operator=(NodeAlloc&& other) noexcept;
  NodeAlloc(const NodeAlloc&) = delete;
  NodeAlloc& operator=(const NodeAlloc&) = delete;

  // 8-byte aligned. `size` > 0.
  void* allocate(size_t size);
  // `size` as given to allocate().
  void deallocate(void* p, size_t size);
  // Frees every slab: blocks not deallocated yet become invalid.
  void clear();

  size_t slab_bytes() const { return slab_bytes_; }

 private:
  static constexpr size_t kGrain = 8;
  static constexpr size_t kFirstSlab = 4096;
  static constexpr size_t kMaxSlab = 256 * 1024;
  struct FreeBlock {
    FreeBlock* next;
  };
  static size_t class_of(size_t size) { return (size + kGrain - 1) / kGrain; }
  void new_slab(size_t at_least);

  std::array<FreeBlock*, kMaxSmall / kGrain + 1> free_{};  // by size / 8
  char* next_ = nullptr;                                   // bump region of the newest slab
  char* end_ = nullptr;
  std::vector<void*> slabs_;
  size_t slab_bytes_ = 0;
};

}  // namespace paddock::state
