// Client frames through the whole request core (pipeline::PipelineCore), as the network
// threads hand them in: connections opened and closed, any bytes as frames (the first of a
// connection read as its ConnectRequest), SASL steps (pipeline/test_doubles.h's scripted
// exchange) finishing on a runner in any order, commits held back and released, the clock
// moved on and ticks run.
//
// The input is a list of commands; each starts with a byte whose low 3 bits choose it:
//   0 open a connection            1-3 a frame: connection byte, u16 length, the bytes
//   4 close a connection           5 finish a SASL step (index byte)
//   6 hold or release commits      7 move the clock by byte x 50 ms, then tick
//
// Invariant: each connection's replies come in the order it sent its requests (ZooKeeper's
// per-session FIFO): the reply xids, after the ConnectResponse and leaving out watch events,
// are a subsequence of the xids of the frames it sent after its ConnectRequest (some frames
// get no reply: those after a close, after closeSession, or of a connection closed for bad
// input). Checked after every commit is released and every step has finished. And nothing
// crashes, trips ASan/UBSan or an assertion of the core.
#include <spdlog/spdlog.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "pipeline/pipeline_core.h"
#include "pipeline/test_doubles.h"
#include "pipeline/session_authority.h"
#include "proto/jute.h"
#include "state/database.h"

namespace {

using namespace paddock;
using namespace paddock::pipeline;

using testing_support::HoldableOrderer;
using testing_support::QueuedRunner;
using testing_support::ScriptedAuthenticator;

class Channel final : public ClientChannel {
 public:
  void send(OutboundBatch& batch) override {
    for (const auto& r : batch.records) {
      std::string_view f = batch.frame(r);
      std::vector<int32_t>& got = replies[r.conn];
      if (!connect_answered[r.conn]) {  // the ConnectResponse comes first
        connect_answered[r.conn] = true;
        continue;
      }
      FUZZ_CHECK(f.size() >= 4 + 16, "a reply frame shorter than its header: %zu", f.size());
      proto::JuteReader reader(f.substr(4));
      const int32_t xid = reader.i32();
      if (xid != -1) got.push_back(xid);  // -1: a watch event
    }
    batch.release();
  }
  void close_after_flush(ConnectionId conn) override { closed[conn] = true; }
  void set_reading(ConnectionId, bool) override {}

  std::map<ConnectionId, bool> connect_answered;
  std::map<ConnectionId, std::vector<int32_t>> replies;
  std::map<ConnectionId, bool> closed;
};

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t byte() { return empty() ? 0 : data_[pos_++]; }
  std::string_view take(size_t n) {
    n = std::min(n, size_ - pos_);
    std::string_view out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct World {
  int64_t now_ms = 1'000'000;
  state::Database db{state::DatabaseOptions{}};
  HoldableOrderer log;
  LocalSessionAuthority sessions{2000};
  Channel channel;
  QueuedRunner runner;
  std::unique_ptr<PipelineCore> core;
  bool commits_ready = false;

  World() {
    PipelineOptions o;
    o.sasl = std::make_shared<ScriptedAuthenticator>();
    o.sasl_runner = &runner;
    core = std::make_unique<PipelineCore>(o, db, log.orderer(), sessions, channel);
    log.orderer().set_wakeup([this] { commits_ready = true; });
    core->start(now());
  }
  Now now() const { return Now{now_ms, now_ms}; }
  void step(PipelineCore::Event event) {
    core->handle(event, now());
    settle();
  }
  void settle() {
    while (commits_ready) {
      commits_ready = false;
      PipelineCore::Event ready = PipelineCore::CommitsReady{};
      core->handle(ready, now());
    }
    core->end_turn();
  }
  void release() {
    log.release();
    step(PipelineCore::CommitsReady{});
  }
};

struct Sent {
  bool connect_sent = false;
  std::vector<int32_t> xids;
};

bool is_subsequence(const std::vector<int32_t>& part, const std::vector<int32_t>& whole) {
  size_t i = 0;
  for (int32_t x : whole) {
    if (i < part.size() && part[i] == x) ++i;
  }
  return i == part.size();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  World w;
  std::vector<ConnectionId> open;
  std::map<ConnectionId, Sent> sent;
  ConnectionId next_id = 1;
  for (int commands = 0; !in.empty() && commands < 256; ++commands) {
    const uint8_t cmd = in.byte();
    switch (cmd & 7) {
      case 0:
        if (open.size() < 4) {
          open.push_back(next_id);
          w.step(PipelineCore::Opened{next_id++, "127.0.0.1", 40000, {}});
        }
        break;
      case 1:
      case 2:
      case 3: {
        if (open.empty()) break;
        const ConnectionId c = open[in.byte() % open.size()];
        const size_t len = in.byte() | (static_cast<size_t>(in.byte()) << 8);
        std::string_view frame = in.take(len);
        Sent& s = sent[c];
        if (!s.connect_sent) {
          s.connect_sent = true;
        } else if (frame.size() >= 4) {
          proto::JuteReader reader(frame);
          const int32_t xid = reader.i32();
          if (xid != -1) s.xids.push_back(xid);
        }
        FrameBatch batch;
        batch.add(c, frame);
        w.step(PipelineCore::Frames{std::move(batch)});
        break;
      }
      case 4:
        if (!open.empty()) {
          const size_t i = in.byte() % open.size();
          w.step(PipelineCore::Closed{open[i]});
          open.erase(open.begin() + static_cast<ptrdiff_t>(i));
        }
        break;
      case 5:
        if (!w.runner.jobs.empty()) {
          auto [conn, result] = w.runner.finish(in.byte() % w.runner.jobs.size());
          w.step(PipelineCore::SaslStepDone{conn, std::move(result)});
        }
        break;
      case 6:
        if (in.byte() & 1) {
          w.log.hold();
        } else {
          w.release();
        }
        break;
      case 7:
        w.now_ms += 50 * static_cast<int64_t>(in.byte());
        w.core->tick(w.now());
        w.settle();
        break;
    }
  }
  w.release();
  while (!w.runner.jobs.empty()) {
    auto [conn, result] = w.runner.finish(w.runner.jobs.size() - 1);
    w.step(PipelineCore::SaslStepDone{conn, std::move(result)});
  }
  for (const auto& [conn, s] : sent) {
    const std::vector<int32_t>& got = w.channel.replies[conn];
    FUZZ_CHECK(is_subsequence(got, s.xids),
               "connection %llu: %zu replies are not in the order of its %zu requests",
               static_cast<unsigned long long>(conn), got.size(), s.xids.size());
  }
  return 0;
}
