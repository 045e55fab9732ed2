// SimServer: the simulator's adapter around one QuorumPeer, carrying out each Ready in the
// order src/quorum/README.md prescribes, over an in-memory disk.
#include <algorithm>
#include <functional>

#include "proto/jute.h"
#include "proto/txn.h"
#include "sim/sim_cluster.h"

namespace paddock::sim {

namespace {
uint64_t sessions_hash(const std::map<int64_t, int32_t>& sessions) {
  uint64_t h = 1469598103934665603ULL;
  for (const auto& [id, timeout] : sessions) {
    h = (h ^ static_cast<uint64_t>(id)) * 1099511628211ULL;
    h = (h ^ static_cast<uint64_t>(timeout)) * 1099511628211ULL;
  }
  return h;
}
}  // namespace

SimServer::SimServer(Cluster& cluster, Sid sid) : cluster_(cluster), sid_(sid) {}

void SimServer::rebuild_state() {
  db_ = std::make_unique<state::Database>(state::DatabaseOptions{});
  std::vector<LoggedTxn> old = std::move(applied_);
  applied_.clear();
  for (const auto& txn : disk_.snapshot) apply(txn, false);
  for (const auto& txn : disk_.log) apply(txn, false);
}

void SimServer::start(int64_t now_ms) {
  // ZooKeeper loads the snapshot and applies every logged txn at start.
  rebuild_state();
  quorum::PeerBootstrap boot;
  boot.accepted_epoch = disk_.accepted_epoch;
  boot.current_epoch = disk_.current_epoch;
  boot.last_logged = applied_.empty() ? 0 : applied_.back().zxid;
  size_t from = applied_.size() > 500 ? applied_.size() - 500 : 0;
  boot.recent.assign(applied_.begin() + static_cast<long>(from), applied_.end());
  if (boot.accepted_epoch < boot.current_epoch) boot.accepted_epoch = boot.current_epoch;
  core_ = std::make_unique<quorum::QuorumPeer>(cluster_.config_for(sid_), std::move(boot), *this,
                                               now_ms + clock_offset_ms);
  fsync_due_ms = -1;
  cluster_.trace("s" + std::to_string(sid_) + " starts at " + hex(last_logged_zxid()) + " epochs " +
                 std::to_string(disk_.accepted_epoch) + "/" + std::to_string(disk_.current_epoch));
  drain();
}

void SimServer::crash() {
  core_.reset();
  db_.reset();
  log_reads_.clear();
  pending_writes.clear();
  pending_snapshot.reset();
  disk_.log.resize(disk_.durable);  // unsynced writes are lost
  fsync_due_ms = -1;
  cluster_.close_all(sid_);
  cluster_.trace("s" + std::to_string(sid_) + " crashes; log keeps " +
                 std::to_string(disk_.durable) + " txns");
}

void SimServer::apply(const LoggedTxn& txn, bool committed) {
  auto decoded = proto::decode_txn(txn.bytes);
  if (!decoded) cluster_.fail("s" + std::to_string(sid_) + ": undecodable txn " + hex(txn.zxid));
  if (!applied_.empty() && txn.zxid <= applied_.back().zxid) {
    cluster_.fail("s" + std::to_string(sid_) + " applies " + hex(txn.zxid) + " after " +
                  hex(applied_.back().zxid));
  }
  db_->apply(*decoded, nullptr);
  applied_.push_back(txn);
  cluster_.on_apply(sid_, txn, committed, db_->tree().digest(),
                    sessions_hash(db_->tree().sessions()));
  if (committed) {
    auto key = std::make_pair(decoded->header.session_id, decoded->header.cxid);
    if (pending_writes.erase(key)) {
      cluster_.on_committed_client_write(sid_, txn, key.first, key.second);
    }
  }
}

void SimServer::drain() {
  // Handling a Ready feeds inputs back (a closed connection, a revalidation answer); the
  // outer loop takes their Ready next, as an adapter's event loop would.
  if (draining_) return;
  draining_ = true;
  while (core_ && core_->has_ready()) {
    quorum::Ready r = core_->ready();
    handle(r);
    if (!core_) break;  // crashed while handling (fsync failure)
    core_->advance();
  }
  draining_ = false;
}

void SimServer::handle(quorum::Ready& r) {
  std::string me = "s" + std::to_string(sid_);
  // 1. Epochs, durably, before anything is sent.
  if (r.accepted_epoch) disk_.accepted_epoch = *r.accepted_epoch;
  if (r.current_epoch) disk_.current_epoch = *r.current_epoch;
  // 2. TRUNC.
  if (r.truncate_to) {
    Zxid z = *r.truncate_to;
    Zxid base = disk_.snapshot.empty() ? 0 : disk_.snapshot.back().zxid;
    if (z < base) cluster_.fail(me + " asked to truncate below its snapshot");
    std::vector<LoggedTxn> dropped;
    while (!disk_.log.empty() && disk_.log.back().zxid > z) {
      dropped.push_back(disk_.log.back());
      disk_.log.pop_back();
    }
    disk_.durable = std::min(disk_.durable, disk_.log.size());
    cluster_.on_drop_applied(sid_, dropped);
    ++truncations;
    cluster_.trace(me + " TRUNC to " + hex(z) + " drops " + std::to_string(dropped.size()));
    rebuild_state();
  }
  // 3. Reload, SNAP (in memory), save the snapshot (durably).
  if (r.reload_state) {
    cluster_.trace(me + " reloads its state from disk");
    rebuild_state();
  }
  if (r.load_snapshot) {
    if (!pending_snapshot) cluster_.fail(me + " has no snapshot to load");
    Zxid z = *r.load_snapshot;
    Zxid snap_last = pending_snapshot->empty() ? 0 : pending_snapshot->back().zxid;
    if (snap_last != z) cluster_.fail(me + ": SNAP zxid differs from the snapshot's state");
    std::vector<LoggedTxn> dropped;
    for (const auto& t : applied_) {
      if (!std::binary_search(
              pending_snapshot->begin(), pending_snapshot->end(), t,
              [](const LoggedTxn& a, const LoggedTxn& b) { return a.zxid < b.zxid; })) {
        dropped.push_back(t);
      }
    }
    cluster_.on_drop_applied(sid_, dropped);
    db_ = std::make_unique<state::Database>(state::DatabaseOptions{});
    applied_.clear();
    for (const auto& txn : *pending_snapshot) apply(txn, false);
    pending_snapshot.reset();
    ++snapshots_loaded;
    cluster_.trace(me + " loads SNAP at " + hex(z) + " (in memory)");
  }
  if (r.save_snapshot) {
    Zxid last = applied_.empty() ? 0 : applied_.back().zxid;
    if (last != *r.save_snapshot) cluster_.fail(me + " saves a snapshot at the wrong zxid");
    disk_.snapshot = applied_;
    disk_.log.clear();
    disk_.durable = 0;
    cluster_.trace(me + " saves its snapshot at " + hex(last));
  }
  // 4. Append (async: fsync later).
  for (auto& txn : r.append) {
    if (!disk_.log.empty() && txn.zxid <= disk_.log.back().zxid) {
      cluster_.fail(me + " appends " + hex(txn.zxid) + " after " + hex(disk_.log.back().zxid));
    }
    cluster_.on_append(sid_, txn);
    disk_.log.push_back(txn);
  }
  if (!r.append.empty() && fsync_due_ms < 0 && !disk_.fsync_stalled) {
    fsync_due_ms = cluster_.now() + 1 + static_cast<int64_t>(cluster_.rng()() % 8);
  }
  // 5. Apply. Commits a learner takes while syncing are not yet known committed: its leader
  // may never be established.
  bool serving = core_->serving();
  for (auto& txn : r.committed) apply(txn, serving);
  for (auto& txn : r.apply_logged) apply(txn, false);
  // 6. Send.
  for (auto& n : r.notifications) cluster_.send_notification(sid_, n.to, n.message);
  for (Sid peer : r.hang_up) cluster_.hang_up(sid_, peer);
  for (Sid peer : r.dial) cluster_.dial(sid_, peer);
  for (auto& p : r.packets) {
    SimSnapshot snap;
    if (p.packet.type == quorum::PacketType::kSnap) {
      Zxid last = applied_.empty() ? 0 : applied_.back().zxid;
      if (last != p.packet.zxid)
        cluster_.fail(me + " sends SNAP " + hex(p.packet.zxid) + " with state at " + hex(last));
      snap = std::make_shared<const std::vector<LoggedTxn>>(applied_);
    }
    cluster_.send_packet(sid_, p.to, p.packet, snap);
  }
  for (auto& read : r.log_reads) {
    Zxid durable_tip = disk_.durable > 0
                           ? disk_.log[disk_.durable - 1].zxid
                           : (disk_.snapshot.empty() ? 0 : disk_.snapshot.back().zxid);
    if (durable_tip < read.through) {
      cluster_.fail(me + " asks to read its log through " + hex(read.through) +
                    ", durable only to " + hex(durable_tip));
    }
    // Answered later, while the core goes on: paddockd reads on a thread of its own.
    // From an RNG of its own, so that the rest of a seed's schedule draws what it drew before.
    int64_t due = cluster_.now() + static_cast<int64_t>(cluster_.io_rng()() % 40);
    log_reads_.push_back(PendingLogRead{read, durable_tip, due});
  }
  // 7. Roles, requests.
  for (auto& role : r.roles) {
    if (!role.serving) pending_writes.clear();  // clients see a connection loss
    cluster_.on_role(sid_, role);
  }
  for (auto& req : r.requests) handle_request(req);
  for (auto& q : r.revalidate_queries) {
    core_->revalidated(q.from, q.session_id, db_->tree().sessions().count(q.session_id) > 0);
  }
  for (auto& t : r.touches) {
    if (core_->role() != quorum::Role::kLeading) cluster_.fail(me + " got touches as a non-leader");
    (void)t;
  }
  for (int i = 0; i < r.syncs_completed; ++i) cluster_.on_sync_completed(sid_);
}

void SimServer::handle_request(const quorum::LearnerRequest& req) {
  if (req.request.op == static_cast<int32_t>(proto::OpCode::kSync)) {
    core_->answer_sync(req.from);  // answered once every earlier proposal commits
    return;
  }
  auto zxid = core_->allocate_zxid();
  if (!zxid) return;  // the learner's client times out
  int64_t now = cluster_.now() + clock_offset_ms;
  const auto& f = req.request;
  proto::Txn txn;
  if (f.op == static_cast<int32_t>(proto::OpCode::kCreateSession)) {
    proto::JuteReader r(f.body);
    txn = db_->prep_create_session(f.session_id, r.i32(), *zxid, now);
  } else if (f.op == static_cast<int32_t>(proto::OpCode::kCloseSession)) {
    txn = db_->prep_close_session(f.session_id, *zxid, now);
  } else {
    state::Request request;
    request.session_id = f.session_id;
    request.xid = f.cxid;
    request.op = static_cast<proto::OpCode>(f.op);
    request.body = f.body;
    std::vector<proto::Id> auth;
    request.auth = &auth;
    txn = db_->prep(request, *zxid, now);
  }
  txn.header.cxid = f.cxid;
  txn.header.session_id = f.session_id;
  auto st = core_->propose(*zxid, proto::encode_txn(txn));
  if (!st) cluster_.fail("s" + std::to_string(sid_) + " propose failed: " + st.message());
}

void SimServer::fsync_done() {
  fsync_due_ms = -1;
  if (!core_) return;
  if (std::uniform_real_distribution<>(0, 1)(cluster_.rng()) < cluster_.options().fsync_fail) {
    cluster_.trace("s" + std::to_string(sid_) + " fsync fails");
    crash();
    return;
  }
  disk_.durable = disk_.log.size();
  Zxid tip = disk_.log.empty() ? (disk_.snapshot.empty() ? 0 : disk_.snapshot.back().zxid)
                               : disk_.log.back().zxid;
  core_->persisted(tip);
  drain();
}

Zxid SimServer::last_logged_zxid() const {
  if (!disk_.log.empty()) return disk_.log.back().zxid;
  return disk_.snapshot.empty() ? 0 : disk_.snapshot.back().zxid;
}

// As paddockd reads its log files (ensemble_member.cc, storage/log_range.cc): the durable
// log only -- a SNAP taken as the new base left nothing before it -- from the txn at `from`
// on (after the start of an epoch, which no txn carries), and refused when the log does not
// reach back that far.
Result<std::vector<LoggedTxn>> SimServer::read_log(const PendingLogRead& pending) const {
  const Zxid from = pending.read.from;
  const Zxid after = quorum::zxid_counter(from) == 0 ? from : from - 1;
  std::vector<LoggedTxn> out;
  size_t bytes = 0;
  for (size_t i = 0; i < disk_.durable; ++i) {
    const LoggedTxn& txn = disk_.log[i];
    if (txn.zxid <= after) continue;
    if (txn.zxid > pending.up_to) break;
    if (out.empty() && txn.zxid != after + 1 && quorum::zxid_counter(txn.zxid) != 1 && after != 0) {
      return Status::error("the log no longer reaches back to " + hex(from));
    }
    bytes += txn.bytes.size();
    if (bytes > pending.read.max_bytes)
      return Status::error("too many bytes for a DIFF from the log");
    out.push_back(txn);
  }
  if (out.empty() && after < pending.up_to) {
    return Status::error("the log no longer reaches back to " + hex(from));
  }
  return out;
}

void SimServer::answer_log_reads(int64_t now_ms) {
  while (core_) {
    auto due = std::find_if(log_reads_.begin(), log_reads_.end(),
                            [&](const PendingLogRead& p) { return p.due_ms <= now_ms; });
    if (due == log_reads_.end()) return;
    PendingLogRead pending = *due;
    log_reads_.erase(due);
    auto txns = read_log(pending);
    cluster_.trace("s" + std::to_string(sid_) + " log read " + std::to_string(pending.read.id) +
                   " from " + hex(pending.read.from) + " through " + hex(pending.read.through) +
                   ": " + (txns ? std::to_string(txns->size()) + " txns" : txns.error()));
    core_->log_read(pending.read.id, std::move(txns));
    drain();
  }
}

int64_t SimServer::snapshot_size_bytes() const {
  int64_t n = 0;
  for (const auto& t : applied_) n += static_cast<int64_t>(t.bytes.size());
  return n;
}

}  // namespace paddock::sim
