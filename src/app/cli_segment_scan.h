#pragma once
// Reads one Paddock log segment on its own (tools: dump, verify), without the repair and
// cross-segment rules of recovery: every record up to the first problem, then the problem.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "storage/log_format.h"
#include "util/result.h"

namespace paddock::app {

struct SegmentScan {
  storage::SegmentHeader header;
  uint64_t records = 0;
  uint64_t end_offset = 0;  // where valid data ends
  int64_t last_zxid = 0;
  std::string problem;  // empty: the data ends cleanly (zeros or end of file)
};

using SegmentRecordFn =
    std::function<void(uint64_t offset, int64_t zxid, std::string_view payload)>;

// An error only when the header is unreadable; damage after it is SegmentScan::problem.
Result<SegmentScan> scan_paddock_segment(std::string_view bytes, const SegmentRecordFn& visit);

}  // namespace paddock::app
