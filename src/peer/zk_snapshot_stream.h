#pragma once
// ZooKeeper's snapshot stream body (ZK-FORMATS.md section 5 items 2-5), the bytes a leader
// sends after a SNAP packet and the middle of every ZooKeeper snapshot file:
//   int count, count x (long sessionId, int timeout)
//   int count, count x (long aclId, vector<ACL>)      ids from 1; -1 = open, not listed
//   nodes in pre-order: string path (root ""), buffer data, long aclId, StatPersisted (60 B)
//   string "/"                                        end marker
// Writing turns a state::DataTree into it exactly as ZooKeeper writes it (sibling order aside:
// ZooKeeper's follows Java hash sets, Paddock's is by name; readers accept any order).
// Reading is storage's resumable ZkSnapshotBodyParser, with a visitor that fills a tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/types.h"
#include "state/data_tree.h"
#include "storage/zk_files.h"
#include "storage/zk_snapshot_body.h"
#include "util/result.h"

namespace paddock::peer {

// jute.maxbuffer plus zookeeper.jute.maxbuffer.extrasize at their defaults: the largest
// buffer or string a ZooKeeper 3.8 peer reads from another.
inline constexpr size_t kZkPeerMaxBuffer = 0xfffff + 0xfffff;
// The signature a leader writes after a SNAP body.
inline constexpr std::string_view kZkSnapSignature = "BenWasHere";

using SessionTimeouts = std::vector<std::pair<int64_t, int32_t>>;  // session id, timeout ms

// Appends the body of `tree` (its sessions: `sessions`) to `out`. The tree's ACL table ids
// are the stream's ids (ZooKeeper's too start at 1 and are never reused); the open ACL is -1.
void append_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions,
                             std::string& out);
std::string encode_zk_snapshot_body(const state::DataTree& tree, const SessionTimeouts& sessions);
// With the tree's own session table.
std::string encode_zk_snapshot_body(const state::DataTree& tree);

// The parser (storage/zk_snapshot_body.h) is storage's: the same body is the middle of every
// ZooKeeper snapshot file.
using storage::ZkSnapshotBodyParser;
using storage::ZkSnapshotBodyVisitor;
using storage::kZkSnapshotEndPath;

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
