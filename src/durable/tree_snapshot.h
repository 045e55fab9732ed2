#pragma once
// Between the state layer's DataTree and the storage layer's snapshot files.
//
// TreeSnapshotCursor serializes a tree in pieces, so that the pipeline thread can do a bit of
// it between batches of requests instead of pausing for the whole tree (a fuzzy snapshot, as
// ZooKeeper's): it remembers the tree's last zxid and sessions when it starts and then walks
// the nodes in pre-order, resuming by name in each parent's ordered child set, so changes
// made between pieces are safe -- a node deleted meanwhile is skipped with its subtree, a
// node added behind the cursor is missed. Recovery replays every txn above the start zxid
// over the loaded snapshot; applying txns is idempotent, so the result is exact.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "state/data_tree.h"
#include "storage/env.h"
#include "storage/snapshot_file.h"
#include "storage/snapshot_format.h"
#include "util/result.h"

namespace paddock::durable {

class TreeSnapshotCursor {
 public:
  // Takes the start zxid and the sessions now. The tree must outlive the cursor.
  explicit TreeSnapshotCursor(const state::DataTree& tree);

  int64_t start_zxid() const { return start_zxid_; }
  bool done() const { return done_; }
  // Appends records to `chunk` until it holds at least `target_bytes` or the walk ends.
  // Returns done().
  bool next_chunk(storage::SnapshotChunk& chunk, size_t target_bytes);

 private:
  struct Frame {
    std::string path;
    std::string last_child;  // resume after this name
    bool started = false;
    // Valid within one next_chunk call only (nullptr: look the node up again).
    const state::Znode* node = nullptr;
    state::ChildList::Iterator next;
  };
  void emit_node(storage::SnapshotChunk& chunk, std::string_view path, const state::Znode& node);

  const state::DataTree& tree_;
  int64_t start_zxid_;
  std::vector<std::pair<int64_t, int32_t>> sessions_;
  bool sessions_written_ = false;
  bool root_written_ = false;
  bool done_ = false;
  std::vector<Frame> stack_;
  std::unordered_set<uint32_t> acls_written_;
};

// Writes a whole tree as one snapshot (tools, import, tests; the server uses the cursor in
// pieces). Returns the final path.
Result<std::string> write_tree_snapshot(storage::Env& env, const std::string& dir,
                                        const state::DataTree& tree, uint64_t dbid,
                                        int64_t created_ms, int64_t end_zxid = -1,
                                        int64_t end_digest = 0);

// Loads a snapshot into `tree`: begin_restore(), the records, finish_restore(its zxid). On
// an error the tree is left partly restored: begin again or discard it.
Result<storage::SnapshotInfo> load_tree_snapshot(storage::Env& env, const std::string& path,
                                                 state::DataTree& tree);

}  // namespace paddock::durable
