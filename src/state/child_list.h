#pragma once
// ChildList: a znode's children, ordered by name, as pointers to the child nodes (the tree's
// node table owns them). A node without children pays one null pointer. Up to kChunkMax
// children live in one sorted array; past that in a list of sorted chunks of at most
// kChunkMax pointers each, so an insert or erase moves at most one chunk (plus the chunk
// index) and a million random-order inserts under one parent stay O(n log n). Appending
// after the last name (sequential nodes, snapshot loading) fills chunks completely.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace paddock::state {

class Znode;

class ChildList {
 public:
  static constexpr uint32_t kChunkMax = 512;

  ChildList() = default;
  ~ChildList() { clear(); }
  ChildList(const ChildList&) = delete;
  ChildList& operator=(const ChildList&) = delete;

  size_t size() const;
  bool empty() const { return rep_ == nullptr; }

  // Forward iteration in name order. Any change to the list invalidates iterators.
  class Iterator {
   public:
    using value_type = const Znode*;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    const Znode* operator*() const;
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator&) const = default;

   private:
    friend class ChildList;
    Iterator(const ChildList* list, uint32_t chunk, uint32_t pos)
        : list_(list), chunk_(chunk), pos_(pos) {}
    const ChildList* list_ = nullptr;
    uint32_t chunk_ = 0;
    uint32_t pos_ = 0;
  };
  Iterator begin() const { return Iterator(this, 0, 0); }
  Iterator end() const;
  // The first child whose name is >= / > `name`.
  Iterator lower_bound(std::string_view name) const;
  Iterator upper_bound(std::string_view name) const;

  Znode* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  // Adds a child; its name must not be listed yet.
  void insert(Znode* child);
  // Removes the child with that name; returns it, or nullptr if none.
  Znode* erase(std::string_view name);
  // Forgets every child (frees the list's own memory, not the nodes).
  void clear();

 private:
  struct Head;
  struct Chunk;
  struct Many;
  struct Pos {
    uint32_t chunk;
    uint32_t pos;
    bool found;
  };

  uint32_t chunk_count() const;
  Chunk* chunk(uint32_t i) const;
  Chunk* resize_chunk(uint32_t i, uint32_t cap);
  Pos locate(std::string_view name) const;  // lower bound, and whether it is an exact match
  void insert_at(uint32_t ci, uint32_t pos, Znode* child);
  void add_chunk(uint32_t at, Chunk* c);  // inserts a chunk into the chunk index
  void remove_chunk(uint32_t at);         // drops an (empty) chunk from the index, frees it

  Head* rep_ = nullptr;  // nullptr, one Chunk, or Many chunks (Head says which)
};

}  // namespace paddock::state
