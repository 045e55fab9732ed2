#pragma once
// Parsing the raw record stream of a snapshot (layout in snapshot_format.h), block by block.
// Never trusts a length; checks that every ACL id a node uses was defined before it.
#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "storage/snapshot_format.h"
#include "util/result.h"

namespace paddock::storage {

class SnapshotRecordParser {
 public:
  // `visitor` may be null (checking only).
  explicit SnapshotRecordParser(SnapshotVisitor* visitor) : visitor_(visitor) {}

  // Parses one block's raw bytes: whole records only. Errors name the offset in the block.
  Status parse_block(std::string_view raw);

  // What was parsed so far (counts, raw byte count and crc), for the trailer check.
  const SnapshotTrailer& totals() const { return totals_; }

 private:
  Status parse_record(std::string_view raw, size_t& pos);

  SnapshotVisitor* visitor_;
  SnapshotTrailer totals_;
  std::unordered_set<uint32_t> acl_ids_;
};

}  // namespace paddock::storage
