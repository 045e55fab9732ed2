// Client frames as the client port cuts them ([int32 length][RequestHeader][record]), run
// through the request layer a connection's requests reach (state::Database: prep, apply,
// read), with every request record decoded by the code that serves it. The first frame is
// also read as a ConnectRequest, as a new connection's is.
//
// Invariants: every txn prep makes re-encodes and decodes to itself (it is what the log and
// PROPOSALs carry); replaying the decoded txns on a fresh database gives the same tree digest
// and node count (what recovery and a follower's DIFF rely on); nothing is allocated beyond
// the input's size times a constant (-malloc_limit_mb in fuzz/run.sh).
#include <deque>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/txn.h"
#include "state/database.h"

namespace {

using namespace paddock;
using proto::OpCode;

constexpr int64_t kSession = 0x100000000000001;
constexpr size_t kMaxFrame = 0xfffff + 1024;  // the client port's default frame limit
constexpr int kMaxFrames = 64;

struct Run {
  state::Database db{state::DatabaseOptions{}};
  std::vector<std::string> logged;  // every applied txn, encoded
  std::deque<proto::Txn> pending;
  std::vector<proto::Id> auth{proto::Id{"ip", "127.0.0.1"}};
  int64_t zxid = 0;
  int64_t now_ms = 1'700'000'000'000;

  void apply(const proto::Txn& txn, const state::Request* origin) {
    std::string bytes = proto::encode_txn(txn);
    Result<proto::Txn> back = proto::decode_txn(bytes);
    FUZZ_CHECK(back.is_ok(), "prep made a txn that does not decode: %s", back.error().c_str());
    FUZZ_CHECK(*back == txn, "prep made a txn that does not round-trip");
    db.apply(txn, origin);
    logged.push_back(std::move(bytes));
  }
  void apply_pending() {
    while (!pending.empty()) {
      apply(pending.front(), nullptr);
      pending.pop_front();
    }
  }
};

void serve(Run& run, const proto::RequestHeader& header, std::string_view body) {
  state::Request req;
  req.session_id = kSession;
  req.xid = header.xid;
  req.op = static_cast<OpCode>(header.type);
  req.body = body;
  req.auth = &run.auth;
  req.watcher = 1;
  run.now_ms += header.xid & 0xff;
  if (req.op == OpCode::kAuth) {
    proto::AuthPacket packet;
    if (!proto::decode(body, packet)) return;
    for (proto::Id& id : run.db.authenticate_ids(packet.scheme, packet.auth, "127.0.0.1")) {
      run.auth.push_back(std::move(id));
    }
    return;
  }
  if (req.op == OpCode::kCreateSession || req.op == OpCode::kDeleteContainer) return;
  if (req.op == OpCode::kCloseSession) {
    run.apply_pending();
    run.apply(run.db.prep_close_session(kSession, ++run.zxid, run.now_ms), nullptr);
    return;
  }
  if (state::Database::is_write(req.op)) {
    // Several writes may be prepared before the first is applied (group commit).
    run.pending.push_back(run.db.prep(req, ++run.zxid, run.now_ms));
    if ((header.xid & 3) == 0) run.apply_pending();
    return;
  }
  run.apply_pending();  // a read waits for its session's earlier writes
  run.db.read(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  Run run;
  run.apply(run.db.prep_create_session(kSession, 30000, ++run.zxid, run.now_ms), nullptr);
  size_t pos = 0;
  for (int frames = 0; frames < kMaxFrames && size - pos >= 4; ++frames) {
    proto::JuteReader len_reader(in.substr(pos, 4));
    const int32_t len = len_reader.i32();
    if (len < 0 || static_cast<size_t>(len) > kMaxFrame) break;  // the port closes here
    if (size - pos - 4 < static_cast<size_t>(len)) break;
    std::string_view frame = in.substr(pos + 4, static_cast<size_t>(len));
    pos += 4 + static_cast<size_t>(len);
    if (frames == 0) {
      proto::ConnectRequest connect;
      if (proto::decode(frame, connect)) {
        proto::ConnectRequest again;
        FUZZ_CHECK(proto::decode(proto::encode(connect), again) && again == connect);
      }
    }
    proto::RequestHeader header;
    proto::JuteReader reader(frame, kMaxFrame);
    proto::read(reader, header);
    if (!reader.ok()) break;  // the pipeline closes the connection
    serve(run, header, reader.rest());
  }
  run.apply_pending();

  state::Database replay{state::DatabaseOptions{}};
  for (const std::string& bytes : run.logged) {
    Result<proto::Txn> txn = proto::decode_txn(bytes);
    FUZZ_CHECK(txn.is_ok());
    replay.apply(*txn, nullptr);
  }
  FUZZ_CHECK(replay.tree().digest() == run.db.tree().digest(), "replay digest differs");
  FUZZ_CHECK(replay.tree().node_count() == run.db.tree().node_count(), "replay differs");
  return 0;
}
