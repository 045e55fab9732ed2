// The invariants, checked as the simulation goes, and the random-seed driver.
#include <algorithm>

#include "sim/sim_cluster.h"

namespace paddock::sim {

namespace {
bool holds(const std::vector<LoggedTxn>& txns, Zxid z) {
  return std::binary_search(txns.begin(), txns.end(), LoggedTxn{z, {}},
                            [](const LoggedTxn& a, const LoggedTxn& b) { return a.zxid < b.zxid; });
}
}  // namespace

void Cluster::on_append(Sid sid, const LoggedTxn& txn) {
  // A zxid names exactly one txn, wherever it is logged: epochs are never reused.
  auto [it, fresh] = txn_by_zxid_.emplace(txn.zxid, txn.bytes);
  if (!fresh && it->second != txn.bytes) {
    fail("s" + std::to_string(sid) + " logs a different txn at " + hex(txn.zxid));
  }
}

void Cluster::on_apply(Sid sid, const LoggedTxn& txn, bool committed, int64_t digest,
                       uint64_t sessions_hash) {
  on_append(sid, txn);
  // Trees, sessions and ephemerals agree at the same zxid.
  auto [it, fresh] = state_at_.emplace(txn.zxid, std::make_pair(digest, sessions_hash));
  if (!fresh && it->second != std::make_pair(digest, sessions_hash)) {
    fail("s" + std::to_string(sid) + " state at " + hex(txn.zxid) + " differs (digest " +
         std::to_string(digest) + " vs " + std::to_string(it->second.first) + ")");
  }
  if (!committed) return;
  // One committed history: what precedes a commit here is what precedes it everywhere.
  const auto& applied = server(sid).applied();
  Zxid before = applied.size() >= 2 ? applied[applied.size() - 2].zxid : 0;
  auto next = committed_.lower_bound(txn.zxid);
  Zxid expected = next == committed_.begin() ? 0 : std::prev(next)->first;
  if (before != expected) {
    fail("s" + std::to_string(sid) + " commits " + hex(txn.zxid) + " after " + hex(before) +
         " but the committed history has " + hex(expected) + " before it");
  }
  if (!committed_.count(txn.zxid) && !committed_.empty() && txn.zxid < committed_.rbegin()->first) {
    fail("s" + std::to_string(sid) + " commits " + hex(txn.zxid) + " below the committed tip");
  }
  committed_[txn.zxid] = txn.bytes;
}

void Cluster::check_holds_committed(Sid sid, const char* what) {
  const auto& applied = server(sid).applied();
  Zxid last = applied.empty() ? 0 : applied.back().zxid;
  for (const auto& [z, bytes] : committed_) {
    if (z > last) break;
    if (!holds(applied, z)) {
      fail(std::string(what) + " s" + std::to_string(sid) + " lacks committed " + hex(z) +
           (acked_.count(z) ? " (an acknowledged write)" : ""));
    }
  }
}

void Cluster::on_role(Sid sid, const quorum::RoleChange& role) {
  trace("s" + std::to_string(sid) + " " + quorum::role_name(role.role) + " leader=s" +
        std::to_string(role.leader) + " epoch=" + std::to_string(role.epoch) +
        (role.serving ? " serving" : ""));
  if (!role.serving) syncs_.erase(sid);  // its clients' syncs fail with the connection
  if (role.role == quorum::Role::kLeading && role.epoch != 0) {
    auto [it, fresh] = leader_of_epoch_.emplace(role.epoch, sid);
    if (!fresh && it->second != sid) {
      fail("two leaders in epoch " + std::to_string(role.epoch) + ": s" +
           std::to_string(it->second) + " and s" + std::to_string(sid));
    }
  }
  // A leader of an older epoch may still complete its establishment on acks that predate a
  // newer epoch (its quorum has moved on, so it can commit nothing: the commit checks would
  // see it). The checks below hold for the newest epoch served.
  if (!role.serving || role.epoch < newest_epoch_) return;
  newest_epoch_ = role.epoch;
  // A server that starts serving holds every committed txn up to its last (a learner's sync
  // truncated nothing it needs: ZOOKEEPER-1156).
  check_holds_committed(sid, role.role == quorum::Role::kLeading ? "leader" : "learner");
  if (role.role != quorum::Role::kLeading) return;
  // An established leader holds every committed txn, and its whole history is committed
  // from now on.
  const auto& applied = server(sid).applied();
  Zxid last = applied.empty() ? 0 : applied.back().zxid;
  if (!committed_.empty() && committed_.rbegin()->first > last) {
    fail("leader s" + std::to_string(sid) + " of epoch " + std::to_string(role.epoch) +
         " lacks committed " + hex(committed_.rbegin()->first) + " (its last is " + hex(last) +
         ")");
  }
  Zxid tip = committed_.empty() ? 0 : committed_.rbegin()->first;
  for (const auto& txn : applied) {
    if (!committed_.count(txn.zxid) && txn.zxid < tip) {
      fail("leader s" + std::to_string(sid) + " holds " + hex(txn.zxid) +
           " that the committed history skipped");
    }
    committed_[txn.zxid] = txn.bytes;
  }
}

void Cluster::on_drop_applied(Sid sid, const std::vector<LoggedTxn>& dropped) {
  // A learner may drop a txn that commits meanwhile (TRUNC to the leader's last commit while
  // the txn is an outstanding proposal that follows): it gets it again in the same sync. What
  // must hold is checked when it serves (check_holds_committed).
  for (const auto& txn : dropped) {
    if (committed_.count(txn.zxid))
      trace("s" + std::to_string(sid) + " drops committed " + hex(txn.zxid));
  }
}

void Cluster::on_committed_client_write(Sid sid, const LoggedTxn& txn, int64_t, int32_t) {
  acked_[txn.zxid] = txn.bytes;
  trace("s" + std::to_string(sid) + " acks write " + hex(txn.zxid));
}

void Cluster::on_sync_completed(Sid sid) {
  auto& pending = syncs_[sid];
  if (pending.empty()) fail("s" + std::to_string(sid) + " completes a sync nobody asked for");
  Zxid tip = pending.front();
  pending.pop_front();
  Zxid at = server(sid).core()->last_committed();
  if (at < tip) {
    fail("s" + std::to_string(sid) + " completes a sync at " + hex(at) + " before " + hex(tip) +
         ", committed when the sync was issued");
  }
}

void Cluster::check_invariants() {
  // The per-event checks above run as things happen; here the ones that need a global view.
  size_t leaders = 0;
  for (const auto& [sid, s] : servers_) {
    if (!s->up()) continue;
    auto* core = s->core();
    if (core->last_committed() > core->last_logged()) fail("committed past logged");
    if (core->role() == quorum::Role::kLeading && core->serving()) ++leaders;
    if (core->accepted_epoch() < core->current_epoch()) fail("acceptedEpoch < currentEpoch");
  }
  (void)leaders;  // two serving leaders of different epochs may coexist briefly
}

std::optional<Sid> Cluster::serving_leader() const {
  for (const auto& [sid, s] : servers_) {
    if (s->up() && s->core()->role() == quorum::Role::kLeading && s->core()->serving()) return sid;
  }
  return std::nullopt;
}

bool Cluster::all_serving() const {
  std::optional<Zxid> tip;
  for (const auto& [sid, s] : servers_) {
    if (!s->up()) return false;
    auto* core = s->core();
    if (!core->serving() || core->last_committed() != core->last_logged()) return false;
    if (tip && *tip != core->last_committed()) return false;
    tip = core->last_committed();
  }
  return serving_leader().has_value();
}

void Cluster::settle_and_check(int64_t max_ms) {
  options_.crash = options_.fsync_fail = options_.partition = options_.conn_break = 0;
  options_.clock_jump = options_.write = options_.drop = options_.duplicate = 0;
  heal();
  for (Sid sid : sids()) {
    set_fsync_stalled(sid, false);
    restart(sid);
  }
  restart_at_.clear();
  if (!run_until([&] { return all_serving(); }, max_ms)) {
    std::string states;
    for (const auto& [sid, s] : servers_) {
      states += " s" + std::to_string(sid) + "=" +
                (s->up() ? std::string(quorum::role_name(s->core()->role())) +
                               (s->core()->serving() ? "+" : "-") + hex(s->core()->last_committed())
                         : "down");
    }
    fail("no convergence within " + std::to_string(max_ms) + " ms:" + states);
  }
  for (const auto& [sid, s] : servers_) {
    for (const auto& [z, bytes] : acked_) {
      auto& applied = s->applied();
      auto it =
          std::lower_bound(applied.begin(), applied.end(), LoggedTxn{z, {}},
                           [](const LoggedTxn& a, const LoggedTxn& b) { return a.zxid < b.zxid; });
      if (it == applied.end() || it->zxid != z || it->bytes != bytes) {
        fail("acknowledged write " + hex(z) + " missing on s" + std::to_string(sid));
      }
    }
  }
}

SimOptions options_for_seed(uint64_t seed) {
  std::mt19937_64 r(seed ^ 0x5DEECE66DULL);
  std::uniform_real_distribution<> u(0, 1);
  SimOptions o;
  double size = u(r);
  o.participants = size < 0.5 ? 3 : size < 0.85 ? 5 : 7;
  o.observers = u(r) < 0.3 ? 1 : 0;
  o.drop = u(r) < 0.5 ? 0 : 0.2 * u(r);
  o.duplicate = u(r) < 0.5 ? 0 : 0.1 * u(r);
  o.max_latency_ms = 1 + static_cast<int64_t>(r() % 20);
  o.crash = 0.004 * u(r);
  o.fsync_fail = u(r) < 0.7 ? 0 : 0.01 * u(r);
  o.partition = 0.003 * u(r);
  o.heal = 0.01;
  o.conn_break = 0.003 * u(r);
  o.clock_jump = u(r) < 0.7 ? 0 : 0.002 * u(r);
  o.write = 0.05 + 0.3 * u(r);
  o.snapshot_size_factor = u(r) < 0.2 ? -1 : 0.33;
  // Half the seeds, drawn apart from the rest so the other options of a seed stay as they
  // were before this one existed.
  o.election_links = ((seed * 0x9E3779B97F4A7C15ULL) >> 63) != 0;
  // A quarter of the seeds, drawn apart too: a committed log of 4-35 txns, so that learners
  // that fall behind are synced from the log files, read while the leader goes on.
  if (((seed * 0xC2B2AE3D27D4EB4FULL) >> 62) == 0) o.commit_log_count = 4 + seed % 32;
  return o;
}

std::optional<std::string> run_seed(uint64_t seed, int steps, bool trace, std::string* trace_out,
                                    std::optional<size_t> commit_log_count) {
  SimOptions o = options_for_seed(seed);
  if (commit_log_count) o.commit_log_count = *commit_log_count;
  o.trace = trace;
  Cluster c(seed, o);
  std::optional<std::string> failure;
  try {
    for (int i = 0; i < steps; ++i) c.step();
    c.settle_and_check(60000);
  } catch (const SimFailure& e) {
    failure = e.what();
  }
  if (trace_out) {
    for (const auto& line : c.trace_lines()) *trace_out += line + "\n";
  }
  return failure;
}

}  // namespace paddock::sim
