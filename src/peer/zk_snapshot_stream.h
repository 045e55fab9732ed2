#pragma once
// ZooKeeper's snapshot stream body (ZK-FORMATS.md section 5 items 2-5), the bytes a leader
// sends after a SNAP packet and the middle of every ZooKeeper snapshot file:
//   int count, count x (long sessionId, int timeout)
//   int count, count x (long aclId, vector<ACL>)      ids from 1; -1 = open, not listed
//   nodes in pre-order: string path (root ""), buffer data, long aclId, StatPersisted (60 B)
//   string "/"                                        end marker
// Writing turns a state::DataTree into it exactly as ZooKeeper writes it (sibling order aside:
// ZooKeeper's follows Java hash sets, Paddock's is by name; readers accept any order).
// Reading is resumable (ZkSnapshotBodyParser), so the quorum stream decoder can find the end
// of a body that arrives in pieces without parsing any byte twice.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/types.h"
#include "state/data_tree.h"
#include "storage/zk_files.h"
#include "util/result.h"

namespace paddock::peer {

// jute.maxbuffer plus zookeeper.jute.maxbuffer.extrasize at their defaults: the largest
// buffer or string a ZooKeeper 3.8 peer reads from another.
inline constexpr size_t kZkPeerMaxBuffer = 0xfffff + 0xfffff;
// The end marker's path and the signature a leader writes after a SNAP body.
inline constexpr std::string_view kZkSnapshotEndPath = "/";
inline constexpr std::string_view kZkSnapSignature = "BenWasHere";

using SessionTimeouts = std::vector<std::pair<int64_t, int32_t>>;  // session id, timeout ms

// Appends the body of `tree` (its sessions: `sessions`) to `out`. The tree's ACL table ids
// are the stream's ids (ZooKeeper's too start at 1 and are never reused); the open ACL is -1.
void append_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions,
                             std::string& out);
std::string encode_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions);
// With the tree's own session table.
std::string encode_zk_snapshot_body(const state::DataTree& tree);

// What a body holds, item by item.
class ZkSnapshotBodyVisitor {
 public:
  virtual ~ZkSnapshotBodyVisitor() = default;
  virtual Status on_session(int64_t session_id, int32_t timeout_ms) = 0;
  virtual Status on_acl(int64_t acl_id, proto::AclList acl) = 0;
  virtual Status on_node(storage::ZkSnapshotNode node) = 0;  // path "" for the root
};

// Parses a body item by item as its bytes arrive. Never trusts a count or a length: counts
// are not used to allocate, buffers above max_buffer are errors, and an item that is still
// incomplete after max_item_bytes is an error (so a hostile length cannot make the caller
// buffer without bound inside one item).
class ZkSnapshotBodyParser {
 public:
  explicit ZkSnapshotBodyParser(size_t max_buffer = kZkPeerMaxBuffer);

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

struct ZkSnapshotLoad {
  uint64_t sessions = 0;
  uint64_t acls = 0;
  uint64_t nodes = 0;
};

// Loads a whole body into `tree` (begin_restore, sessions, nodes, finish_restore(last_zxid)),
// as a learner does on SNAP. The body must end exactly after its end marker. On an error the
// tree is left partly restored: discard it or restore again.
Result<ZkSnapshotLoad> load_zk_snapshot_body(std::string_view body, int64_t last_zxid,
                                             state::DataTree& tree);

}  // namespace paddock::peer
