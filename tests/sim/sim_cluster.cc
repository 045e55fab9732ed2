// Cluster: the simulated network, the fault schedule, clients and the invariant checks.
#include "sim/sim_cluster.h"

#include <algorithm>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/txn.h"

namespace paddock::sim {

namespace {
const char* packet_name(quorum::PacketType t) {
  using quorum::PacketType;
  switch (t) {
    case PacketType::kRequest:
      return "REQUEST";
    case PacketType::kProposal:
      return "PROPOSAL";
    case PacketType::kAck:
      return "ACK";
    case PacketType::kCommit:
      return "COMMIT";
    case PacketType::kPing:
      return "PING";
    case PacketType::kRevalidate:
      return "REVALIDATE";
    case PacketType::kSync:
      return "SYNC";
    case PacketType::kInform:
      return "INFORM";
    case PacketType::kNewLeader:
      return "NEWLEADER";
    case PacketType::kFollowerInfo:
      return "FOLLOWERINFO";
    case PacketType::kUpToDate:
      return "UPTODATE";
    case PacketType::kDiff:
      return "DIFF";
    case PacketType::kTrunc:
      return "TRUNC";
    case PacketType::kSnap:
      return "SNAP";
    case PacketType::kObserverInfo:
      return "OBSERVERINFO";
    case PacketType::kLeaderInfo:
      return "LEADERINFO";
    case PacketType::kAckEpoch:
      return "ACKEPOCH";
    default:
      return "OTHER";
  }
}
}  // namespace

Cluster::Cluster(uint64_t seed, SimOptions options)
    : seed_(seed),
      options_(options),
      io_rng_(seed ^ 0xD1B54A32D192ED03ULL),
      rng_(seed * 0x9E3779B97F4A7C15ULL + 1) {
  int total = options_.participants + options_.observers;
  for (Sid sid = 1; sid <= total; ++sid) servers_[sid] = std::make_unique<SimServer>(*this, sid);
  for (auto& [sid, s] : servers_) s->start(now_);
}

Cluster::~Cluster() = default;

std::vector<Sid> Cluster::sids() const {
  std::vector<Sid> out;
  for (const auto& [sid, s] : servers_) out.push_back(sid);
  return out;
}

quorum::PeerConfig Cluster::config_for(Sid sid) const {
  quorum::PeerConfig c;
  c.sid = sid;
  for (Sid s = 1; s <= options_.participants; ++s) c.participants.insert(s);
  for (Sid s = options_.participants + 1; s <= options_.participants + options_.observers; ++s) {
    c.observers.insert(s);
  }
  c.tick_ms = options_.tick_ms;
  c.init_limit = options_.init_limit;
  c.sync_limit = options_.sync_limit;
  c.snapshot_size_factor = options_.snapshot_size_factor;
  c.commit_log_count = options_.commit_log_count;
  c.zxid_counter_limit = options_.counter_limit;
  return c;
}

void Cluster::trace(const std::string& line) {
  if (!options_.trace) return;
  trace_.push_back("t=" + std::to_string(now_) + " " + line);
  if (trace_.size() > 4000) trace_.pop_front();
}

void Cluster::fail(const std::string& what) {
  trace("FAILURE: " + what);
  throw SimFailure("seed " + std::to_string(seed_) + " step " + std::to_string(steps_) +
                   " t=" + std::to_string(now_) + ": " + what);
}

bool Cluster::reachable(Sid from, Sid to) const { return !blocked_.count({from, to}); }

int64_t Cluster::latency() {
  return 1 + static_cast<int64_t>(rng_() % static_cast<uint64_t>(options_.max_latency_ms));
}

// --- network ----------------------------------------------------------------------------------

void Cluster::send_notification(Sid from, Sid to, const quorum::Notification& n) {
  if (datagrams_.size() > 20000) fail("notification storm: 20000 election messages in flight");
  datagrams_.push_back({now_ + latency(), from, to, n});
}

Cluster::Connection* Cluster::find_connection(Sid a, Sid b) {
  for (auto& c : connections_) {
    if ((c.a == a && c.b == b) || (c.a == b && c.b == a)) return &c;
  }
  return nullptr;
}

void Cluster::send_packet(Sid from, Sid to, const quorum::QuorumPacket& p, SimSnapshot snapshot) {
  Connection* c = find_connection(from, to);
  if (!c || c->connect_pending) return;  // no stream: the packet is lost with it
  int64_t at = now_ + latency();
  for (const auto& f : c->frames) {
    if (f.from == from) at = std::max(at, f.at);
  }
  c->frames.push_back({at, from, to, p, std::move(snapshot)});
}

void Cluster::dial(Sid from, Sid to) {
  close_connection(from, to);
  Connection c{from, to, {}, true, now_ + latency()};
  connections_.push_back(std::move(c));
  trace("s" + std::to_string(from) + " dials s" + std::to_string(to));
}

void Cluster::close_connection(Sid a, Sid b) {
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[i];
    if (!((c.a == a && c.b == b) || (c.a == b && c.b == a))) continue;
    bool established = !c.connect_pending;
    Sid x = c.a, y = c.b;
    connections_.erase(connections_.begin() + static_cast<long>(i));
    // Both ends learn at once, so a stale close never hits a newer connection.
    if (servers_.at(x)->up()) {
      servers_.at(x)->core()->disconnected(y);
      servers_.at(x)->drain();
    }
    if (established && servers_.at(y)->up()) {
      servers_.at(y)->core()->disconnected(x);
      servers_.at(y)->drain();
    }
    return;
  }
}

void Cluster::hang_up(Sid from, Sid to) { close_connection(from, to); }

void Cluster::break_connection(Sid a, Sid b) {
  trace("connection s" + std::to_string(a) + "-s" + std::to_string(b) + " breaks");
  close_connection(a, b);
}

void Cluster::close_all(Sid sid) {
  for (;;) {
    auto it = std::find_if(connections_.begin(), connections_.end(),
                           [&](const Connection& c) { return c.a == sid || c.b == sid; });
    if (it == connections_.end()) break;
    close_connection(it->a, it->b);
  }
  std::erase_if(datagrams_, [&](const Datagram& d) { return d.from == sid; });
}

void Cluster::deliver() {
  // Election datagrams: any eligible one, in random order; lost, duplicated, reordered.
  std::vector<Datagram> due;
  std::vector<Datagram> later;
  for (auto& d : datagrams_) (d.at <= now_ ? due : later).push_back(std::move(d));
  datagrams_ = std::move(later);
  std::shuffle(due.begin(), due.end(), rng_);
  std::uniform_real_distribution<> u(0, 1);
  for (auto& d : due) {
    if (u(rng_) < options_.drop || !reachable(d.from, d.to)) continue;
    if (u(rng_) < options_.duplicate) datagrams_.push_back({now_ + latency(), d.from, d.to, d.n});
    SimServer& s = *servers_.at(d.to);
    if (!s.up()) continue;
    if (options_.trace) {
      static const char* kStates[] = {"LOOKING", "FOLLOWING", "LEADING", "OBSERVING"};
      trace("s" + std::to_string(d.from) + "=>s" + std::to_string(d.to) + " vote " +
            kStates[static_cast<int>(d.n.state) & 3] + " leader=" + std::to_string(d.n.leader) +
            " zxid=" + hex(d.n.zxid) + " round=" + std::to_string(d.n.election_epoch) +
            " epoch=" + std::to_string(d.n.peer_epoch));
    }
    s.core()->step(d.from, d.n);
    s.drain();
  }
  deliver_frames();
}

void Cluster::deliver_frames() {
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[i];
    if (c.connect_pending) {
      if (c.connect_at > now_) continue;
      Sid a = c.a, b = c.b;
      if (!servers_.at(b)->up() || !reachable(a, b) || !reachable(b, a)) {
        trace("s" + std::to_string(a) + " cannot connect to s" + std::to_string(b));
        close_connection(a, b);
        --i;
        continue;
      }
      c.connect_pending = false;
      servers_.at(a)->core()->connected(b);
      servers_.at(a)->drain();
      continue;
    }
  }
  // One frame per direction per pass keeps the order and lets steps interleave.
  for (size_t pass = 0; pass < 64; ++pass) {
    bool any = false;
    for (size_t i = 0; i < connections_.size(); ++i) {
      Connection& c = connections_[i];
      if (c.frames.empty() || c.connect_pending) continue;
      Frame& f = c.frames.front();
      if (f.at > now_ || !reachable(f.from, f.to)) continue;
      Frame frame = std::move(f);
      c.frames.pop_front();
      any = true;
      if (packet_filter && !packet_filter(frame.from, frame.to, frame.p)) {
        break_connection(frame.from, frame.to);
        break;
      }
      SimServer& s = *servers_.at(frame.to);
      if (!s.up()) continue;
      if (frame.p.type != quorum::PacketType::kPing) {
        trace("s" + std::to_string(frame.from) + "->s" + std::to_string(frame.to) + " " +
              packet_name(frame.p.type) + " " + hex(frame.p.zxid));
      }
      if (frame.snapshot) s.pending_snapshot = frame.snapshot;
      s.core()->step(frame.from, frame.p);
      s.drain();
      break;  // connections_ may have changed
    }
    if (!any) break;
  }
}

// --- faults -----------------------------------------------------------------------------------

void Cluster::crash(Sid sid) {
  if (!servers_.at(sid)->up()) return;
  syncs_.erase(sid);
  servers_.at(sid)->crash();
}

void Cluster::restart(Sid sid) {
  if (servers_.at(sid)->up()) return;
  restart_at_.erase(sid);
  servers_.at(sid)->start(now_);
}

void Cluster::isolate(Sid sid) {
  for (Sid other : sids()) {
    if (other == sid) continue;
    blocked_.insert({sid, other});
    blocked_.insert({other, sid});
  }
  trace("s" + std::to_string(sid) + " isolated");
}

void Cluster::heal() {
  blocked_.clear();
  trace("network healed");
}

void Cluster::set_fsync_stalled(Sid sid, bool stalled) {
  SimServer& s = server(sid);
  s.disk().fsync_stalled = stalled;
  if (!stalled && s.up() && s.disk().durable < s.disk().log.size() && s.fsync_due_ms < 0) {
    s.fsync_due_ms = now_ + 1;
  }
  if (stalled) s.fsync_due_ms = -1;
}

void Cluster::random_partition() {
  blocked_.clear();
  std::vector<Sid> all = sids();
  std::shuffle(all.begin(), all.end(), rng_);
  size_t cut = 1 + rng_() % (all.size() - 1);
  bool asymmetric = rng_() % 3 == 0;
  for (size_t i = 0; i < cut; ++i) {
    for (size_t j = cut; j < all.size(); ++j) {
      blocked_.insert({all[i], all[j]});
      if (!asymmetric) blocked_.insert({all[j], all[i]});
    }
  }
  trace(std::string(asymmetric ? "asymmetric " : "") + "partition at " + std::to_string(cut));
}

void Cluster::inject_faults() {
  std::uniform_real_distribution<> u(0, 1);
  std::vector<Sid> all = sids();
  Sid pick = all[rng_() % all.size()];
  size_t down = 0;
  for (Sid s : all) down += servers_.at(s)->up() ? 0 : 1;
  if (u(rng_) < options_.crash && servers_.at(pick)->up() && down + 1 < all.size()) {
    crash(pick);
    restart_at_[pick] = now_ + 50 + static_cast<int64_t>(rng_() % 3000);
  }
  for (auto it = restart_at_.begin(); it != restart_at_.end();) {
    Sid sid = it->first;
    if (it->second <= now_) {
      it = restart_at_.erase(it);
      servers_.at(sid)->start(now_);
    } else {
      ++it;
    }
  }
  if (u(rng_) < options_.partition) random_partition();
  if (u(rng_) < options_.heal && !blocked_.empty()) heal();
  if (u(rng_) < options_.conn_break && !connections_.empty()) {
    auto& c = connections_[rng_() % connections_.size()];
    break_connection(c.a, c.b);
  }
  if (u(rng_) < options_.clock_jump) {
    servers_.at(pick)->clock_offset_ms += static_cast<int64_t>(rng_() % (3 * options_.tick_ms));
    trace("s" + std::to_string(pick) + " clock jumps");
  }
  if (u(rng_) < options_.write) client_write(all[rng_() % all.size()]);
}

void Cluster::step() {
  ++steps_;
  now_ += options_.step_ms;
  inject_faults();
  deliver();
  for (auto& [sid, s] : servers_) {
    if (s->up() && s->fsync_due_ms >= 0 && s->fsync_due_ms <= now_) s->fsync_done();
  }
  for (auto& [sid, s] : servers_) s->answer_log_reads(now_);
  for (auto& [sid, s] : servers_) {
    if (!s->up()) continue;
    if (options_.election_links) {
      std::set<Sid> links;
      for (const auto& [peer, other] : servers_) {
        if (peer != sid && other->up() && reachable(sid, peer) && reachable(peer, sid)) {
          links.insert(peer);
        }
      }
      s->core()->election_links(std::move(links));
    }
    s->core()->tick(now_ + s->clock_offset_ms);
    s->drain();
    if (s->up() && !s->disk().fsync_stalled && s->fsync_due_ms < 0 &&
        s->disk().durable < s->disk().log.size()) {
      s->fsync_due_ms = now_ + 1;
    }
  }
  check_invariants();
}

// --- clients ----------------------------------------------------------------------------------

std::string Cluster::prep_body(state::Database& db, int64_t session, int32_t& op) {
  static const proto::AclList kOpen = {proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
  int kind = static_cast<int>(rng_() % 10);
  std::string path = "/n" + std::to_string(rng_() % 8);
  if (kind < 4) {
    op = static_cast<int32_t>(proto::OpCode::kCreate);
    proto::CreateRequest r{path, std::string("v") + std::to_string(++node_counter_), kOpen,
                           static_cast<int32_t>(rng_() % 4)};  // persistent/ephemeral/sequential
    if (rng_() % 2) r.path = path + "/c";
    return proto::encode(r);
  }
  if (kind < 7) {
    op = static_cast<int32_t>(proto::OpCode::kSetData);
    return proto::encode(proto::SetDataRequest{path, "d" + std::to_string(++node_counter_), -1});
  }
  if (kind < 9) {
    op = static_cast<int32_t>(proto::OpCode::kDelete);
    return proto::encode(proto::DeleteRequest{path, -1});
  }
  (void)db;
  (void)session;
  op = static_cast<int32_t>(proto::OpCode::kCloseSession);
  return {};
}

bool Cluster::client_write(Sid sid) {
  SimServer& s = *servers_.at(sid);
  if (!s.up() || !s.core()->serving()) return false;
  int kind = static_cast<int>(rng_() % 20);
  if (kind == 0 && !sessions_.empty()) {
    // sync: the server catches up with the leader before the client's next read.
    quorum::ForwardedRequest f{sessions_[0], ++cxid_counter_,
                               static_cast<int32_t>(proto::OpCode::kSync),
                               proto::encode(proto::SyncRequest{"/"}), std::nullopt};
    syncs_[sid].push_back(committed_.empty() ? 0 : committed_.rbegin()->first);
    if (s.core()->role() == quorum::Role::kLeading) {
      s.core()->answer_sync(sid);
    } else if (!s.core()->forward(f)) {
      syncs_[sid].pop_back();
      return false;
    }
    s.drain();
    return true;
  }
  if (kind == 1 && !sessions_.empty() && s.core()->role() != quorum::Role::kLeading) {
    int64_t session = sessions_[rng_() % sessions_.size()];
    s.core()->touch(session, 30000);
    if (rng_() % 2) (void)s.core()->revalidate(session, 30000);
    s.drain();
    return true;
  }
  quorum::ForwardedRequest f;
  f.cxid = ++cxid_counter_;
  if (sessions_.empty() || rng_() % 6 == 0) {
    f.session_id = next_session_id(sid);
    f.op = static_cast<int32_t>(proto::OpCode::kCreateSession);
    std::string body;
    proto::JuteWriter(body).i32(30000);
    f.body = body;
    sessions_.push_back(f.session_id);
  } else {
    f.session_id = sessions_[rng_() % sessions_.size()];
    f.body = prep_body(s.db(), f.session_id, f.op);
    f.authinfo = std::vector<quorum::AuthId>{{"ip", "127.0.0.1"}};
    if (f.op == static_cast<int32_t>(proto::OpCode::kCloseSession)) {
      std::erase(sessions_, f.session_id);
    }
  }
  return submit(sid, std::move(f));
}

bool Cluster::submit(Sid sid, quorum::ForwardedRequest f) {
  SimServer& s = *servers_.at(sid);
  if (!s.up() || !s.core()->serving()) return false;
  if (f.cxid == 0) f.cxid = ++cxid_counter_;
  s.pending_writes.insert({f.session_id, f.cxid});
  if (s.core()->role() == quorum::Role::kLeading) {
    s.handle_request(quorum::LearnerRequest{sid, f});  // the leader's own client
  } else if (!s.core()->forward(f)) {
    return false;
  }
  s.drain();
  return true;
}

}  // namespace paddock::sim
