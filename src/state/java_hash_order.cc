#include "state/java_hash_order.h"

#include <algorithm>

namespace paddock::state {
namespace {

constexpr size_t kDefaultCapacity = 16;
constexpr float kLoadFactor = 0.75f;
constexpr uint32_t kReplacement = 0xFFFD;

// Decodes one code point at `i` (advancing it); malformed input gives U+FFFD.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i++);
  if (b0 < 0x80) return b0;
  size_t extra = 0;
  uint32_t cp = 0;
  uint32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return kReplacement;
  }
  for (size_t k = 0; k < extra; ++k) {
    if (i >= s.size() || (byte(i) & 0xC0) != 0x80) return kReplacement;
    cp = (cp << 6) | (byte(i++) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
  return cp;
}

uint32_t spread(int32_t h) {
  auto u = static_cast<uint32_t>(h);
  return u ^ (u >> 16);
}

size_t table_size_for(size_t n) {
  size_t c = 1;
  while (c < n) c <<= 1;
  return c;
}

size_t threshold(size_t capacity) {
  return static_cast<size_t>(static_cast<float>(capacity) * kLoadFactor);
}

}  // namespace

int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  auto mix = [&h](uint32_t unit) { h = 31 * h + unit; };  // wraps like Java's int
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = next_code_point(utf8, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      mix(0xD800 + (cp >> 10));
      mix(0xDC00 + (cp & 0x3FF));
    } else {
      mix(cp);
    }
  }
  return static_cast<int32_t>(h);
}

int32_t java_id_hash(const proto::Id& id) {
  uint32_t h = 17;
  h = 37 * h + static_cast<uint32_t>(java_string_hash(id.scheme));
  h = 37 * h + static_cast<uint32_t>(java_string_hash(id.id));
  return static_cast<int32_t>(h);
}

std::vector<proto::Id> java_auth_info_order(const std::vector<proto::Id>& ids_in_add_order) {
  constexpr uint32_t kBins = 16;  // ConcurrentHashMap's default table
  constexpr uint32_t kHashBits = 0x7fffffff;
  auto bin = [&](const proto::Id& id) {
    return (spread(java_id_hash(id)) & kHashBits) & (kBins - 1);
  };
  std::vector<proto::Id> out = ids_in_add_order;
  std::stable_sort(out.begin(), out.end(),
                   [&](const proto::Id& a, const proto::Id& b) { return bin(a) < bin(b); });
  return out;
}

size_t JavaHashSetOrder::capacity_for_peak(size_t peak) {
  size_t capacity = kDefaultCapacity;
  while (peak > threshold(capacity)) capacity *= 2;
  return capacity;
}

// HashSet.clone() sizes the copy for its element count, (int)(n / 0.75f + 1) rounded up to
// a power of two, and adds the elements in the source's iteration order.
JavaHashSetOrder JavaHashSetOrder::clone_of(
    const std::vector<std::string>& paths_in_insertion_order, size_t source_capacity) {
  JavaHashSetOrder source;
  source.capacity_ = source_capacity;
  for (const std::string& p : paths_in_insertion_order) {
    source.entries_.push_back(Entry{spread(java_string_hash(p)), p});
  }
  source.resize(source_capacity);  // the source's own order
  JavaHashSetOrder clone;
  const size_t n = source.entries_.size();
  if (n == 0) return clone;
  clone.entries_ = std::move(source.entries_);
  for (const Entry& e : clone.entries_) clone.members_.insert(e.path);
  clone.resize(table_size_for(static_cast<size_t>(static_cast<float>(n) / kLoadFactor + 1.0f)));
  return clone;
}

void JavaHashSetOrder::resize(size_t capacity) {
  capacity_ = capacity;
  std::stable_sort(entries_.begin(), entries_.end(),
                   [this](const Entry& a, const Entry& b) { return bucket(a) < bucket(b); });
}

void JavaHashSetOrder::add(const std::string& path) {
  if (members_.count(path) > 0) return;
  if (removed_.erase(path) > 0) {  // re-added: it goes to the end of its bucket, like a new one
    std::erase_if(entries_, [&path](const Entry& e) { return e.path == path; });
  }
  members_.insert(path);
  if (capacity_ == 0) capacity_ = kDefaultCapacity;
  Entry entry{spread(java_string_hash(path)), path};
  // After the last entry of its bucket.
  auto at = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return bucket(e) > bucket(entry); });
  entries_.insert(at, std::move(entry));
  if (members_.size() > threshold(capacity_)) resize(capacity_ * 2);
}

void JavaHashSetOrder::remove(const std::string& path) {
  if (members_.erase(path) > 0) removed_.insert(path);
}

std::vector<std::string> JavaHashSetOrder::paths() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) {
    if (removed_.count(e.path) == 0) out.push_back(e.path);
  }
  return out;
}

}  // namespace paddock::state
