#include "bench/load_driver.h"

#include <cstring>

#include "proto/records.h"
#include "proto/types.h"

namespace paddock::bench {
namespace {

constexpr int32_t kPersistentSequential =
    static_cast<int32_t>(proto::CreateMode::kPersistentSequential);
constexpr int32_t kEphemeralSequential =
    static_cast<int32_t>(proto::CreateMode::kEphemeralSequential);

}  // namespace

LoadDriver::LoadDriver(const BenchOptions& options, const BenchPaths& paths, size_t sessions,
                       BenchResult& result, uint64_t fill_budget)
    : options_(options),
      paths_(paths),
      result_(result),
      payload_(options.payload, 'x'),
      children_path_(paths.root()),
      per_session_(sessions),
      fill_budget_(fill_budget) {
  bool deletes = options.mix.weight(OpKind::kDelete) > 0;
  for (size_t i = 0; i < sessions; ++i) {
    PerSession& p = per_session_[i];
    // Sessions start at different places in the schedule and the key space.
    p.mix_pos = i * 7919;
    p.rng = 0x9E3779B97F4A7C15ull * (i + 1);
    if (deletes) {
      p.created.resize(kCreatedSlots);
      p.created_len.resize(kCreatedSlots);
    }
  }
}

uint32_t LoadDriver::next_key(PerSession& p) {
  // xorshift64: a few cycles, and keys spread uniformly.
  p.rng ^= p.rng << 13;
  p.rng ^= p.rng >> 7;
  p.rng ^= p.rng << 17;
  return static_cast<uint32_t>(p.rng % paths_.keys());
}

void LoadDriver::fill(Session& s, uint64_t) {
  if (!sending_) return;
  PerSession& p = per_session_[s.index()];
  if (fill_budget_ > 0) {
    while (s.room() > 0 && issued_ < fill_budget_) {
      s.create(OpKind::kFill, paths_.fill_prefix(), payload_, kPersistentSequential);
      ++issued_;
    }
    return;
  }
  while (s.room() > 0) {
    issue(s, p, options_.mix.at(p.mix_pos++));
    ++issued_;
  }
}

void LoadDriver::issue(Session& s, PerSession& p, OpKind kind) {
  switch (kind) {
    case OpKind::kGet:
      s.get_data(kind, paths_.key(next_key(p)), false);
      return;
    case OpKind::kSet:
      s.set_data(kind, paths_.key(next_key(p)), payload_);
      return;
    case OpKind::kExists:
      s.exists(kind, paths_.key(next_key(p)), false);
      return;
    case OpKind::kChildren:
      s.get_children(kind, children_path_, false);
      return;
    case OpKind::kDelete:
      if (p.created_count > 0) {
        uint32_t slot = p.created_head;
        p.created_head = (p.created_head + 1) % kCreatedSlots;
        --p.created_count;
        s.delete_node(kind, std::string_view(p.created[slot].data(), p.created_len[slot]));
        return;
      }
      [[fallthrough]];  // nothing of ours to delete yet: create instead
    case OpKind::kCreate:
      s.create(OpKind::kCreate, paths_.seq_prefix(), payload_, kPersistentSequential);
      return;
    case OpKind::kEphemeral:
      s.create(kind, paths_.eph_prefix(), payload_, kEphemeralSequential);
      return;
    case OpKind::kMulti: {
      uint32_t key = next_key(p);
      s.multi_set_two(kind, paths_.key(key), paths_.key((key + 1) % paths_.keys()), payload_);
      return;
    }
    default:
      return;
  }
}

void LoadDriver::remember_created(PerSession& p, std::string_view path) {
  if (p.created.empty() || p.created_count == kCreatedSlots || path.empty() ||
      path.size() > kPathSlot) {
    return;  // not deleting, or the FIFO is full: the node stays
  }
  uint32_t slot = (p.created_head + p.created_count) % kCreatedSlots;
  std::memcpy(p.created[slot].data(), path.data(), path.size());
  p.created_len[slot] = static_cast<uint8_t>(path.size());
  ++p.created_count;
}

void LoadDriver::on_reply(Session& s, OpKind kind, const ReplyView& reply, uint64_t sent,
                          uint64_t now) {
  ++completed_;
  PerSession& p = per_session_[s.index()];
  // The created path is decoded only when a delete will need it.
  if (kind == OpKind::kCreate && reply.header.err == 0 && !p.created.empty()) {
    proto::CreateResponse created;
    if (proto::decode(reply.body, created)) remember_created(p, created.path);
  }
  if (!recording_) return;
  OpStats& stats = result_.per_kind[static_cast<size_t>(kind)];
  ++stats.ops;
  if (reply.header.err != 0) ++stats.errors;
  stats.latency.record(now - sent);
}

void LoadDriver::on_failed(Session&, std::string_view why) {
  if (result_.first_error.empty()) result_.first_error = std::string(why);
}

}  // namespace paddock::bench
