#pragma once
// Reading ZooKeeper's snapshot stream body (ZK-FORMATS.md section 5 items 2-5): the middle of
// every ZooKeeper snapshot file (parse_zk_snapshot) and the bytes a leader sends after a SNAP
// packet (peer/zk_snapshot_stream.h, peer/quorum_codec.h). One parser for both:
//   int count, count x (long sessionId, int timeout)
//   int count, count x (long aclId, vector<ACL>)      ids from 1; -1 = open, not listed
//   nodes in pre-order: string path (root ""), buffer data, long aclId, StatPersisted (60 B)
//   string "/"                                        end marker
// Reading is resumable, so the quorum stream decoder can find the end of a body that arrives
// in pieces without parsing any byte twice.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/types.h"
#include "storage/zk_files.h"
#include "util/result.h"

namespace paddock::storage {

// The end marker's path.
inline constexpr std::string_view kZkSnapshotEndPath = "/";
// A node's ACL id for the open ACL (no ACL cache entry).
inline constexpr int64_t kZkOpenAclId = -1;

// What a body holds, item by item.
class ZkSnapshotBodyVisitor {
 public:
  virtual ~ZkSnapshotBodyVisitor() = default;
  virtual Status on_session(int64_t session_id, int32_t timeout_ms) = 0;
  virtual Status on_acl(int64_t acl_id, proto::AclList acl) = 0;
  virtual Status on_node(ZkSnapshotNode node) = 0;  // path "" for the root
};

// Parses a body item by item as its bytes arrive. Never trusts a count or a length: counts
// are not used to allocate, buffers above max_buffer are errors, and an item that is still
// incomplete after max_item_bytes is an error (so a hostile length cannot make the caller
// buffer without bound inside one item).
class ZkSnapshotBodyParser {
 public:
  explicit ZkSnapshotBodyParser(size_t max_buffer);

  // `body` is every byte received so far from the body's first byte on (it may run past the
  // body's end). Parses the complete items after position(), handing each to `visitor`
  // (may be null). Returns done(): true once the end marker has been read.
  Result<bool> advance(std::string_view body, ZkSnapshotBodyVisitor* visitor);
  bool done() const { return phase_ == Phase::kDone; }
  size_t position() const { return pos_; }  // bytes of the body parsed so far
  uint64_t sessions() const { return sessions_; }
  uint64_t nodes() const { return nodes_; }

 private:
  enum class Phase { kSessionCount, kSessions, kAclCount, kAcls, kNodes, kDone };
  enum class Step { kDone, kNeedMore };
  Result<Step> step(std::string_view rest, ZkSnapshotBodyVisitor* visitor);
  Result<Step> read_count(std::string_view rest, Phase next);
  Result<Step> read_session(std::string_view rest, ZkSnapshotBodyVisitor* visitor);
  Result<Step> read_acl(std::string_view rest, ZkSnapshotBodyVisitor* visitor);
  Result<Step> read_node(std::string_view rest, ZkSnapshotBodyVisitor* visitor);

  size_t max_buffer_;
  size_t max_item_bytes_;
  Phase phase_ = Phase::kSessionCount;
  int64_t left_ = 0;  // items left in the current list
  size_t pos_ = 0;
  uint64_t sessions_ = 0;
  uint64_t nodes_ = 0;
};

}  // namespace paddock::storage
