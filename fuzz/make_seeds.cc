// Writes the seed corpora under fuzz/corpus/<target>/ from real encodings: the records,
// txns, frames, packets, files and configs the servers and clients actually produce, plus
// the files ZooKeeper 3.8 wrote (src/storage/testdata/zk38). Run by hand when a format
// changes:  build-fuzz/fuzz/fuzz_make_seeds fuzz/corpus .
// (Each seed's first byte is the mode byte of targets that have one; see each *_fuzz.cc.)
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "peer/election_codec.h"
#include "peer/quorum_codec.h"
#include "peer/zk_snapshot_stream.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/test_records.h"
#include "proto/txn.h"
#include "state/database.h"
#include "storage/log_format.h"
#include "storage/snapshot_format.h"

namespace {

using namespace paddock;
using proto::OpCode;
namespace fs = std::filesystem;

fs::path g_out;

void put(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(g_out / target);
  std::ofstream(g_out / target / name, std::ios::binary) << bytes;
}

std::string byte(int b) { return std::string(1, static_cast<char>(b)); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const proto::AclList kOpen = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};

// --- client frames -------------------------------------------------------------------------
std::string frame(std::string_view body) {
  std::string out;
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(body.size()));
  w.raw(body);
  return out;
}

template <typename T>
std::string request(int32_t xid, OpCode op, const T& record) {
  return frame(proto::encode(proto::RequestHeader{xid, static_cast<int32_t>(op)}) +
               proto::encode(record));
}

std::string header_only(int32_t xid, OpCode op) {
  return frame(proto::encode(proto::RequestHeader{xid, static_cast<int32_t>(op)}));
}

std::string connect_frame() {
  return frame(proto::encode(proto::ConnectRequest{0, 0, 30000, 0, std::string(16, '\0'), false}));
}

std::string multi_body(const std::vector<std::pair<OpCode, std::string>>& ops) {
  std::string out;
  for (const auto& [op, body] : ops) {
    out += proto::encode(proto::MultiHeader{static_cast<int32_t>(op), false, -1}) + body;
  }
  return out + proto::encode(proto::MultiHeader{-1, true, -1});
}

std::string multi_frame(int32_t xid, const std::vector<std::pair<OpCode, std::string>>& ops) {
  return frame(proto::encode(proto::RequestHeader{xid, static_cast<int32_t>(OpCode::kMulti)}) +
               multi_body(ops));
}

void client_requests() {
  const proto::AclList digest = {
      proto::Acl{proto::perm::kAll, proto::Id{"digest", "u:HjH/4grJkgqYJXEpJKcAPoZ5TYE="}},
      proto::Acl{proto::perm::kRead, proto::Id{"world", "anyone"}}};
  put("client_requests", "create_get_set_delete",
      connect_frame() + request(1, OpCode::kCreate, proto::CreateRequest{"/a", "data", kOpen, 0}) +
          request(2, OpCode::kGetData, proto::GetDataRequest{"/a", true}) +
          request(4, OpCode::kSetData, proto::SetDataRequest{"/a", "more", 0}) +
          request(5, OpCode::kExists, proto::ExistsRequest{"/a", true}) +
          request(8, OpCode::kDelete, proto::DeleteRequest{"/a", -1}));
  put("client_requests", "sequential_ephemeral_children",
      connect_frame() + request(1, OpCode::kCreate, proto::CreateRequest{"/q", "", kOpen, 0}) +
          request(4, OpCode::kCreate2, proto::CreateRequest{"/q/n-", "x", kOpen, 3}) +
          request(5, OpCode::kCreate2, proto::CreateRequest{"/q/n-", std::nullopt, kOpen, 2}) +
          request(8, OpCode::kGetChildren2, proto::GetChildren2Request{"/q", true}) +
          request(9, OpCode::kGetAllChildrenNumber, proto::GetAllChildrenNumberRequest{"/q"}) +
          request(12, OpCode::kGetEphemerals, proto::GetEphemeralsRequest{"/"}));
  put("client_requests", "auth_acl",
      connect_frame() + request(-4, OpCode::kAuth, proto::AuthPacket{0, "digest", "u:p"}) +
          request(4, OpCode::kCreate, proto::CreateRequest{"/s", "secret", digest, 0}) +
          request(5, OpCode::kGetACL, proto::GetAclRequest{"/s"}) +
          request(8, OpCode::kSetACL, proto::SetAclRequest{"/s", kOpen, 0}) +
          header_only(9, OpCode::kWhoAmI));
  put("client_requests", "multi",
      connect_frame() +
          multi_frame(4, {{OpCode::kCreate, proto::encode(proto::CreateRequest{"/m", "", kOpen, 0})},
                          {OpCode::kCreate, proto::encode(proto::CreateRequest{"/m/c", "1", kOpen, 0})},
                          {OpCode::kCheck, proto::encode(proto::CheckVersionRequest{"/m", 0})},
                          {OpCode::kSetData, proto::encode(proto::SetDataRequest{"/m/c", "2", -1})},
                          {OpCode::kDelete, proto::encode(proto::DeleteRequest{"/m/c", -1})}}) +
          frame(proto::encode(proto::RequestHeader{5, static_cast<int32_t>(OpCode::kMultiRead)}) +
                multi_body({{OpCode::kGetData, proto::encode(proto::GetDataRequest{"/m", false})},
                            {OpCode::kGetChildren, proto::encode(proto::GetChildrenRequest{"/", false})}})));
  put("client_requests", "watches",
      connect_frame() + request(1, OpCode::kCreate, proto::CreateRequest{"/w", "", kOpen, 0}) +
          request(2, OpCode::kAddWatch, proto::AddWatchRequest{"/w", 1}) +
          request(3, OpCode::kAddWatch, proto::AddWatchRequest{"/", 0}) +
          request(4, OpCode::kCreate, proto::CreateRequest{"/w/x", "", kOpen, 0}) +
          request(-8, OpCode::kSetWatches2,
                  proto::SetWatches2{0, {"/w"}, {"/none"}, {"/"}, {"/w"}, {"/"}}) +
          request(6, OpCode::kCheckWatches, proto::CheckWatchesRequest{"/w", 1}) +
          request(7, OpCode::kRemoveWatches, proto::RemoveWatchesRequest{"/w", 3}) +
          request(8, OpCode::kSync, proto::SyncRequest{"/w"}));
  put("client_requests", "ttl_container_close",
      connect_frame() +
          request(1, OpCode::kCreateContainer, proto::CreateRequest{"/c", "", kOpen, 4}) +
          request(2, OpCode::kCreateTTL, proto::CreateTtlRequest{"/t", "", kOpen, 5, 1000}) +
          header_only(4, OpCode::kCloseSession));
}

// --- records and txns ------------------------------------------------------------------------
void jute_records() {
  using namespace paddock::proto;
  int i = 0;
#define PADDOCK_SEED_RECORD(T) \
  put("jute_records", std::string(#T), byte(i++) + proto::encode(proto::testing::sample<T>()));
  PADDOCK_FOR_EACH_RECORD(PADDOCK_SEED_RECORD)
#undef PADDOCK_SEED_RECORD
}

std::vector<proto::Txn> sample_txns() {
  std::vector<proto::Txn> out;
  proto::TxnHeader h{0x100000001, 1, 0x100000001, 1700000000000, 0};
  auto txn = [&](int32_t type, proto::TxnBody body) {
    h.type = type;
    ++h.zxid;
    out.push_back(proto::Txn{h, std::move(body), std::nullopt});
  };
  txn(-10, proto::CreateSessionTxn{30000});
  txn(1, proto::CreateTxn{"/a", "d", kOpen, true, 2});
  txn(21, proto::CreateTtlTxn{"/t", "d", kOpen, 2, 1000});
  txn(7, proto::SetAclTxn{"/a", kOpen, 1});
  txn(5, proto::SetDataTxn{"/a", std::nullopt, 1});
  txn(2, proto::DeleteTxn{"/a"});
  txn(14, proto::MultiTxn{{proto::MultiTxnOp{1, proto::CreateTxn{"/m", "", kOpen, false, 1}},
                           proto::MultiTxnOp{5, proto::SetDataTxn{"/m", "v", 1}},
                           proto::MultiTxnOp{-1, proto::ErrorTxn{-2}}}});
  txn(-11, proto::CloseSessionTxn{{"/e1", "/e2"}});
  return out;
}

void txns() {
  int i = 0;
  for (const proto::Txn& t : sample_txns()) put("txn", "txn" + std::to_string(i++), proto::encode_txn(t));
  proto::Txn with_digest = sample_txns()[1];
  with_digest.digest = 77;
  put("txn", "create_with_digest", proto::encode_txn(with_digest));
}

// --- a small tree, its ZooKeeper snapshot body ----------------------------------------------
std::unique_ptr<state::Database> small_database() {
  auto owned = std::make_unique<state::Database>(state::DatabaseOptions{});
  state::Database& db = *owned;
  std::vector<proto::Id> auth{proto::Id{"ip", "127.0.0.1"}};
  int64_t zxid = 0;
  db.apply(db.prep_create_session(0x1001, 30000, ++zxid, 1000), nullptr);
  std::vector<std::string> bodies = {
      proto::encode(proto::CreateRequest{"/a", "alpha", kOpen, 0}),
      proto::encode(proto::CreateRequest{"/a/b", std::nullopt, kOpen, 0}),
      proto::encode(proto::CreateRequest{
          "/s", "s", {proto::Acl{proto::perm::kRead, proto::Id{"digest", "u:x"}}}, 0}),
      proto::encode(proto::CreateRequest{"/e", "", kOpen, 1})};
  for (const std::string& body : bodies) {
    state::Request r;
    r.session_id = 0x1001;
    r.op = OpCode::kCreate;
    r.body = body;
    r.auth = &auth;
    db.apply(db.prep(r, ++zxid, 2000), nullptr);
  }
  return owned;
}

void snapshots(const fs::path& root) {
  const std::string body = peer::encode_zk_snapshot_body(small_database()->tree(), {{0x1001, 30000}});
  put("snapshot", "zk_body", byte(0) + body);
  put("snapshot", "zk_body_split", byte(0x54) + body);
  put("snapshot", "zk_body_load", byte(1) + body);
  put("snapshot", "zk_file_zk38", byte(2) + read_file(root / "src/storage/testdata/zk38/snapshot.f"));
  storage::SnapshotChunk chunk;
  chunk.add_session(0x1001, 30000);
  chunk.add_acl(1, kOpen);
  chunk.add_node("", "", 1, proto::StatPersisted{});
  chunk.add_node("/a", "alpha", 1, proto::StatPersisted{2, 2, 5, 5, 0, 1, 0, 0, 3});
  chunk.add_node("/a/b", std::nullopt, 1, proto::StatPersisted{3, 3, 5, 5, 0, 0, 0, 0, 3});
  put("snapshot", "paddock_records", byte(3) + chunk.bytes);
}

// --- peers -----------------------------------------------------------------------------------
void quorum_packets() {
  using quorum::PacketType;
  using quorum::QuorumPacket;
  auto pkt = [](PacketType t, int64_t zxid, std::optional<std::string> data) {
    return QuorumPacket{t, zxid, std::move(data), std::nullopt};
  };
  const std::vector<proto::Txn> txns = sample_txns();
  std::string learner;  // what a follower sends while it joins and follows
  std::string follower_info;
  {
    proto::JuteWriter w(follower_info);
    w.i64(2);                                 // sid
    w.i32(quorum::kQuorumProtocolVersion);    // protocol version
    w.i64(-1);                                // config version
  }
  learner += peer::encode_quorum_packet(pkt(PacketType::kFollowerInfo, 0x100000000, follower_info));
  learner += peer::encode_quorum_packet(pkt(PacketType::kAckEpoch, 0x100000003, std::string(4, '\x01')));
  learner += peer::encode_quorum_packet(pkt(PacketType::kAck, 0x200000000, std::nullopt));
  learner += peer::encode_quorum_packet(
      QuorumPacket{PacketType::kRequest, 0, std::string("request bytes"),
                   std::vector<quorum::AuthId>{{"ip", "127.0.0.1"}, {"digest", "u:x"}}});
  learner += peer::encode_quorum_packet(pkt(PacketType::kPing, 0x200000001, std::string(12, '\0')));
  put("quorum_packets", "learner", byte(0) + learner);

  std::string leader;  // what a leader sends: LEADERINFO, DIFF, proposals, commits, UPTODATE
  leader += peer::encode_quorum_packet(pkt(PacketType::kLeaderInfo, 0x200000000, std::string("\0\1\0\0", 4)));
  leader += peer::encode_quorum_packet(pkt(PacketType::kDiff, 0x100000009, std::nullopt));
  for (const proto::Txn& t : txns) {
    leader += peer::encode_quorum_packet(pkt(PacketType::kProposal, t.header.zxid, proto::encode_txn(t)));
    leader += peer::encode_quorum_packet(pkt(PacketType::kCommit, t.header.zxid, std::nullopt));
  }
  leader += peer::encode_quorum_packet(pkt(PacketType::kNewLeader, 0x200000000, std::string()));
  leader += peer::encode_quorum_packet(pkt(PacketType::kUpToDate, 0, std::nullopt));
  leader += peer::encode_quorum_packet(pkt(PacketType::kInform, 0x200000001, proto::encode_txn(txns[1])));
  put("quorum_packets", "leader", byte(7) + leader);

  const std::string body = peer::encode_zk_snapshot_body(small_database()->tree(), {{0x1001, 30000}});
  put("quorum_packets", "snap",
      byte(3) + peer::encode_quorum_packet(pkt(PacketType::kSnap, 0x100000005, body)) +
          peer::encode_quorum_packet(pkt(PacketType::kNewLeader, 0x200000000, std::nullopt)));
  put("quorum_packets", "trunc",
      byte(1) + peer::encode_quorum_packet(pkt(PacketType::kTrunc, 0x100000002, std::nullopt)));
}

void election() {
  quorum::Notification n;
  n.state = quorum::ServerState::kLooking;
  n.leader = 3;
  n.zxid = 0x100000007;
  n.election_epoch = 2;
  n.peer_epoch = 1;
  n.version = 2;
  n.config = "server.1=127.0.0.1:2888:3888:participant\nversion=100000000";
  quorum::Notification following = n;
  following.state = quorum::ServerState::kFollowing;
  following.config.clear();
  put("election", "init_and_votes",
      byte(0) + peer::encode_connection_init(2, "127.0.0.1:3888") +
          peer::encode_notification_frame(n) + peer::encode_notification_frame(following));
  quorum::Notification old = n;
  old.version = 1;
  old.config.clear();
  put("election", "init_v1_split", byte(0x31) + peer::encode_connection_init(5, "[::1]:3890") +
                                       peer::encode_notification_frame(old));
  std::string bare;  // a bare sid initiation (ZooKeeper before 3.5)
  proto::JuteWriter(bare).i64(4);
  put("election", "bare_sid", byte(9) + bare + peer::encode_notification_frame(following));
}

// --- files -----------------------------------------------------------------------------------
void log_records(const fs::path& root) {
  // The fuzz target names the segment for zxid 0x100000001 and puts its header in front in
  // modes 1 and 3: the records start there.
  std::string from_first;
  int64_t zxid = 0x100000001;
  for (const proto::Txn& t : sample_txns()) storage::append_record(from_first, zxid++, proto::encode_txn(t));
  put("log_records", "records_with_header", byte(1) + from_first);
  put("log_records", "records_crc_fixed", byte(3) + from_first + std::string(16, '\0'));
  put("log_records", "whole_segment",
      byte(0) + storage::encode_segment_header(storage::SegmentHeader{7, 0x100000001}) + from_first +
          std::string(64, '\0'));
  put("log_records", "torn_tail", byte(1) + from_first.substr(0, from_first.size() - 5));
  put("log_records", "zk_log_zk38", byte(4) + read_file(root / "src/storage/testdata/zk38/log.10"));
}

void zoo_cfg(const fs::path& root) {
  put("zoo_cfg", "conf_zoo_cfg", read_file(root / "conf/zoo.cfg"));
  put("zoo_cfg", "ensemble",
      "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/zookeeper\nclientPort=2181\n"
      "server.1=zk1:2888:3888\nserver.2=zk2:2888:3888;2181\nserver.3=zk3:2888:3888:observer\n"
      "4lw.commands.whitelist=srvr, ruok, mntr\nautopurge.purgeInterval=1\n"
      "admin.serverPort=8081\njute.maxbuffer=0x200000\n");
  put("zoo_cfg", "escapes",
      "# comment\n! also a comment\nkey\\ with\\ spaces = value \\\n   continued\n"
      "dataDir : /tmp/z\\u0041\nclientPort 2181\nmetricsProvider.httpPort=7000\r\n"
      "dynamicConfigFile=zoo.cfg.dynamic\n");
  put("zoo_cfg", "dynamic",
      "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n"
      "server.2=[::1]:2889:3889:participant;[::1]:2182\nversion=100000000\n");
}

void jaas() {
  put("jaas", "digest_users",
      "Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
      "  user_super=\"adminsecret\"\n  user_bob=\"bob\\\"secret\";\n};\n"
      "Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
      "  username=\"bob\" password=\"bobsecret\";\n};\n");
  put("jaas", "kerberos_comments",
      "/* the server's keytab */\nServer {\n"
      "  com.sun.security.auth.module.Krb5LoginModule REQUIRED // any case\n"
      "  useKeyTab=true\n  keyTab=\"${user.home}/zk.keytab\"\n  storeKey=true\n"
      "  principal=\"zookeeper/localhost@EXAMPLE.COM\";\n};\n"
      "QuorumServer { org.apache.zookeeper.server.auth.DigestLoginModule sufficient "
      "user_test=\"test\"; };\n");
}

}  // namespace

// --- pipeline_frames: commands for the request core (see pipeline_frames_fuzz.cc) ---------
std::string pf_open() { return byte(0); }
// A frame for the connection at `index` among those open; `wire` is a client frame with its
// length prefix, which the core never sees.
std::string pf_frame(int index, const std::string& wire) {
  const std::string body = wire.substr(4);
  return byte(1) + byte(index) + byte(static_cast<int>(body.size() & 0xff)) +
         byte(static_cast<int>(body.size() >> 8)) + body;
}
std::string pf_finish_step(int index) { return byte(5) + byte(index); }
std::string pf_hold() { return byte(6) + byte(1); }
std::string pf_release() { return byte(6) + byte(0); }
std::string pf_clock(int fifty_ms) { return byte(7) + byte(fifty_ms); }

std::string sasl_frame(int32_t xid, std::string_view token) {
  std::string body = proto::encode(proto::RequestHeader{xid, static_cast<int32_t>(OpCode::kSasl)});
  proto::JuteWriter w(body);
  w.buffer(token);
  return frame(body);
}

void pipeline_frames() {
  put("pipeline_frames", "write_read_watch",
      pf_open() + pf_frame(0, connect_frame()) +
          pf_frame(0, request(1, OpCode::kCreate, proto::CreateRequest{"/a", "x", kOpen, 0})) +
          pf_frame(0, request(2, OpCode::kGetData, proto::GetDataRequest{"/a", true})) +
          pf_frame(0, request(3, OpCode::kSetData, proto::SetDataRequest{"/a", "y", -1})) +
          pf_frame(0, header_only(-2, OpCode::kPing)));
  put("pipeline_frames", "sasl_steps_and_held_frames",
      pf_open() + pf_frame(0, connect_frame()) + pf_frame(0, sasl_frame(1, "")) +
          pf_frame(0, header_only(2, OpCode::kWhoAmI)) +
          pf_frame(0, request(3, OpCode::kCreate, proto::CreateRequest{"/s", "", kOpen, 0})) +
          pf_finish_step(0) + pf_frame(0, sasl_frame(4, "bob:ok")) +
          pf_frame(0, request(5, OpCode::kGetData, proto::GetDataRequest{"/s", false})) +
          pf_finish_step(0));
  put("pipeline_frames", "held_commits_two_connections",
      pf_open() + pf_open() + pf_frame(0, connect_frame()) + pf_frame(1, connect_frame()) +
          pf_hold() +
          pf_frame(0, request(1, OpCode::kCreate, proto::CreateRequest{"/h", "", kOpen, 0})) +
          pf_frame(0, sasl_frame(2, "")) + pf_frame(0, header_only(3, OpCode::kWhoAmI)) +
          pf_frame(1, sasl_frame(1, "carol:ok")) +
          pf_frame(1, request(2, OpCode::kExists, proto::ExistsRequest{"/h", true})) +
          pf_release() + pf_finish_step(1) + pf_finish_step(0));
  put("pipeline_frames", "session_expiry",
      pf_open() + pf_frame(0, connect_frame()) +
          pf_frame(0, request(1, OpCode::kCreate, proto::CreateRequest{"/e", "", kOpen, 1})) +
          pf_clock(255) + pf_clock(255) + pf_clock(255) +
          pf_frame(0, request(2, OpCode::kGetData, proto::GetDataRequest{"/e", false})));
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_seeds CORPUS_DIR SOURCE_ROOT\n";
    return 2;
  }
  g_out = argv[1];
  const fs::path root = argv[2];
  client_requests();
  pipeline_frames();
  jute_records();
  txns();
  snapshots(root);
  quorum_packets();
  election();
  log_records(root);
  zoo_cfg(root);
  jaas();
  return 0;
}
