// Snapshot files: the format round-trips, every checksum catches damage, a crash while
// writing never leaves a snapshot under its final name.
#include "storage/snapshot_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/fault_injecting_env.h"
#include "storage/snapshot_format.h"
#include "storage/snapshot_records.h"

namespace paddock::storage {
namespace {

const std::string kSnapDir = snapshot_dir("/data");

proto::StatPersisted stat_for(int64_t n) {
  proto::StatPersisted s;
  s.czxid = n;
  s.mzxid = n + 1;
  s.ctime = 1000 + n;
  s.mtime = 2000 + n;
  s.version = static_cast<int32_t>(n % 7);
  s.cversion = static_cast<int32_t>(n % 5);
  s.aversion = -1;
  s.ephemeral_owner = n % 3 == 0 ? 0x1234 : 0;
  s.pzxid = n + 2;
  return s;
}

const proto::AclList kAcl1{{proto::perm::kAll, {"world", "anyone"}}};
const proto::AclList kAcl2{{proto::perm::kRead, {"digest", "u:abc="}},
                           {proto::perm::kAll, {"ip", "127.0.0.1"}}};

// What a visitor saw, as text, so tests compare whole streams at once.
class SnapshotRecorder final : public SnapshotVisitor {
 public:
  Status on_session(int64_t id, int32_t timeout) override {
    seen.push_back("S " + std::to_string(id) + " " + std::to_string(timeout));
    return Status::ok();
  }
  Status on_acl(uint32_t id, const proto::AclList& acl) override {
    std::string s = "A " + std::to_string(id);
    for (const auto& a : acl)
      s += " " + std::to_string(a.perms) + ":" + a.id.scheme + ":" + a.id.id;
    seen.push_back(s);
    return Status::ok();
  }
  Status on_node(const SnapshotNode& n) override {
    seen.push_back(
        "N " + std::string(n.path) + " " + (n.data ? "'" + std::string(*n.data) + "'" : "null") +
        " acl=" + std::to_string(n.acl_id) + " czxid=" + std::to_string(n.stat.czxid) +
        " owner=" + std::to_string(n.stat.ephemeral_owner) +
        " pzxid=" + std::to_string(n.stat.pzxid) + " cv=" + std::to_string(n.stat.cversion));
    return Status::ok();
  }
  std::vector<std::string> seen;
};

// Chunks with sessions, two ACLs, nodes with empty, null and binary data.
std::vector<SnapshotChunk> sample_chunks(int nodes_per_chunk = 3, int chunks = 3) {
  std::vector<SnapshotChunk> out(chunks);
  out[0].add_session(0x100, 4000);
  out[0].add_session(0x200, 30000);
  out[0].add_node("/", std::string_view(), 0, stat_for(0));
  out[0].add_acl(1, kAcl1);
  out[0].add_acl(7, kAcl2);
  int n = 1;
  for (int c = 0; c < chunks; ++c) {
    for (int i = 0; i < nodes_per_chunk; ++i, ++n) {
      std::string data = n % 4 == 0 ? std::string("\0\1\2", 3) : "data-" + std::to_string(n);
      std::optional<std::string_view> d = data;
      if (n % 5 == 0) d = std::nullopt;
      out[c].add_node("/n" + std::to_string(n), d, n % 2 == 0 ? 1 : 7, stat_for(n));
    }
  }
  return out;
}

Result<std::string> write(FaultInjectingEnv& env, int64_t zxid,
                          const std::vector<SnapshotChunk>& chunks,
                          SnapshotCompression compression = SnapshotCompression::kZstd) {
  SnapshotWriteOptions options;
  options.dir = kSnapDir;
  options.header.zxid = zxid;
  options.header.dbid = 9;
  options.header.compression = compression;
  options.header.created_ms = 123456;
  auto w = SnapshotFileWriter::create(env, options);
  if (!w) return w.status();
  for (const auto& c : chunks) {
    if (Status st = (*w)->add(c); !st) return st;
  }
  return (*w)->finish(zxid + 5, 0x5eed);
}

std::vector<std::string> expected_stream(const std::vector<SnapshotChunk>& chunks) {
  SnapshotRecorder r;
  SnapshotRecordParser parser(&r);
  for (const auto& c : chunks) EXPECT_TRUE(parser.parse_block(c.bytes));
  return r.seen;
}

TEST(SnapshotFileTest, NamesRoundTripAndOtherNamesDoNotParse) {
  EXPECT_EQ(snapshot_file_name(0x1000000a3), "snapshot.00000001000000a3");
  EXPECT_EQ(parse_snapshot_file_name("snapshot.00000001000000a3"), 0x1000000a3);
  EXPECT_EQ(parse_snapshot_file_name(snapshot_temp_name(5)), std::nullopt);
  EXPECT_EQ(parse_snapshot_file_name("snapshot.1000000a3"), std::nullopt);
  EXPECT_EQ(parse_snapshot_file_name("snapshot.00000001000000A3"), std::nullopt);
  EXPECT_EQ(parse_snapshot_file_name("log.00000001000000a3"), std::nullopt);
}

TEST(SnapshotFileTest, WrittenSnapshotReadsBackEveryRecordInOrder) {
  for (auto compression : {SnapshotCompression::kZstd, SnapshotCompression::kNone}) {
    FaultInjectingEnv env;
    const auto chunks = sample_chunks();
    auto path = write(env, 0x100000010, chunks, compression);
    ASSERT_TRUE(path) << path.error();
    EXPECT_EQ(*path, join_path(kSnapDir, "snapshot.0000000100000010"));
    SnapshotRecorder r;
    auto info = read_snapshot(env, *path, &r);
    ASSERT_TRUE(info) << info.error();
    EXPECT_EQ(r.seen, expected_stream(chunks));
    EXPECT_EQ(r.seen.front(), "S 256 4000");
    EXPECT_EQ(info->header.zxid, 0x100000010);
    EXPECT_EQ(info->header.dbid, 9u);
    EXPECT_EQ(info->header.compression, compression);
    EXPECT_EQ(info->trailer.sessions, 2u);
    EXPECT_EQ(info->trailer.acls, 2u);
    EXPECT_EQ(info->trailer.nodes, 10u);
    EXPECT_EQ(info->trailer.end_zxid, 0x100000015);
    EXPECT_EQ(info->trailer.end_digest, 0x5eed);
    EXPECT_EQ(info->blocks, 3u);
    EXPECT_EQ(info->file_size, env.contents(*path).size());
  }
}

TEST(SnapshotFileTest, NullAndEmptyDataStayApart) {
  SnapshotChunk c;
  c.add_node("/", std::string_view(), 0, {});
  c.add_node("/null", std::nullopt, 0, {});
  SnapshotRecorder r;
  SnapshotRecordParser parser(&r);
  ASSERT_TRUE(parser.parse_block(c.bytes));
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_NE(r.seen[0].find("/ ''"), std::string::npos);
  EXPECT_NE(r.seen[1].find("/null null"), std::string::npos);
}

TEST(SnapshotFileTest, CompressionShrinksRepetitiveData) {
  FaultInjectingEnv env;
  SnapshotChunk c;
  c.add_node("/", std::string_view(), 0, {});
  const std::string data(100, 'x');
  for (int i = 0; i < 2000; ++i) c.add_node("/node-" + std::to_string(i), data, 0, stat_for(i));
  auto path = write(env, 1, {c});
  ASSERT_TRUE(path);
  EXPECT_LT(env.contents(*path).size() * 4, c.bytes.size());
}

TEST(SnapshotFileTest, HeaderAndTrailerRejectEveryFlippedBit) {
  SnapshotHeader h{
      .zxid = 42, .dbid = 3, .compression = SnapshotCompression::kZstd, .created_ms = 7};
  const std::string bytes = encode_snapshot_header(h);
  ASSERT_EQ(bytes.size(), kSnapshotHeaderSize);
  ASSERT_TRUE(decode_snapshot_header(bytes));
  SnapshotTrailer t{.sessions = 1,
                    .acls = 2,
                    .nodes = 3,
                    .raw_bytes = 4,
                    .end_zxid = 5,
                    .end_digest = 6,
                    .raw_crc = 7};
  const std::string tb = encode_snapshot_trailer(t);
  ASSERT_EQ(tb.size(), kSnapshotTrailerSize);
  ASSERT_TRUE(decode_snapshot_trailer(tb));
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string b = bytes;
    b[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(decode_snapshot_header(b)) << "bit " << bit;
  }
  for (size_t bit = 0; bit < tb.size() * 8; ++bit) {
    std::string b = tb;
    b[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(decode_snapshot_trailer(b)) << "bit " << bit;
  }
}

TEST(SnapshotFileTest, EveryFlippedByteAnywhereIsReportedWithFileAndOffset) {
  FaultInjectingEnv env;
  auto path = write(env, 77, sample_chunks(2, 2));
  ASSERT_TRUE(path);
  const std::string good = env.contents(*path);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x20;
    env.set_contents(*path, bad);
    auto info = read_snapshot(env, *path, nullptr);
    ASSERT_FALSE(info) << "flip at " << i << " went unnoticed";
    EXPECT_NE(info.error().find("file=" + *path), std::string::npos) << info.error();
    EXPECT_NE(info.error().find("offset="), std::string::npos) << info.error();
  }
}

TEST(SnapshotFileTest, EveryTruncationAndAnyAppendedByteIsAnError) {
  FaultInjectingEnv env;
  auto path = write(env, 78, sample_chunks(2, 2));
  ASSERT_TRUE(path);
  const std::string good = env.contents(*path);
  for (size_t n = 0; n < good.size(); ++n) {
    env.set_contents(*path, good.substr(0, n));
    EXPECT_FALSE(read_snapshot(env, *path, nullptr)) << "truncated to " << n;
    EXPECT_FALSE(peek_snapshot(env, *path)) << "peek accepted a file cut to " << n;
  }
  env.set_contents(*path, good + std::string(1, '\0'));
  EXPECT_FALSE(read_snapshot(env, *path, nullptr));
  env.set_contents(*path, good);
  EXPECT_TRUE(read_snapshot(env, *path, nullptr));
  EXPECT_TRUE(peek_snapshot(env, *path));
}

TEST(SnapshotFileTest, CrashBeforeFinishLeavesOnlyATempFile) {
  FaultInjectingEnv env;
  SnapshotWriteOptions options;
  options.dir = kSnapDir;
  options.header.zxid = 5;
  auto w = SnapshotFileWriter::create(env, options);
  ASSERT_TRUE(w);
  for (const auto& c : sample_chunks()) ASSERT_TRUE((*w)->add(c));
  env.crash();
  EXPECT_TRUE(list_snapshots(env, kSnapDir)->empty());
  w->reset();  // the handle is dead; abandon() removes what is left
  EXPECT_TRUE(list_snapshot_temp_files(env, kSnapDir)->empty());
}

TEST(SnapshotFileTest, FinishedSnapshotSurvivesACrash) {
  FaultInjectingEnv env;
  auto path = write(env, 6, sample_chunks());
  ASSERT_TRUE(path);
  env.crash();
  auto list = list_snapshots(env, kSnapDir);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].zxid, 6);
  EXPECT_TRUE(read_snapshot(env, *path, nullptr));
  EXPECT_TRUE(list_snapshot_temp_files(env, kSnapDir)->empty());
}

TEST(SnapshotFileTest, FailedWriteReportsTheErrorAndLeavesNoFile) {
  FaultInjectingEnv env;
  env.inject({.op = FaultInjectingEnv::Op::kWrite, .nth = 2, .error = 28 /* ENOSPC */});
  auto path = write(env, 8, sample_chunks());
  ASSERT_FALSE(path);
  EXPECT_NE(path.error().find("No space"), std::string::npos) << path.error();
  EXPECT_TRUE(list_snapshots(env, kSnapDir)->empty());
  EXPECT_TRUE(list_snapshot_temp_files(env, kSnapDir)->empty());
}

TEST(SnapshotFileTest, ListsSnapshotsOldestFirstAndTempFilesApart) {
  FaultInjectingEnv env;
  ASSERT_TRUE(write(env, 0x30, sample_chunks()));
  ASSERT_TRUE(write(env, 0x4, sample_chunks()));
  ASSERT_TRUE(write(env, 0x100000000, sample_chunks()));
  env.set_contents(join_path(kSnapDir, snapshot_temp_name(0x200)), "partial");
  env.set_contents(join_path(kSnapDir, "notes.txt"), "x");
  auto list = list_snapshots(env, kSnapDir);
  ASSERT_TRUE(list);
  std::vector<int64_t> zxids;
  for (const auto& s : *list) zxids.push_back(s.zxid);
  EXPECT_EQ(zxids, (std::vector<int64_t>{0x4, 0x30, 0x100000000}));
  EXPECT_EQ(*list_snapshot_temp_files(env, kSnapDir),
            std::vector<std::string>{join_path(kSnapDir, snapshot_temp_name(0x200))});
  EXPECT_TRUE(list_snapshots(env, "/nowhere")->empty());
}

TEST(SnapshotFileTest, NodeUsingAnUndefinedAclIdIsRejected) {
  SnapshotChunk c;
  c.add_node("/", std::string_view(), 0, {});
  c.add_node("/a", std::string_view("x"), 3, {});
  SnapshotRecordParser parser(nullptr);
  Status st = parser.parse_block(c.bytes);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("ACL id 3 before it is defined"), std::string::npos);

  SnapshotChunk twice;
  twice.add_acl(2, kAcl1);
  twice.add_acl(2, kAcl2);
  EXPECT_FALSE(SnapshotRecordParser(nullptr).parse_block(twice.bytes));
}

TEST(SnapshotFileTest, HeaderZxidMustMatchTheFileName) {
  FaultInjectingEnv env;
  auto path = write(env, 9, sample_chunks());
  ASSERT_TRUE(path);
  const std::string other = join_path(kSnapDir, snapshot_file_name(10));
  env.set_contents(other, env.contents(*path));
  auto info = read_snapshot(env, other, nullptr);
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().find("does not match the name"), std::string::npos);
}

TEST(SnapshotFileTest, VisitorErrorStopsTheReadAndNamesTheOffset) {
  class Failing final : public SnapshotVisitor {
   public:
    Status on_session(int64_t, int32_t) override { return Status::ok(); }
    Status on_acl(uint32_t, const proto::AclList&) override { return Status::ok(); }
    Status on_node(const SnapshotNode& n) override {
      return n.path == "/n4" ? Status::error("no thanks") : Status::ok();
    }
  } failing;
  FaultInjectingEnv env;
  auto path = write(env, 11, sample_chunks());
  ASSERT_TRUE(path);
  auto info = read_snapshot(env, *path, &failing);
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().find("no thanks"), std::string::npos);
  EXPECT_NE(info.error().find("offset="), std::string::npos);
}

}  // namespace
}  // namespace paddock::storage
