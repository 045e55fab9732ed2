#pragma once
// LogWeights: how many bytes of txns were logged between two zxids, known without reading
// the log -- sampled as they are appended, a mark every `every` records.
//
// A leader deciding between DIFF and SNAP for a learner far behind must know whether the
// txns since the learner's zxid pass the DIFF limit (snapshotSizeFactor). Scanning the log
// to find out took 232 ms of its pipeline thread for a learner a million txns behind
// (docs/benchmarks.md); the marks answer "at least this many bytes" and "at most this many"
// in O(log n). The scan is needed only when neither settles it: the range starts before
// this process's first append, or its size lies within a few marks of the limit.
//
// Not thread-safe: the state-owning thread appends and asks.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace paddock::durable {

class LogWeights {
 public:
  explicit LogWeights(uint32_t every = 1024, size_t max_marks = 65536)
      : every_(every == 0 ? 1 : every), max_marks_(max_marks < 2 ? 2 : max_marks) {}

  // A record of `bytes` logged at `zxid`. A zxid not above the last one starts afresh (the
  // log writer reuses zxids after discarding a failed batch).
  void appended(int64_t zxid, size_t bytes);
  // The records counted so far are no longer the log's (TRUNC, reload, a SNAP as new base).
  void clear();
  // A lower bound of the bytes of the records with after_zxid < zxid <= up_to_zxid that
  // were counted (0 when the marks do not cover the range).
  uint64_t at_least(int64_t after_zxid, int64_t up_to_zxid) const;
  // An upper bound of the bytes of the records with after_zxid < zxid <= up_to_zxid in the
  // log, or nullopt when records in that range may not have been counted (the range starts
  // before the first record counted, or ends past the last).
  std::optional<uint64_t> at_most(int64_t after_zxid, int64_t up_to_zxid) const;
  size_t marks() const { return marks_.size(); }

 private:
  struct Mark {
    int64_t zxid;
    uint64_t through;  // bytes of every counted record up to and including zxid
  };
  const uint32_t every_;
  const size_t max_marks_;  // past it the older half is dropped: the far past is scanned
  std::vector<Mark> marks_;
  Mark first_{0, 0};  // the first record counted since the start or clear()
  Mark last_{0, 0};   // the last record counted (a mark of its own); zxid 0: none yet
  uint32_t since_mark_ = 0;
};

}  // namespace paddock::durable
