#include "storage/zk_snapshot_body.h"

#include <fmt/format.h>

#include <cstring>

#include "proto/jute.h"
#include "proto/records.h"
#include "util/assert.h"

namespace paddock::storage {
namespace {

constexpr size_t kStatPersistedBytes = 60;

// A reader failure that more bytes could cure (the input ended inside the item), as opposed
// to bytes that are wrong whatever follows.
bool needs_more(const proto::JuteReader& r) {
  const char* why = r.failure();
  return why != nullptr && (std::strcmp(why, "truncated") == 0 ||
                            std::strcmp(why, "vector count exceeds remaining bytes") == 0);
}

}  // namespace

ZkSnapshotBodyParser::ZkSnapshotBodyParser(size_t max_buffer)
    : max_buffer_(max_buffer), max_item_bytes_(2 * max_buffer + 1024) {}

Result<bool> ZkSnapshotBodyParser::advance(std::string_view body, ZkSnapshotBodyVisitor* visitor) {
  PADDOCK_ASSERT(body.size() >= pos_);
  while (phase_ != Phase::kDone) {
    std::string_view rest = body.substr(pos_);
    auto stepped = step(rest, visitor);
    if (!stepped) {
      return Status::error(fmt::format("snapshot body offset {}: {}", pos_, stepped.error()));
    }
    if (*stepped == Step::kNeedMore) {
      if (rest.size() >= max_item_bytes_) {
        return Status::error(fmt::format("snapshot body offset {}: an item runs past {} bytes",
                                         pos_, max_item_bytes_));
      }
      return false;
    }
  }
  return true;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::step(std::string_view rest,
                                                              ZkSnapshotBodyVisitor* visitor) {
  switch (phase_) {
    case Phase::kSessionCount:
      return read_count(rest, Phase::kSessions);
    case Phase::kSessions:
      if (left_ == 0) {
        phase_ = Phase::kAclCount;
        return Step::kDone;
      }
      return read_session(rest, visitor);
    case Phase::kAclCount:
      return read_count(rest, Phase::kAcls);
    case Phase::kAcls:
      if (left_ == 0) {
        phase_ = Phase::kNodes;
        return Step::kDone;
      }
      return read_acl(rest, visitor);
    case Phase::kNodes:
      return read_node(rest, visitor);
    case Phase::kDone:
      break;
  }
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_count(std::string_view rest,
                                                                    Phase next) {
  proto::JuteReader r(rest, max_buffer_);
  const int32_t count = r.i32();
  if (!r.ok()) return Step::kNeedMore;
  if (count < 0) return Status::error(fmt::format("negative count {}", count));
  left_ = count;
  pos_ += 4;
  phase_ = next;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_session(
    std::string_view rest, ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  const int64_t id = r.i64();
  const int32_t timeout = r.i32();
  if (!r.ok()) return Step::kNeedMore;
  if (visitor != nullptr) {
    if (Status st = visitor->on_session(id, timeout); !st) return st;
  }
  pos_ += r.position();
  --left_;
  ++sessions_;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_acl(std::string_view rest,
                                                                  ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  const int64_t id = r.i64();
  proto::AclList acl;
  proto::read(r, acl);
  if (!r.ok()) {
    if (needs_more(r)) return Step::kNeedMore;
    return Status::error(fmt::format("ACL cache entry: {}", r.failure()));
  }
  if (visitor != nullptr) {
    if (Status st = visitor->on_acl(id, std::move(acl)); !st) return st;
  }
  pos_ += r.position();
  --left_;
  return Step::kDone;
}

Result<ZkSnapshotBodyParser::Step> ZkSnapshotBodyParser::read_node(std::string_view rest,
                                                                   ZkSnapshotBodyVisitor* visitor) {
  proto::JuteReader r(rest, max_buffer_);
  ZkSnapshotNode node;
  node.path = r.string();
  if (r.ok() && node.path == kZkSnapshotEndPath) {
    pos_ += r.position();
    phase_ = Phase::kDone;
    return Step::kDone;
  }
  node.data = r.nullable_buffer();
  node.acl_id = r.i64();
  if (r.ok() && r.remaining() < kStatPersistedBytes) return Step::kNeedMore;
  proto::read(r, node.stat);
  if (!r.ok()) {
    if (needs_more(r)) return Step::kNeedMore;
    return Status::error(fmt::format("node record: {}", r.failure()));
  }
  const size_t size = r.position();
  if (visitor != nullptr) {
    if (Status st = visitor->on_node(std::move(node)); !st) return st;
  }
  pos_ += size;
  ++nodes_;
  return Step::kDone;
}

}  // namespace paddock::storage
