// Snapshot streams, as the server reads them. The first byte picks the reader:
//   0: ZooKeeper's snapshot stream body (storage/zk_snapshot_body.h), the body of a SNAP from
//      a ZooKeeper leader, parsed item by item as its bytes arrive;
//   1: the same body loaded into a DataTree (peer::load_zk_snapshot_body), as a learner does;
//   2: a ZooKeeper snapshot file (storage::parse_zk_snapshot, import-zk);
//   3: a Paddock snapshot block's record stream (storage/snapshot_records.h), what recovery
//      reads once a block is decompressed and its CRC checked.
//
// Invariants: the body parser reports the same items, position and verdict whether the bytes
// come at once or in pieces; a loaded tree written back as a body (what a leader sends) loads
// into a fresh tree with the same digest and node count; nothing is allocated from a count.
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "peer/zk_snapshot_stream.h"
#include "state/data_tree.h"
#include "storage/snapshot_format.h"
#include "storage/snapshot_records.h"
#include "storage/zk_files.h"
#include "storage/zk_snapshot_body.h"

namespace {

using namespace paddock;

constexpr size_t kMaxBuffer = 4096;

// Records what the parser hands out, as text, to compare two runs.
class Recorder final : public storage::ZkSnapshotBodyVisitor {
 public:
  std::vector<std::string> items;
  Status on_session(int64_t id, int32_t timeout) override {
    items.push_back("S" + std::to_string(id) + "/" + std::to_string(timeout));
    return Status::ok();
  }
  Status on_acl(int64_t id, proto::AclList acl) override {
    items.push_back("A" + std::to_string(id) + "/" + std::to_string(acl.size()));
    return Status::ok();
  }
  Status on_node(storage::ZkSnapshotNode node) override {
    items.push_back("N" + node.path + "/" + std::to_string(node.data ? node.data->size() : -1));
    return Status::ok();
  }
};

struct BodyRun {
  std::vector<std::string> items;
  bool failed = false;
  bool done = false;
  size_t position = 0;
};

BodyRun parse_body(std::string_view body, const std::vector<std::string_view>& pieces) {
  BodyRun out;
  storage::ZkSnapshotBodyParser parser(kMaxBuffer);
  Recorder recorder;
  size_t have = 0;
  for (std::string_view piece : pieces) {
    have += piece.size();
    auto r = parser.advance(body.substr(0, have), &recorder);
    if (!r.is_ok()) {
      out.failed = true;
      break;
    }
    FUZZ_CHECK(parser.position() <= have);
    if (*r) break;
  }
  out.items = std::move(recorder.items);
  out.done = parser.done();
  out.position = parser.position();
  return out;
}

void zk_body(uint8_t split_seed, std::string_view body) {
  BodyRun whole = parse_body(body, {body});
  BodyRun split = parse_body(body, fuzz::chunks(body, split_seed * 2654435761u + 1));
  FUZZ_CHECK(whole.failed == split.failed, "verdict depends on how the bytes arrive");
  FUZZ_CHECK(whole.done == split.done && whole.position == split.position);
  FUZZ_CHECK(whole.items == split.items, "items depend on how the bytes arrive");
}

void zk_body_load(std::string_view body) {
  state::DataTree tree;
  auto loaded = peer::load_zk_snapshot_body(body, 0x100000005, tree);
  if (!loaded.is_ok()) return;
  const std::string again = peer::encode_zk_snapshot_body(tree);
  state::DataTree copy;
  auto reloaded = peer::load_zk_snapshot_body(again, 0x100000005, copy);
  FUZZ_CHECK(reloaded.is_ok(), "a loaded tree's own body does not load: %s",
             reloaded.error().c_str());
  FUZZ_CHECK(copy.digest() == tree.digest(), "digest changed through encode/load");
  FUZZ_CHECK(copy.node_count() == tree.node_count());
}

void zk_file(std::string_view bytes) {
  auto snap = storage::parse_zk_snapshot(bytes);
  if (!snap.is_ok()) return;
  FUZZ_CHECK(snap->nodes.size() <= bytes.size());
  FUZZ_CHECK(snap->sessions.size() <= bytes.size());
}

class CountingVisitor final : public storage::SnapshotVisitor {
 public:
  Status on_session(int64_t, int32_t) override { return Status::ok(); }
  Status on_acl(uint32_t, const proto::AclList&) override { return Status::ok(); }
  Status on_node(const storage::SnapshotNode& node) override {
    FUZZ_CHECK(node.path.size() < (1u << 20));
    return Status::ok();
  }
};

void paddock_records(std::string_view raw) {
  CountingVisitor visitor;
  storage::SnapshotRecordParser parser(&visitor);
  (void)parser.parse_block(raw);
  const storage::SnapshotTrailer& t = parser.totals();
  FUZZ_CHECK(t.sessions + t.acls + t.nodes <= raw.size(), "more items than bytes");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  switch (data[0] & 3) {
    case 0:
      zk_body(data[0] >> 2, in);
      break;
    case 1:
      zk_body_load(in);
      break;
    case 2:
      zk_file(in);
      break;
    default:
      paddock_records(in);
      break;
  }
  return 0;
}
