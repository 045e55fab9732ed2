#pragma once
// The driver of the load, latency and fill modes: keeps every session's window full with
// ops from the mix, and records each reply's latency while `recording` is on.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "bench/bench_paths.h"
#include "bench/engine.h"

namespace paddock::bench {

class LoadDriver : public Driver {
 public:
  // `fill_budget` > 0: issue exactly that many fill creates in all, ignoring the mix.
  LoadDriver(const BenchOptions& options, const BenchPaths& paths, size_t sessions,
             BenchResult& result, uint64_t fill_budget = 0);

  void fill(Session& s, uint64_t now) override;
  void on_reply(Session& s, OpKind kind, const ReplyView& reply, uint64_t sent,
                uint64_t now) override;
  void on_failed(Session& s, std::string_view why) override;

  void set_sending(bool on) { sending_ = on; }
  void set_recording(bool on) { recording_ = on; }
  uint64_t completed() const { return completed_; }
  uint64_t issued() const { return issued_; }

 private:
  // A per-session FIFO of nodes created by kCreate, for kDelete to remove.
  static constexpr uint32_t kCreatedSlots = 256;
  static constexpr size_t kPathSlot = 96;
  struct PerSession {
    uint64_t mix_pos = 0;
    uint64_t rng = 0;
    uint32_t created_head = 0;
    uint32_t created_count = 0;
    std::vector<std::array<char, kPathSlot>> created;
    std::vector<uint8_t> created_len;
  };

  void issue(Session& s, PerSession& p, OpKind kind);
  uint32_t next_key(PerSession& p);
  void remember_created(PerSession& p, std::string_view path);

  const BenchOptions& options_;
  const BenchPaths& paths_;
  BenchResult& result_;
  std::string payload_;
  std::string children_path_;
  std::vector<PerSession> per_session_;
  uint64_t fill_budget_;
  uint64_t issued_ = 0;
  uint64_t completed_ = 0;
  bool sending_ = false;
  bool recording_ = false;
};

}  // namespace paddock::bench
