#include "state/child_list.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "state/znode.h"
#include "util/assert.h"

namespace paddock::state {

namespace {
constexpr uint32_t kInitialCap = 2;        // one child: a 24-byte array
constexpr uint32_t kManyTag = UINT32_MAX;  // Head::cap of a Many
}  // namespace

// rep_ points at a Head: a Chunk (cap <= kChunkMax), or a Many (cap == kManyTag).
struct ChildList::Head {
  uint32_t size;
  uint32_t cap;
};

// A sorted array of child pointers; its `cap` slots follow the header in one allocation.
struct ChildList::Chunk : Head {
  // The slots start right after the 8-byte header, aligned for pointers.
  static_assert(sizeof(Head) % alignof(Znode*) == 0);
  Znode** items() { return reinterpret_cast<Znode**>(this + 1); }
  Znode* last() { return items()[size - 1]; }

  static Chunk* make(uint32_t cap) {
    void* mem = ::operator new (sizeof(Chunk) + size_t{cap} * sizeof(Znode*));
    Chunk* c = new (mem) Chunk;
    c->size = 0;
    c->cap = cap;
    return c;
  }
  static void free(Chunk* c) { ::operator delete(static_cast<void*>(c)); }
};

// More than one chunk: the chunks in name order, none empty.
struct ChildList::Many : Head {
  size_t total = 0;
  std::vector<Chunk*> chunks;
};

size_t ChildList::size() const {
  if (rep_ == nullptr) return 0;
  if (rep_->cap == kManyTag) return static_cast<const Many*>(rep_)->total;
  return rep_->size;
}

uint32_t ChildList::chunk_count() const {
  if (rep_ == nullptr) return 0;
  if (rep_->cap == kManyTag) return static_cast<uint32_t>(static_cast<Many*>(rep_)->chunks.size());
  return 1;
}

ChildList::Chunk* ChildList::chunk(uint32_t i) const {
  if (rep_->cap == kManyTag) return static_cast<Many*>(rep_)->chunks[i];
  return static_cast<Chunk*>(rep_);
}

// Moves chunk i to a new allocation of capacity `cap` (>= its size), frees the old one.
ChildList::Chunk* ChildList::resize_chunk(uint32_t i, uint32_t cap) {
  Chunk* old = chunk(i);
  Chunk* out = Chunk::make(cap);
  std::memcpy(out->items(), old->items(), size_t{old->size} * sizeof(Znode*));
  out->size = old->size;
  if (rep_ == old) {  // the only chunk
    rep_ = out;
  } else {
    static_cast<Many*>(rep_)->chunks[i] = out;
  }
  Chunk::free(old);
  return out;
}

const Znode* ChildList::Iterator::operator*() const { return list_->chunk(chunk_)->items()[pos_]; }

ChildList::Iterator& ChildList::Iterator::operator++() {
  if (++pos_ == list_->chunk(chunk_)->size) {
    ++chunk_;
    pos_ = 0;
  }
  return *this;
}

ChildList::Iterator ChildList::end() const { return Iterator(this, chunk_count(), 0); }

// Every child's path is the parent's path, a slash, and the name: the offset of the name is
// the same for all of them, found once per search instead of once per comparison.
ChildList::Pos ChildList::locate(std::string_view name) const {
  const uint32_t n = chunk_count();
  if (n == 0) return Pos{0, 0, false};
  Chunk* last = chunk(n - 1);
  const std::string_view last_name = last->last()->name();
  const size_t name_at = last->last()->path().size() - last_name.size();
  auto name_of = [name_at](const Znode* z) { return z->path().substr(name_at); };
  // Appends (sequential nodes, ordered snapshots) compare with the last name only.
  int c = name.compare(last_name);
  if (c > 0) return Pos{n - 1, last->size, false};
  if (c == 0) return Pos{n - 1, last->size - 1, true};
  // The first chunk whose last name is >= name (chunk n - 1 is one).
  uint32_t lo = 0;
  uint32_t hi = n - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (name_of(chunk(mid)->last()) < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  Chunk* ch = chunk(lo);
  Znode** items = ch->items();
  Znode** it = std::lower_bound(items, items + ch->size, name,
                                [&](const Znode* z, std::string_view v) { return name_of(z) < v; });
  auto pos = static_cast<uint32_t>(it - items);
  return Pos{lo, pos, pos < ch->size && name_of(*it) == name};
}

ChildList::Iterator ChildList::lower_bound(std::string_view name) const {
  Pos p = locate(name);
  if (p.chunk < chunk_count() && p.pos == chunk(p.chunk)->size)
    return Iterator(this, p.chunk + 1, 0);
  return Iterator(this, p.chunk, p.pos);
}

ChildList::Iterator ChildList::upper_bound(std::string_view name) const {
  Pos p = locate(name);
  if (p.found) ++p.pos;
  if (p.chunk < chunk_count() && p.pos == chunk(p.chunk)->size)
    return Iterator(this, p.chunk + 1, 0);
  return Iterator(this, p.chunk, p.pos);
}

Znode* ChildList::find(std::string_view name) const {
  Pos p = locate(name);
  return p.found ? chunk(p.chunk)->items()[p.pos] : nullptr;
}

void ChildList::insert(Znode* child) {
  if (rep_ == nullptr) {
    Chunk* c = Chunk::make(kInitialCap);
    c->items()[0] = child;
    c->size = 1;
    rep_ = c;
    return;
  }
  Pos p = locate(child->name());
  PADDOCK_ASSERT(!p.found);
  insert_at(p.chunk, p.pos, child);
}

void ChildList::insert_at(uint32_t ci, uint32_t pos, Znode* child) {
  Chunk* c = chunk(ci);
  if (c->size == kChunkMax) {
    const uint32_t n = chunk_count();
    if (ci == n - 1 && pos == c->size) {  // after the last name: start a new chunk
      c = Chunk::make(kInitialCap);
      add_chunk(n, c);
      ci = n;
      pos = 0;
    } else if (ci == 0 && pos == 0) {  // before the first name
      c = Chunk::make(kInitialCap);
      add_chunk(0, c);
    } else {  // split: the upper half moves to a new chunk
      const uint32_t half = c->size / 2;
      Chunk* upper = Chunk::make(kChunkMax);
      upper->size = c->size - half;
      std::memcpy(upper->items(), c->items() + half, size_t{upper->size} * sizeof(Znode*));
      c->size = half;
      add_chunk(ci + 1, upper);
      if (pos > half) {
        c = upper;
        pos -= half;
      }
    }
  } else if (c->size == c->cap) {
    c = resize_chunk(ci, std::min(c->cap * 2, kChunkMax));
  }
  Znode** items = c->items();
  std::memmove(items + pos + 1, items + pos, size_t{c->size - pos} * sizeof(Znode*));
  items[pos] = child;
  ++c->size;
  if (rep_->cap == kManyTag) ++static_cast<Many*>(rep_)->total;
}

void ChildList::add_chunk(uint32_t at, Chunk* c) {
  if (rep_->cap != kManyTag) {
    auto* m = new Many;
    m->size = 0;
    m->cap = kManyTag;
    Chunk* only = static_cast<Chunk*>(rep_);
    m->total = only->size + c->size;  // `c` is new, or holds items moved out of `only`
    m->chunks.push_back(only);
    rep_ = m;
  }  // else the total is unchanged: `c` is empty or holds items moved from another chunk
  auto& chunks = static_cast<Many*>(rep_)->chunks;
  chunks.insert(chunks.begin() + at, c);
}

void ChildList::remove_chunk(uint32_t at) {
  if (rep_->cap != kManyTag) {
    Chunk::free(static_cast<Chunk*>(rep_));
    rep_ = nullptr;
    return;
  }
  auto* m = static_cast<Many*>(rep_);
  m->total -= m->chunks[at]->size;
  Chunk::free(m->chunks[at]);
  m->chunks.erase(m->chunks.begin() + at);
  if (m->chunks.size() == 1) {
    rep_ = m->chunks.front();
    delete m;
  }
}

Znode* ChildList::erase(std::string_view name) {
  Pos p = locate(name);
  if (!p.found) return nullptr;
  Chunk* c = chunk(p.chunk);
  Znode** items = c->items();
  Znode* out = items[p.pos];
  std::memmove(items + p.pos, items + p.pos + 1, size_t{c->size - p.pos - 1} * sizeof(Znode*));
  --c->size;
  const bool many = rep_->cap == kManyTag;
  if (many) --static_cast<Many*>(rep_)->total;
  if (c->size == 0) {
    remove_chunk(p.chunk);
    return out;
  }
  // Keep memory proportional to the children left: merge a small chunk into a small
  // neighbour, and give back capacity a chunk no longer uses.
  if (many && p.chunk + 1 < chunk_count()) {
    Chunk* next = chunk(p.chunk + 1);
    if (c->size + next->size <= kChunkMax / 2) {
      if (c->cap < c->size + next->size) c = resize_chunk(p.chunk, kChunkMax / 2);
      std::memcpy(c->items() + c->size, next->items(), size_t{next->size} * sizeof(Znode*));
      c->size += next->size;
      next->size = 0;
      remove_chunk(p.chunk + 1);  // empty now: the total does not change
      return out;
    }
  }
  if (c->cap > kInitialCap && c->size <= c->cap / 4) {
    resize_chunk(p.chunk, c->cap / 2);
  }
  return out;
}

void ChildList::clear() {
  if (rep_ == nullptr) return;
  if (rep_->cap == kManyTag) {
    auto* m = static_cast<Many*>(rep_);
    for (Chunk* c : m->chunks) Chunk::free(c);
    delete m;
  } else {
    Chunk::free(static_cast<Chunk*>(rep_));
  }
  rep_ = nullptr;
}

}  // namespace paddock::state
