#include "state/node_alloc.h"

#include <algorithm>
#include <new>
#include <utility>

#include "util/assert.h"

namespace paddock::state {

NodeAlloc::NodeAlloc(NodeAlloc&& other) noexcept
    : free_(std::exchange(other.free_, {})),
      next_(std::exchange(other.next_, nullptr)),
      end_(std::exchange(other.end_, nullptr)),
      slabs_(std::move(other.slabs_)),
      slab_bytes_(std::exchange(other.slab_bytes_, 0)) {
  other.slabs_.clear();
}

NodeAlloc& NodeAlloc::operator=(NodeAlloc&& other) noexcept {
  if (this != &other) {
    clear();
    free_ = std::exchange(other.free_, {});
    next_ = std::exchange(other.next_, nullptr);
    end_ = std::exchange(other.end_, nullptr);
    slabs_ = std::move(other.slabs_);
    other.slabs_.clear();
    slab_bytes_ = std::exchange(other.slab_bytes_, 0);
  }
  return *this;
}

void NodeAlloc::clear() {
  for (void* slab : slabs_) ::operator delete(slab);
  slabs_.clear();
  free_ = {};
  next_ = end_ = nullptr;
  slab_bytes_ = 0;
}

void* NodeAlloc::allocate(size_t size) {
  PADDOCK_ASSERT(size > 0);
  if (!kUsesSlabs || size > kMaxSmall) return ::operator new(size);
  const size_t c = class_of(size);
  if (FreeBlock* b = free_[c]) {
    free_[c] = b->next;
    return b;
  }
  const size_t bytes = c * kGrain;
  if (static_cast<size_t>(end_ - next_) < bytes) new_slab(bytes);
  void* out = next_;
  next_ += bytes;
  return out;
}

void NodeAlloc::deallocate(void* p, size_t size) {
  if (!kUsesSlabs || size > kMaxSmall) {
    ::operator delete(p);
    return;
  }
  const size_t c = class_of(size);
  auto* b = static_cast<FreeBlock*>(p);
  b->next = free_[c];
  free_[c] = b;
}

// Slabs double from 4 KiB to 256 KiB, so a small tree (tests, tools) stays small. What is
// left of the previous slab goes on a free list rather than being lost.
void NodeAlloc::new_slab(size_t at_least) {
  if (size_t rest = static_cast<size_t>(end_ - next_); rest >= kGrain) {
    deallocate(next_, std::min(rest, kMaxSmall) / kGrain * kGrain);
  }
  size_t size = std::clamp(slab_bytes_, kFirstSlab, kMaxSlab);
  size = std::max(size, at_least);
  void* slab = ::operator new(size);
  slabs_.push_back(slab);
  slab_bytes_ += size;
  next_ = static_cast<char*>(slab);
  end_ = next_ + size;
}

}  // namespace paddock::state
