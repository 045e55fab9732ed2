#include "durable/log_weights.h"

#include <algorithm>


namespace paddock::durable {

void LogWeights::appended(int64_t zxid, size_t bytes) {
  // A zxid not above the last one: the log was cut back (a failed batch discarded when the
  // writer resumed) and its zxids are used again. What was counted no longer matches.
  if (zxid <= last_.zxid) clear();
  last_ = Mark{zxid, last_.through + bytes};
  if (first_.zxid == 0) first_ = last_;
  if (++since_mark_ < every_) return;
  since_mark_ = 0;
  marks_.push_back(last_);
  if (marks_.size() > max_marks_) {
    marks_.erase(marks_.begin(), marks_.begin() + static_cast<std::ptrdiff_t>(marks_.size() / 2));
  }
}

void LogWeights::clear() {
  marks_.clear();
  first_ = Mark{0, 0};
  last_ = Mark{0, 0};
  since_mark_ = 0;
}

uint64_t LogWeights::at_least(int64_t after_zxid, int64_t up_to_zxid) const {
  if (last_.zxid == 0 || after_zxid >= up_to_zxid) return 0;
  // The first mark at or after after_zxid and the last at or before up_to_zxid (the last
  // record counted is a mark too): the records between them lie inside the range.
  auto by_zxid = [](const Mark& m, int64_t z) { return m.zxid < z; };
  auto lo = std::lower_bound(marks_.begin(), marks_.end(), after_zxid, by_zxid);
  const Mark* from = lo != marks_.end() ? &*lo : (last_.zxid >= after_zxid ? &last_ : nullptr);
  if (from == nullptr) return 0;
  const Mark* to = nullptr;
  if (last_.zxid <= up_to_zxid) {
    to = &last_;
  } else {
    auto hi = std::upper_bound(marks_.begin(), marks_.end(), up_to_zxid,
                               [](int64_t z, const Mark& m) { return z < m.zxid; });
    if (hi != marks_.begin()) to = &*(hi - 1);
  }
  if (to == nullptr || to->zxid <= from->zxid) return 0;
  return to->through - from->through;
}

std::optional<uint64_t> LogWeights::at_most(int64_t after_zxid, int64_t up_to_zxid) const {
  if (after_zxid >= up_to_zxid) return 0;
  // Every record after the first counted one was counted, up to the last: outside that
  // stretch the log may hold records nobody weighed.
  if (last_.zxid == 0 || after_zxid < first_.zxid || up_to_zxid > last_.zxid) {
    return std::nullopt;
  }
  // The last mark at or before after_zxid (the first record counted is one) and the first
  // at or after up_to_zxid (the last record counted is one): the range lies between them.
  auto by_zxid = [](const Mark& m, int64_t z) { return m.zxid < z; };
  const Mark* from = &first_;
  auto after_lo = std::upper_bound(marks_.begin(), marks_.end(), after_zxid,
                                   [](int64_t z, const Mark& m) { return z < m.zxid; });
  if (after_lo != marks_.begin() && (after_lo - 1)->zxid > from->zxid) from = &*(after_lo - 1);
  auto up_hi = std::lower_bound(marks_.begin(), marks_.end(), up_to_zxid, by_zxid);
  const Mark* to = up_hi != marks_.end() ? &*up_hi : &last_;
  return to->through - from->through;
}

}  // namespace paddock::durable
