#pragma once
// Helpers shared by the storage tests (test-only; not used by the library).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/env.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/txn_log.h"

namespace paddock::storage::testing {

using Records = std::vector<std::pair<int64_t, std::string>>;

// Deterministic payload without zero bytes (so no sector of it reads as a lost write).
inline std::string payload_for(int64_t zxid, size_t size = 40) {
  std::string s(size, 'a');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (zxid * 7 + i) % 26);
  return s;
}

// A hand-made segment: header (with `dbid`) plus records with the given zxids, 40-byte
// payloads, no preallocation.
inline std::string make_segment(int64_t first_zxid, const std::vector<int64_t>& zxids,
                                uint64_t dbid = 0) {
  std::string s = encode_segment_header({.dbid = dbid, .first_zxid = first_zxid});
  for (int64_t z : zxids) append_record(s, z, payload_for(z));
  return s;
}

// Offset of the n-th record (0-based) in a segment of equal-sized records.
inline uint64_t record_offset(size_t n, size_t payload = 40) {
  return kSegmentHeaderSize + n * record_size(payload);
}

inline TxnLogOptions small_options(const std::string& dir) {
  TxnLogOptions o;
  o.dir = dir;
  o.preallocate_bytes = 4096;
  o.segment_max_bytes = 1 << 20;
  return o;
}

inline Result<RecoveredLog> recover(Env& env, const std::string& dir, int64_t after_zxid,
                                    Records* out, bool repair = true) {
  LogReadOptions options;
  options.after_zxid = after_zxid;
  options.repair = repair;
  return recover_txn_log(env, dir, options, [out](int64_t zxid, std::string_view payload) {
    if (out != nullptr) out->emplace_back(zxid, std::string(payload));
    return Status::ok();
  });
}

// Recovers (visiting nothing) and opens the log for appending.
inline std::unique_ptr<TxnLog> open_log(Env& env, const TxnLogOptions& options) {
  auto recovered = recover(env, options.dir, 0, nullptr);
  EXPECT_TRUE(recovered.is_ok()) << (recovered ? "" : recovered.error());
  if (!recovered) return nullptr;
  auto log = TxnLog::open(env, options, *recovered);
  EXPECT_TRUE(log.is_ok()) << (log ? "" : log.error());
  if (!log) return nullptr;
  return std::move(*log);
}

inline Records expected_records(int64_t first, int64_t last) {
  Records r;
  for (int64_t z = first; z <= last; ++z) r.emplace_back(z, payload_for(z));
  return r;
}

}  // namespace paddock::storage::testing
