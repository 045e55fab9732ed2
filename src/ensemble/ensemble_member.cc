#include "ensemble/ensemble_member.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "peer/zk_snapshot_stream.h"
#include "proto/txn.h"
#include "util/assert.h"
#include "util/clock.h"

namespace paddock::ensemble {

using quorum::PacketType;
using quorum::Role;
using quorum::Sid;
using quorum::Zxid;

namespace {

// Per-node overhead of a snapshot stream beyond the data (path, stat, ACL id), to weigh a
// DIFF from the log against SNAP as ZooKeeper's snapshotSizeFactor does.
constexpr int64_t kSnapshotBytesPerNode = 100;

const char* peer_state_name(const quorum::RoleChange& role) {
  switch (role.role) {
    case Role::kLooking: return "looking";
    case Role::kLeading: return role.serving ? "leading - broadcast" : "leading - synchronization";
    case Role::kFollowing:
      return role.serving ? "following - broadcast" : "following - synchronization";
    case Role::kObserving:
      return role.serving ? "observing - broadcast" : "observing - synchronization";
  }
  return "unknown";
}

const char* mode_name(Role role) {
  switch (role) {
    case Role::kLeading: return "leader";
    case Role::kFollowing: return "follower";
    case Role::kObserving: return "observer";
    case Role::kLooking: break;
  }
  return "looking";
}

}  // namespace

// The size a snapshot of the tree would have, to weigh a DIFF from the log against SNAP.
class EnsembleMember::TreeSize final : public quorum::StateSize {
 public:
  explicit TreeSize(const state::Database& db) : db_(db) {}
  int64_t snapshot_size_bytes() const override {
    const state::DataTree& tree = db_.tree();
    return tree.approximate_data_size() +
           static_cast<int64_t>(tree.node_count()) * kSnapshotBytesPerNode;
  }

 private:
  const state::Database& db_;
};

EnsembleMember::EnsembleMember(MemberOptions options, state::Database& db,
                               durable::DurableDatabase& durable)
    : options_(std::move(options)),
      db_(db),
      durable_(durable),
      sessions_(static_cast<int32_t>(options_.peer.tick_ms)),
      tree_size_(std::make_unique<TreeSize>(db)),
      diff_reader_(durable, [this](uint64_t id, Result<std::vector<quorum::LoggedTxn>> txns) {
        // On the reader's thread: the answer goes to the core on the pipeline thread.
        post([this, id, txns = std::make_shared<decltype(txns)>(std::move(txns))]() mutable {
          core_->log_read(id, std::move(*txns));
          drain();
        });
      }) {
  // "server.N=<QuorumServer>" lines of the config text, participants only (voting_view).
  const std::string& text = options_.peer.config_text;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    const size_t eq = line.find('=');
    if (line.starts_with("server.") && eq != std::string_view::npos) {
      const Sid sid = std::strtoll(std::string(line.substr(7, eq - 7)).c_str(), nullptr, 10);
      if (options_.peer.participants.count(sid) > 0) {
        voting_members_.emplace_back(sid, std::string(line.substr(eq + 1)));
      }
    }
    at = end + 1;
  }
}

EnsembleMember::~EnsembleMember() { stop(); }

// The contexts exist when either port may see TLS: with sslQuorum (dial and accept TLS) or
// with portUnification alone (accept TLS from peers that switched already, dial plain).
Result<peer::PeerTls> EnsembleMember::peer_tls() const {
  const QuorumTlsOptions& o = options_.quorum_tls;
  peer::PeerTls tls;
  tls.ssl_quorum = o.ssl_quorum;
  tls.port_unification = o.port_unification;
  tls.handshake_timeout = o.handshake_timeout;
  if (!o.ssl_quorum && !o.port_unification) return tls;
  // Without sslQuorumReloadCertFiles the stores are read once, as ZooKeeper does.
  const auto check = o.reload_cert_files
                         ? std::chrono::milliseconds(1000)
                         : std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::hours(24 * 365 * 10));  // never, in effect
  auto contexts = tls::PeerTlsContexts::create(o.settings, check);
  if (!contexts) return Status::error("TLS between servers: " + contexts.error());
  tls.contexts = std::move(*contexts);
  spdlog::info("event=quorum_tls ssl_quorum={} port_unification={} key_store={} trust_store={} "
               "hostname_verification={} reload={}",
               o.ssl_quorum, o.port_unification, o.settings.key_store_location,
               o.settings.trust_store_location, o.settings.hostname_verification,
               o.reload_cert_files);
  if (o.settings.ocsp) {
    // Only the client port asks OCSP responders (server/ocsp_checker.h); say so rather than
    // let an operator believe peers are checked.
    spdlog::warn("event=quorum_ocsp_not_checked ssl.quorum.ocsp=true: peer certificates are "
                 "not checked with OCSP; use ssl.quorum.crl");
  }
  return tls;
}

Result<peer::QuorumSaslOptions> EnsembleMember::peer_sasl(std::chrono::milliseconds read_timeout) {
  const QuorumSaslMemberOptions& o = options_.quorum_sasl;
  peer::QuorumSaslOptions sasl;
  if (!o.enable_sasl) return sasl;
  if (quorum_authenticator_ == nullptr) {
    if (!o.make_authenticator) return Status::error("quorum SASL: no authenticator");
    auto made = o.make_authenticator();
    if (!made) return Status::error("quorum SASL: " + made.error());
    quorum_authenticator_ = std::move(*made);
    spdlog::info(
        "event=quorum_sasl quorum.auth.enableSasl=true quorum.auth.learnerRequireSasl={} "
        "quorum.auth.serverRequireSasl={} election_read_timeout_ms={} "
        "quorum_read_timeout_ms={}",
        o.learner_require_sasl, o.server_require_sasl, o.election_read_timeout.count(),
        o.quorum_read_timeout.count());
  }
  sasl.authenticator = quorum_authenticator_;
  sasl.learner_require_sasl = o.learner_require_sasl;
  sasl.server_require_sasl = o.server_require_sasl;
  sasl.read_timeout = read_timeout;
  sasl.max_token_bytes = o.max_token_bytes;
  return sasl;
}

Status EnsembleMember::open() {
  const Sid me = options_.peer.sid;
  auto self = options_.members.find(me);
  if (self == options_.members.end()) return Status::error("no server." + std::to_string(me));
  io_ = std::make_unique<peer::IoThread>("quorum-io");
  Result<peer::PeerTls> tls = peer_tls();
  if (!tls) {
    open_failure_ = OpenFailure::kTls;
    return tls.status();
  }
  Result<peer::QuorumSaslOptions> election_sasl =
      peer_sasl(options_.quorum_sasl.election_read_timeout);
  if (!election_sasl) {
    open_failure_ = OpenFailure::kAuth;
    return election_sasl.status();
  }
  Result<peer::QuorumSaslOptions> quorum_sasl = peer_sasl(options_.quorum_sasl.quorum_read_timeout);
  if (!quorum_sasl) {
    open_failure_ = OpenFailure::kAuth;
    return quorum_sasl.status();
  }
  open_failure_ = OpenFailure::kListen;  // what can fail from here on: binding the ports
  if (!options_.quorum_sasl.enable_sasl) {
    spdlog::info(
        "event=quorum_sasl quorum.auth.enableSasl=false: QuorumPeer communication is "
        "not secured! (SASL auth disabled)");
  }

  peer::ElectionTransportOptions eopts;
  eopts.tls = *tls;
  eopts.tls.sasl = *election_sasl;
  eopts.my_sid = me;
  eopts.listen_host = options_.listen_host;
  eopts.listen_port = self->second.election_port;
  eopts.advertised_address = self->second.host + ":" + std::to_string(self->second.election_port);
  eopts.connect_timeout = options_.connect_timeout;
  eopts.on_link_change = [this](Sid sid, bool up) {
    post([this, sid, up] {
      if (up) {
        election_links_.insert(sid);
      } else {
        election_links_.erase(sid);
      }
      core_->election_links(election_links_);
    });
  };
  auto on_notification = [this](Sid from, const quorum::Notification& n) {
    post([this, from, n] {
      core_->step(from, n);
      drain();
    });
  };
  auto election = peer::ElectionTransport::open(eopts, on_notification);
  // The port may still be held by a process that just exited (a restart): try again.
  for (int32_t attempt = 1;
       !election && (options_.election_bind_attempts <= 0 ||
                     attempt < options_.election_bind_attempts);
       ++attempt) {
    spdlog::warn("event=election_bind_retry attempt={} {}", attempt, election.error());
    std::this_thread::sleep_for(options_.election_bind_interval);
    election = peer::ElectionTransport::open(eopts, on_notification);
  }
  if (!election) {
    return Status::error(fmt::format("election port {}:{}: {}", eopts.listen_host,
                                     eopts.listen_port, election.error()));
  }
  election_ = std::move(*election);

  QuorumLinks::Options lopts;
  lopts.listen_host = options_.listen_host;
  lopts.listen_port = self->second.quorum_port;
  lopts.connect_timeout = options_.connect_timeout;
  lopts.tls = *tls;
  lopts.tls.sasl = *quorum_sasl;
  links_ = std::make_unique<QuorumLinks>(
      *io_, lopts, [this](std::function<void()> task) { post(std::move(task)); }, *this);
  if (Status s = links_->listen(); !s) {
    return Status::error(fmt::format("quorum port {}:{}: {}", lopts.listen_host,
                                     lopts.listen_port, s.message()));
  }
  set_config_node();
  open_failure_ = OpenFailure::kNone;
  return Status::ok();
}

void EnsembleMember::start(pipeline::PipelineThread& pipeline) {
  PADDOCK_ASSERT(election_ != nullptr && links_ != nullptr);
  const durable::Epochs& epochs = durable_.epochs();
  quorum::PeerBootstrap boot;
  boot.accepted_epoch = epochs.accepted;
  boot.current_epoch = epochs.current;
  // Recovery applied every logged txn (as ZooKeeper loads its database).
  boot.last_logged = std::max<int64_t>(db_.tree().last_zxid(), durable_.durable_zxid());
  last_allocated_ = boot.last_logged;
  core_ = std::make_unique<quorum::QuorumPeer>(options_.peer, std::move(boot), *tree_size_,
                                               pipeline.now().monotonic_ms);
  sessions_.set_core(core_.get());
  figures_.started(pipeline.now().monotonic_ms);
  pipeline.core_in_task().set_snapshot_filler(
      [this](pipeline::ServerSnapshot& snap) { fill_snapshot(snap); });
  pipeline_.store(&pipeline);
  spdlog::info(
      "event=ensemble_member_starting sid={} participants={} observers={} accepted_epoch={} "
      "current_epoch={} last_zxid=0x{:x} election_port={} quorum_port={}",
      options_.peer.sid, options_.peer.participants.size(), options_.peer.observers.size(),
      epochs.accepted, epochs.current, core_->last_logged(), election_port(), quorum_port());

  std::vector<peer::ElectionPeer> peers;
  for (const auto& [sid, address] : options_.members) {
    if (sid != options_.peer.sid) {
      // Voting view: with quorum SASL, ZooKeeper authenticates to participants only.
      peers.push_back(
          {sid, address.host, address.election_port, options_.peer.participants.count(sid) > 0});
    }
  }
  election_->start(std::move(peers));
  start_tick();
  schedule_drain();  // the core's first Ready: its notifications
}

void EnsembleMember::start_tick() {
  tick_timer_ = std::make_unique<asio::steady_timer>(io_->context());
  asio::post(io_->context(), [this] { arm_tick(); });
}

// On the io thread: the core is ticked every tick_interval_ms, on the pipeline thread.
void EnsembleMember::arm_tick() {
  tick_timer_->expires_after(std::chrono::milliseconds(options_.tick_interval_ms));
  tick_timer_->async_wait([this](std::error_code ec) {
    if (ec || stopping_.load()) return;
    post([this] {
      core_->tick(now().monotonic_ms);
      drain();
    });
    arm_tick();
  });
}

void EnsembleMember::stop() {
  if (stopping_.exchange(true)) return;
  // Children still serializing a SNAP are killed; links waiting for their bodies close. A
  // DIFF being read from the log is waited for (its answer is not posted any more).
  snap_bodies_.stop();
  diff_reader_.stop();
  if (election_) election_->stop();
  if (io_) {
    io_->stop();
    tick_timer_.reset();
  }
  // The io thread is gone, so nothing is posted any more, and the pipeline thread has
  // stopped (the server stops it first): the links are closed from this thread.
  if (links_) links_->stop();
}

pipeline::Now EnsembleMember::now() const { return pipeline_.load()->now(); }

void EnsembleMember::post(std::function<void()> task) {
  pipeline::PipelineThread* pipeline = pipeline_.load();
  if (pipeline == nullptr || stopping_.load()) return;  // before start() or after stop()
  pipeline->run_task([this, task = std::move(task)] {
    if (stopping_.load()) return;
    task();
  });
}

void EnsembleMember::schedule_drain() {
  if (drain_posted_ || draining_) return;
  drain_posted_ = true;
  post([this] {
    drain_posted_ = false;
    drain();
  });
}

void EnsembleMember::drain() {
  if (draining_ || core_ == nullptr) return;
  draining_ = true;
  while (core_->has_ready() && !stopping_.load()) {
    quorum::Ready r = core_->ready();
    carry_out(r);
    core_->advance();
  }
  draining_ = false;
}

void EnsembleMember::fatal(const std::string& what) {
  // The core's promises rest on the log and the epoch files; if they cannot be written the
  // member must not go on voting or acknowledging. ZooKeeper's peer dies the same way; a
  // supervisor restarts it and recovery starts from what is durable.
  spdlog::critical("event=ensemble_member_fatal sid={} {}", options_.peer.sid, what);
  spdlog::default_logger()->flush();
  std::fflush(nullptr);
  std::_Exit(70);
}

// --- carrying out a Ready ----------------------------------------------------------------------

void EnsembleMember::carry_out(quorum::Ready& r) {
  pipeline::PipelineCore& pipeline = pipeline_.load()->core_in_task();
  // Clients leave first: nothing below may answer them from a state that is about to be
  // truncated, reloaded or replaced, and a server that is not serving answers nobody.
  for (const quorum::RoleChange& role : r.roles) {
    if (!role.serving) {
      pipeline.set_serving(false, now());
      break;
    }
  }
  // 1. Epochs, durably, before anything of this Ready is sent.
  if (r.accepted_epoch) {
    if (Status s = durable_.set_accepted_epoch(*r.accepted_epoch); !s) {
      fatal("cannot write acceptedEpoch: " + s.message());
    }
  }
  if (r.current_epoch) {
    if (Status s = durable_.set_current_epoch(*r.current_epoch); !s) {
      fatal("cannot write currentEpoch: " + s.message());
    }
  }
  // 2. TRUNC.
  if (r.truncate_to) {
    auto cut = durable_.truncate_after(*r.truncate_to);
    if (!cut) fatal(fmt::format("TRUNC to 0x{:x}: {}", *r.truncate_to, cut.error()));
    reload_from_disk("TRUNC");
    if (db_.tree().last_zxid() != *r.truncate_to) {
      spdlog::warn("event=trunc_state_mismatch wanted=0x{:x} have=0x{:x}", *r.truncate_to,
                   db_.tree().last_zxid());
    }
  }
  // 3. Reload, load a leader's snapshot (in memory), save it as the new base.
  if (r.reload_state) reload_from_disk("a sync that did not finish");
  if (r.load_snapshot) load_snapshot(*r.load_snapshot);
  if (r.save_snapshot) {
    if (db_.tree().last_zxid() != *r.save_snapshot) {
      fatal(fmt::format("asked to save a snapshot at 0x{:x}; the state is at 0x{:x}",
                        *r.save_snapshot, db_.tree().last_zxid()));
    }
    if (Status s = durable_.replace_with_snapshot(); !s) {
      fatal("cannot save the leader's snapshot: " + s.message());
    }
  }
  // 4. The log (group commit; on_durable reports back).
  for (quorum::LoggedTxn& txn : r.append) durable_.append(txn.zxid, std::move(txn.bytes));
  // 5. Apply, through the pipeline: it answers clients and fires watches.
  auto decode_into_committed = [&](std::vector<quorum::LoggedTxn>& txns) {
    for (quorum::LoggedTxn& txn : txns) {
      if (in_flight_ > 0 && leading()) --in_flight_;
      committed_.push_back(take_decoded(txn));
    }
  };
  if (leading()) {
    const int64_t now_ms = now().monotonic_ms;
    for (const quorum::LoggedTxn& txn : r.committed) figures_.committed(txn.zxid, now_ms);
  }
  decode_into_committed(r.committed);
  decode_into_committed(r.apply_logged);
  if (!committed_.empty()) take_commits();
  // 6. Send.
  for (const quorum::OutgoingNotification& n : r.notifications) election_->send(n.to, n.message);
  for (Sid peer : r.hang_up) links_->hang_up(peer);
  for (Sid leader : r.dial) {
    auto address = options_.members.find(leader);
    if (address == options_.members.end()) {
      core_->disconnected(leader);
      continue;
    }
    links_->dial(leader, address->second.host, address->second.quorum_port);
  }
  send_packets(r.packets);
  for (const quorum::LogRead& read : r.log_reads) {
    // From the txn at `from` itself (the learner has it: DIFF starts there), except for the
    // start of an epoch, which no txn carries.
    const Zxid after = quorum::zxid_counter(read.from) == 0 ? read.from : read.from - 1;
    diff_reader_.read(read,
                      durable_.plan_committed_read(after, DiffReader::kMaxTxns, read.max_bytes));
  }
  // 7. Roles, learners' requests, sessions, syncs.
  apply_roles(r.roles);
  handle_requests(r.requests);
  const int64_t now_ms = now().monotonic_ms;
  for (const quorum::SessionTouch& t : r.touches) sessions_.touched_by_learner(t.session_id, now_ms);
  for (const quorum::RevalidateQuery& q : r.revalidate_queries) {
    core_->revalidated(q.from, q.session_id, sessions_.alive(q.session_id, now_ms));
  }
  for (const quorum::RevalidateResult& result : r.revalidate_results) {
    sessions_.revalidated(result.session_id, result.valid);
  }
  if (r.syncs_completed > 0) {
    completed_syncs_ += static_cast<size_t>(r.syncs_completed);
    take_commits();
  }
}

void EnsembleMember::take_commits() { pipeline_.load()->core_in_task().take_commits(now()); }

void EnsembleMember::remember_decoded(proto::Txn txn) {
  if (!decoded_.empty() && decoded_.back().header.zxid >= txn.header.zxid) decoded_.clear();
  decoded_.push_back(std::move(txn));
}

proto::Txn EnsembleMember::take_decoded(quorum::LoggedTxn& txn) {
  while (!decoded_.empty() && decoded_.front().header.zxid < txn.zxid) decoded_.pop_front();
  if (!decoded_.empty() && decoded_.front().header.zxid == txn.zxid) {
    proto::Txn t = std::move(decoded_.front());
    decoded_.pop_front();
    return t;
  }
  auto decoded = proto::decode_txn(txn.bytes);
  if (!decoded) fatal(fmt::format("txn 0x{:x} does not decode: {}", txn.zxid, decoded.error()));
  return std::move(*decoded);
}

void EnsembleMember::reload_from_disk(const char* why) {
  spdlog::info("event=state_reload reason=\"{}\" from_zxid=0x{:x}", why, db_.tree().last_zxid());
  decoded_.clear();
  if (Status s = durable_.reload(); !s) fatal(std::string("cannot reload the state: ") + s.message());
  set_config_node();
}

void EnsembleMember::load_snapshot(Zxid zxid) {
  if (!pending_snapshot_) fatal("a snapshot to load, but no SNAP body arrived");
  if (durable_.snapshotter() != nullptr) durable_.snapshotter()->abandon_walk();
  std::string body = std::move(*pending_snapshot_);
  pending_snapshot_.reset();
  db_.reset();
  auto loaded = peer::load_zk_snapshot_body(body, zxid, db_.tree());
  if (!loaded) {
    // The leader's snapshot does not load: keep our own state and leave this leader.
    spdlog::error("event=snap_load_failed zxid=0x{:x} {}", zxid, loaded.error());
    reload_from_disk("the leader's snapshot did not load");
    links_->hang_up(role_.leader);
    core_->disconnected(role_.leader);
    return;
  }
  set_config_node();
  spdlog::info("event=snap_loaded zxid=0x{:x} nodes={} sessions={} bytes={}", zxid, loaded->nodes,
               loaded->sessions, body.size());
}

void EnsembleMember::send_packets(std::vector<quorum::OutgoingPacket>& packets) {
  // One body for every SNAP of a Ready, shared by their links without a copy (a body is
  // about the size of the tree's data). For a large tree a forked child makes it while this
  // thread goes on; each link holds its SNAP, and what follows, until the body is done.
  std::shared_ptr<peer::SnapBody> snapshot_body;
  for (quorum::OutgoingPacket& out : packets) {
    if (out.packet.type == PacketType::kSnap) {
      if (db_.tree().last_zxid() != out.packet.zxid) {
        fatal(fmt::format("SNAP at 0x{:x} with the state at 0x{:x}", out.packet.zxid,
                          db_.tree().last_zxid()));
      }
      if (!snapshot_body) snapshot_body = snap_bodies_.make(db_.tree());
      out.packet.data.reset();
      spdlog::info("event=snap_sent to={} zxid=0x{:x} nodes={} pause_us={}", out.to,
                   out.packet.zxid, db_.tree().node_count(), snap_bodies_.stats().last_pause_us);
    }
  }
  // Each peer's packets go over as one batch, in the core's order: with nothing queued on
  // the link they are written at once from this thread, in one syscall (no io-thread
  // hand-off on a write's path).
  // Counted first, so that each batch is allocated once (a DIFF's batch holds 200,000
  // packets for 100,000 txns).
  std::vector<std::pair<Sid, std::vector<quorum::QuorumPacket>>> by_peer;
  std::vector<size_t> counts;
  auto peer_index = [&](Sid to) {
    auto it = std::find_if(by_peer.begin(), by_peer.end(),
                           [&](const auto& entry) { return entry.first == to; });
    if (it != by_peer.end()) return static_cast<size_t>(it - by_peer.begin());
    by_peer.emplace_back(to, std::vector<quorum::QuorumPacket>());
    counts.push_back(0);
    return by_peer.size() - 1;
  };
  for (const quorum::OutgoingPacket& out : packets) ++counts[peer_index(out.to)];
  for (size_t i = 0; i < by_peer.size(); ++i) by_peer[i].second.reserve(counts[i]);
  for (quorum::OutgoingPacket& out : packets) {
    figures_.sent(out.packet.type);
    by_peer[peer_index(out.to)].second.push_back(std::move(out.packet));
  }
  for (auto& [to, batch] : by_peer) links_->send_all(to, std::move(batch), snapshot_body);
}

void EnsembleMember::apply_roles(const std::vector<quorum::RoleChange>& roles) {
  if (roles.empty()) return;
  const int64_t now_ms = now().monotonic_ms;
  for (const quorum::RoleChange& role : roles) {
    figures_.role_changed(role, now_ms);
    spdlog::info("event=role sid={} state=\"{}\" leader={} epoch={}", options_.peer.sid,
                 peer_state_name(role), role.role == Role::kLooking ? -1 : role.leader,
                 role.epoch);
  }
  role_ = roles.back();
  links_->set_stance(role_.role == Role::kLeading   ? QuorumLinks::Stance::kLeading
                     : role_.role == Role::kLooking ? QuorumLinks::Stance::kLooking
                                                    : QuorumLinks::Stance::kLearning);
  switch (role_.role) {
    case Role::kLeading: sessions_.set_mode(MemberSessions::Mode::kLeader); break;
    case Role::kFollowing:
    case Role::kObserving: sessions_.set_mode(MemberSessions::Mode::kLearner); break;
    case Role::kLooking: sessions_.set_mode(MemberSessions::Mode::kNone); break;
  }
  decoded_.clear();  // a new role: what was proposed or received under the old one is resent
  if (role_.role != Role::kLeading) {
    in_flight_ = 0;
    allocation_failed_ = false;
  }
  if (role_.serving) pipeline_.load()->core_in_task().set_serving(true, now());
}

void EnsembleMember::handle_requests(std::vector<quorum::LearnerRequest>& requests) {
  pipeline::PipelineThread& pipeline = *pipeline_.load();
  for (quorum::LearnerRequest& request : requests) {
    quorum::ForwardedRequest& f = request.request;
    if (f.op == static_cast<int32_t>(proto::OpCode::kSync)) {
      // Behind the learner's writes queued before it, so they are proposed first.
      const Sid from = request.from;
      post([this, from] {
        core_->answer_sync(from);
        drain();
      });
      continue;
    }
    pipeline::ForwardedWrite write;
    write.session_id = f.session_id;
    write.cxid = f.cxid;
    write.type = f.op;
    write.body = std::move(f.body);
    if (f.authinfo) {
      for (const quorum::AuthId& id : *f.authinfo) write.auth.push_back(proto::Id{id.scheme, id.id});
    }
    pipeline.learner_write(std::move(write));
  }
}

// --- inputs from the network and the log -------------------------------------------------------

void EnsembleMember::on_quorum_packet(Sid from, quorum::QuorumPacket packet) {
  if (!leading()) figures_.received(packet.type);
  if (packet.type == PacketType::kProposal || packet.type == PacketType::kInform) {
    // A txn is logged on receipt and applied at COMMIT: one that does not decode must not
    // get that far. The link is dropped instead (the core resyncs with its leader), never
    // the server.
    auto txn = proto::decode_txn(packet.data.value_or(""));
    if (!txn || txn->header.zxid != packet.zxid) {
      spdlog::error("event=bad_proposal from={} zxid=0x{:x} {}", from, packet.zxid,
                    txn ? "zxid differs from the packet's" : txn.error());
      links_->hang_up(from);
      on_quorum_disconnected(from);
      return;
    }
    remember_decoded(std::move(*txn));
  }
  if (packet.type == PacketType::kSnap) {
    // The body stays here until the core asks for it to be loaded (Ready::load_snapshot).
    pending_snapshot_ = std::move(packet.data);
    packet.data.reset();
  }
  core_->step(from, packet);  // carried out once the batch is in: on_quorum_packets_done
}

void EnsembleMember::on_quorum_packets_done() { drain(); }

void EnsembleMember::on_quorum_connected(Sid peer) {
  core_->connected(peer);
  drain();
}

void EnsembleMember::on_quorum_disconnected(Sid peer) {
  core_->disconnected(peer);
  drain();
}

void EnsembleMember::on_durable(int64_t zxid) {
  post([this, zxid] {
    core_->persisted(zxid);
    drain();
  });
}

void EnsembleMember::on_log_failed(const std::string& reason) {
  fatal("the txn log failed: " + reason);
}

// --- Orderer -----------------------------------------------------------------------------------

bool EnsembleMember::leading() const { return role_.role == Role::kLeading; }

int64_t EnsembleMember::allocate_zxid() {
  auto zxid = core_->allocate_zxid();
  if (!zxid) {
    // Not a serving leader any more (or the counter ran out, which starts an election): the
    // txn being prepped is dropped at propose(); its client's connection closes with the
    // role change that follows.
    allocation_failed_ = true;
    schedule_drain();
    return last_allocated_ + 1;
  }
  allocation_failed_ = false;
  last_allocated_ = *zxid;
  return *zxid;
}

void EnsembleMember::propose(proto::Txn txn) {
  if (allocation_failed_) {
    allocation_failed_ = false;
    return;
  }
  const int64_t zxid = txn.header.zxid;
  std::string bytes = proto::encode_txn(txn);
  const auto size = static_cast<int64_t>(bytes.size());
  last_proposal_size_ = size;
  min_proposal_size_ = min_proposal_size_ < 0 ? size : std::min(min_proposal_size_, size);
  max_proposal_size_ = std::max(max_proposal_size_, size);
  if (Status s = core_->propose(zxid, std::move(bytes)); !s) {
    spdlog::warn("event=propose_refused zxid=0x{:x} {}", zxid, s.message());
  } else {
    ++in_flight_;
    figures_.proposed(zxid, now().monotonic_ms);
    remember_decoded(std::move(txn));
  }
  schedule_drain();
}

std::vector<proto::Txn> EnsembleMember::take_committed() { return std::exchange(committed_, {}); }

void EnsembleMember::forward(pipeline::ForwardedWrite write) {
  quorum::ForwardedRequest request;
  request.session_id = write.session_id;
  request.cxid = write.cxid;
  request.op = write.type;
  request.body = std::move(write.body);
  const auto op = static_cast<proto::OpCode>(write.type);
  if (op != proto::OpCode::kCreateSession && op != proto::OpCode::kCloseSession) {
    std::vector<quorum::AuthId> ids;
    for (const proto::Id& id : write.auth) ids.push_back({id.scheme, id.id});
    request.authinfo = std::move(ids);
  }
  if (Status s = core_->forward(request); !s) {
    spdlog::info("event=forward_refused session=0x{:x} cxid={} {}", request.session_id,
                 request.cxid, s.message());
  }
  schedule_drain();
}

void EnsembleMember::request_sync(pipeline::ForwardedWrite sync) { forward(std::move(sync)); }

size_t EnsembleMember::take_completed_syncs() { return std::exchange(completed_syncs_, 0); }

// --- the rest -------------------------------------------------------------------------------------

void EnsembleMember::set_config_node() {
  const int64_t wall = SystemClock().wall_ms();
  db_.tree().set_config_node(options_.peer.config_text, options_.config_version, wall);
}

void EnsembleMember::fill_snapshot(pipeline::ServerSnapshot& snap) const {
  snap.mode = mode_name(role_.role);
  pipeline::ServerSnapshot::Quorum q;
  q.leader_id = role_.role == Role::kLooking ? -1 : role_.leader;
  q.epoch = core_ ? core_->current_epoch() : 0;
  q.accepted_epoch = core_ ? core_->accepted_epoch() : 0;
  q.last_committed_zxid = core_ ? core_->last_committed() : 0;
  q.election_round = core_ ? core_->election().logical_clock() : 0;
  q.peer_state = peer_state_name(role_);
  if (core_ && role_.role == Role::kLeading) {
    q.learners = core_->learner_count();
    q.synced_followers = core_->synced_followers();
    q.synced_observers = core_->synced_observers();
    q.pending_syncs = core_->pending_syncs();
    if (links_) {
      for (const QuorumLinks::LearnerLink& l : links_->learner_links()) {
        if (options_.peer.observers.count(l.sid) == 0) continue;
        pipeline::LearnerSnapshot o;
        const size_t colon = l.remote_address.rfind(':');
        o.peer_ip = l.remote_address.substr(0, colon);
        o.peer_port = colon == std::string::npos
                          ? 0
                          : static_cast<uint16_t>(std::stoi(l.remote_address.substr(colon + 1)));
        o.sid = l.sid;
        o.established_ms = l.established_ms;
        o.queued_packets = l.queued_packets;
        o.queued_bytes = static_cast<int64_t>(l.queued_bytes);
        o.packets_received = l.packets_received;
        o.packets_sent = l.packets_sent;
        o.requests = l.requests;
        o.last_zxid = l.last_zxid;
        q.observers.push_back(std::move(o));
      }
    }
  }
  q.quorum_size = options_.peer.participants.size();
  q.proposals_in_flight = in_flight_;
  q.last_proposal_size = last_proposal_size_;
  q.min_proposal_size = min_proposal_size_;
  q.max_proposal_size = max_proposal_size_;
  if (pipeline_.load() != nullptr) figures_.fill(q, now().monotonic_ms);
  const Sid me = options_.peer.sid;
  q.my_id = me;
  q.voting = options_.peer.participants.count(me) > 0;
  if (auto self = options_.members.find(me); self != options_.members.end()) {
    q.quorum_address = fmt::format("{}:{}", self->second.host, self->second.quorum_port);
    q.election_address = fmt::format("{}:{}", self->second.host, self->second.election_port);
  }
  q.voting_members = voting_members_;
  snap.quorum = std::move(q);
}

uint16_t EnsembleMember::election_port() const { return election_ ? election_->port() : 0; }
uint16_t EnsembleMember::quorum_port() const { return links_ ? links_->port() : 0; }

}  // namespace paddock::ensemble
