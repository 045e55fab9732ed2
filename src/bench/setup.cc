#include "bench/setup.h"

#include <vector>

#include "proto/types.h"

namespace paddock::bench {
namespace {

constexpr int32_t kNodeExists = static_cast<int32_t>(proto::Err::kNodeExists);
constexpr int32_t kPersistent = static_cast<int32_t>(proto::CreateMode::kPersistent);

// Issues creates from a list: stage 1 sends the folders on one session (in order, so each
// parent exists before its children), stage 2 spreads the keys over every session.
class SetupDriver : public Driver {
 public:
  SetupDriver(Engine& engine, const BenchPaths& paths, std::string payload)
      : engine_(engine), paths_(paths), folders_(paths.folders()), payload_(std::move(payload)) {}

  void fill(Session& s, uint64_t) override {
    if (!error_.empty()) return;
    if (folders_sent_ < folders_.size()) {
      if (s.index() != folder_session_) return;
      while (s.room() > 0 && folders_sent_ < folders_.size()) {
        s.create(OpKind::kSetup, folders_[folders_sent_++], "", kPersistent);
      }
      return;
    }
    if (folders_done_ < folders_.size()) return;
    while (s.room() > 0 && keys_sent_ < paths_.keys()) {
      s.create(OpKind::kSetup, paths_.key(keys_sent_++), payload_, kPersistent);
    }
  }

  void on_reply(Session&, OpKind, const ReplyView& reply, uint64_t, uint64_t) override {
    if (reply.header.err != 0 && reply.header.err != kNodeExists && error_.empty()) {
      error_ = "setup create failed with error " + std::to_string(reply.header.err);
    }
    if (folders_done_ < folders_.size()) {
      if (++folders_done_ == folders_.size()) wake_all();
      return;
    }
    ++keys_done_;
  }

  void on_failed(Session&, std::string_view why) override {
    if (error_.empty()) error_ = "a session failed during setup: " + std::string(why);
  }

  void start() {
    for (size_t i = 0; i < engine_.size(); ++i) {
      if (engine_.session(i).ready()) {
        folder_session_ = static_cast<uint32_t>(i);
        break;
      }
    }
    wake_all();
  }
  bool done() const {
    return !error_.empty() || (folders_done_ == folders_.size() && keys_done_ == paths_.keys());
  }
  const std::string& error() const { return error_; }

 private:
  void wake_all() {
    for (size_t i = 0; i < engine_.size(); ++i) {
      if (engine_.session(i).ready()) engine_.wake(engine_.session(i));
    }
  }

  Engine& engine_;
  const BenchPaths& paths_;
  std::vector<std::string> folders_;
  std::string payload_;
  uint32_t folder_session_ = 0;
  size_t folders_sent_ = 0;
  size_t folders_done_ = 0;
  uint32_t keys_sent_ = 0;
  uint32_t keys_done_ = 0;
  std::string error_;
};

class NoDriver : public Driver {
 public:
  void on_reply(Session&, OpKind, const ReplyView&, uint64_t, uint64_t) override {}
};

}  // namespace

Status wait_established(Engine& engine, uint64_t deadline, bool all) {
  NoDriver none;
  auto settled = [&] { return engine.ready_count() + engine.failed_count() >= engine.size(); };
  engine.run(none, settled, deadline);
  if (engine.ready_count() == 0) {
    return Status::error("no session could be established" + (engine.first_error().empty()
                                                                  ? std::string()
                                                                  : ": " + engine.first_error()));
  }
  if (all && engine.ready_count() < engine.size()) {
    return Status::error(std::to_string(engine.size() - engine.ready_count()) + " of " +
                         std::to_string(engine.size()) + " sessions were not established" +
                         (engine.first_error().empty()
                              ? std::string()
                              : " (first error: " + engine.first_error() + ")"));
  }
  return Status::ok();
}

Status create_bench_nodes(Engine& engine, const BenchPaths& paths, uint32_t payload,
                          uint64_t deadline) {
  SetupDriver setup(engine, paths, std::string(payload, 'x'));
  setup.start();
  if (!engine.run(
          setup, [&] { return setup.done(); }, deadline)) {
    return Status::error("setup did not finish in time");
  }
  if (!setup.error().empty()) return Status::error(setup.error());
  drain(engine, deadline);
  return Status::ok();
}

void drain(Engine& engine, uint64_t deadline) {
  NoDriver none;
  engine.run(
      none,
      [&] {
        for (size_t i = 0; i < engine.size(); ++i) {
          Session& s = engine.session(i);
          if (s.ready() && s.in_flight() > 0) return false;
        }
        return true;
      },
      deadline);
}

}  // namespace paddock::bench
