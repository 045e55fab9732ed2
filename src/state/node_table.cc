#include "state/node_table.h"

#include <functional>
#include <utility>

#include "util/assert.h"

namespace paddock::state {

namespace {
constexpr size_t kMinCapacity = 16;
bool over_load(size_t size, size_t capacity) { return size > capacity - capacity / 8; }
}  // namespace

NodeTable::~NodeTable() { clear(); }

NodeTable::NodeTable(NodeTable&& other) noexcept
    : alloc_(std::move(other.alloc_)),
      slots_(std::move(other.slots_)),
      tags_(std::move(other.tags_)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_(std::exchange(other.size_, 0)) {}

NodeTable& NodeTable::operator=(NodeTable&& other) noexcept {
  if (this != &other) {
    clear();
    alloc_ = std::move(other.alloc_);
    slots_ = std::move(other.slots_);
    tags_ = std::move(other.tags_);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void NodeTable::clear() {
  for_each([this](Znode& n) { Znode::destroy(&n, alloc_); });
  alloc_.clear();
  slots_.reset();
  tags_.reset();
  capacity_ = 0;
  size_ = 0;
}

uint32_t NodeTable::hash(std::string_view path) {
  uint64_t h = std::hash<std::string_view>{}(path);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

Znode* NodeTable::find(std::string_view path, uint32_t hash) const {
  if (capacity_ == 0) return nullptr;
  const size_t mask = capacity_ - 1;
  const uint8_t tag = tag_of(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint8_t t = tags_[i];
    if (t == 0) return nullptr;
    if (t == tag) {
      Znode* n = slots_[i];
      if (n->path() == path) return n;
    }
  }
}

Znode* NodeTable::create(std::string_view path, uint32_t hash) {
  PADDOCK_ASSERT(hash == NodeTable::hash(path));
  if (over_load(size_ + 1, capacity_)) rehash(capacity_ == 0 ? kMinCapacity : capacity_ * 2);
  Znode* node = Znode::make(path, alloc_);
  insert(node, hash);
  ++size_;
  return node;
}

void NodeTable::insert(Znode* node, uint32_t hash) {
  const size_t mask = capacity_ - 1;
  size_t i = hash & mask;
  while (tags_[i] != 0) i = (i + 1) & mask;
  tags_[i] = tag_of(hash);
  slots_[i] = node;
}

void NodeTable::destroy(Znode* node) {
  PADDOCK_ASSERT(capacity_ != 0);
  const size_t mask = capacity_ - 1;
  size_t hole = home(node);
  while (slots_[hole] != node) {
    PADDOCK_ASSERT(tags_[hole] != 0);  // the node must be in the table
    hole = (hole + 1) & mask;
  }
  // Backward-shift deletion: pull later entries of the probe run into the hole when their
  // home slot is not after it, so lookups never stop early at the hole.
  for (size_t j = (hole + 1) & mask; tags_[j] != 0; j = (j + 1) & mask) {
    // Only entries away from their home slot can move; the tag cannot tell, so hash.
    size_t at = home(slots_[j]);
    if (((j - at) & mask) >= ((j - hole) & mask)) {
      tags_[hole] = tags_[j];
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  tags_[hole] = 0;
  slots_[hole] = nullptr;
  --size_;
  Znode::destroy(node, alloc_);
}

void NodeTable::reserve(size_t n) {
  size_t capacity = capacity_ == 0 ? kMinCapacity : capacity_;
  while (over_load(n, capacity)) capacity *= 2;
  if (capacity != capacity_) rehash(capacity);
}

void NodeTable::rehash(size_t capacity) {
  std::unique_ptr<Znode*[]> old_slots = std::move(slots_);
  std::unique_ptr<uint8_t[]> old_tags = std::move(tags_);
  const size_t old_capacity = capacity_;
  slots_ = std::make_unique_for_overwrite<Znode*[]>(capacity);  // read only where tagged
  tags_ = std::make_unique<uint8_t[]>(capacity);                // zero: empty
  capacity_ = capacity;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old_tags[i] != 0) insert(old_slots[i], hash(old_slots[i]->path()));
  }
}

}  // namespace paddock::state
