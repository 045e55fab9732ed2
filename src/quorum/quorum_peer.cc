#include "quorum/quorum_peer.h"

#include <algorithm>

#include "quorum/quorum_peer_state.h"
#include "util/assert.h"

namespace paddock::quorum {

const char* role_name(Role role) {
  switch (role) {
    case Role::kLooking:
      return "looking";
    case Role::kFollowing:
      return "following";
    case Role::kLeading:
      return "leading";
    case Role::kObserving:
      return "observing";
  }
  return "?";
}

bool Ready::empty() const {
  return !accepted_epoch && !current_epoch && !truncate_to && !reload_state && !load_snapshot &&
         !save_snapshot && append.empty() && committed.empty() && apply_logged.empty() &&
         notifications.empty() && hang_up.empty() && dial.empty() && packets.empty() &&
         log_reads.empty() && roles.empty() && requests.empty() && touches.empty() &&
         revalidate_queries.empty() && revalidate_results.empty() && syncs_completed == 0;
}

QuorumPeer::QuorumPeer(PeerConfig config, PeerBootstrap boot, const StateSize& state_size,
                       int64_t now_ms)
    : config_(std::move(config)),
      qv_(config_.participants, config_.observers),
      state_size_(state_size),
      election_(config_.sid, qv_, config_.config_text, config_.election),
      committed_log_(config_.commit_log_count),
      now_ms_(now_ms),
      accepted_epoch_(boot.accepted_epoch),
      current_epoch_(boot.current_epoch),
      last_logged_(boot.last_logged),
      last_persisted_(boot.last_logged),
      last_committed_(boot.last_logged) {
  PADDOCK_ASSERT(qv_.is_voter(config_.sid) || qv_.is_observer(config_.sid));
  // ZooKeeper refuses to start when acceptedEpoch < currentEpoch.
  PADDOCK_ASSERT(accepted_epoch_ >= current_epoch_);
  for (auto& txn : boot.recent) {
    if (txn.zxid <= last_logged_) committed_log_.add(std::move(txn));
  }
  start_election("start");
}

QuorumPeer::~QuorumPeer() = default;

// --- outputs -----------------------------------------------------------------------------------

Ready QuorumPeer::ready() {
  PADDOCK_ASSERT(!ready_out_);
  if (leading_) leader_generate_syncs();
  ready_out_ = true;
  Ready out = std::move(ready_);
  ready_ = Ready();
  return out;
}

void QuorumPeer::advance() {
  PADDOCK_ASSERT(ready_out_);
  ready_out_ = false;
  process_deferred();
}

void QuorumPeer::process_deferred() {
  while (!deferred_.empty()) {
    auto [from, packet] = std::move(deferred_.front());
    deferred_.pop_front();
    bool barrier = packet.type == PacketType::kTrunc || packet.type == PacketType::kSnap;
    if (barrier &&
        (!ready_.append.empty() || !ready_.committed.empty() || !ready_.apply_logged.empty())) {
      deferred_.emplace_front(from, std::move(packet));
      return;
    }
    if (learning_ && from == learning_->leader) learner_step(packet);
  }
}

void QuorumPeer::set_role(Role role, Sid leader, int64_t epoch, bool serving) {
  role_ = role;
  leader_sid_ = leader;
  serving_ = serving;
  ready_.roles.push_back(RoleChange{role, leader, epoch, serving});
}

void QuorumPeer::send(Sid to, QuorumPacket p) { ready_.packets.push_back({to, std::move(p)}); }

void QuorumPeer::write_accepted_epoch(int64_t epoch) {
  accepted_epoch_ = epoch;
  ready_.accepted_epoch = epoch;
}

void QuorumPeer::write_current_epoch(int64_t epoch) {
  current_epoch_ = epoch;
  ready_.current_epoch = epoch;
}

void QuorumPeer::commit_txn(LoggedTxn txn) {
  PADDOCK_ASSERT(txn.zxid > last_committed_);
  last_committed_ = txn.zxid;
  committed_log_.add(txn, committed_log_keep_after());
  ready_.committed.push_back(std::move(txn));
}

// ZooKeeper clears its database when a role ends and reloads it from the log when the next
// one starts, so every logged txn is applied again (ZOOKEEPER-2845); the next leader's sync
// then keeps them (DIFF) or drops them (TRUNC, SNAP).
void QuorumPeer::reload_uncommitted() {
  for (auto& txn : uncommitted_) {
    last_committed_ = txn.zxid;
    committed_log_.add(txn);
    ready_.apply_logged.push_back(std::move(txn));
  }
  uncommitted_.clear();
  PADDOCK_ASSERT(last_committed_ == last_logged_);
}

// --- election ----------------------------------------------------------------------------------

void QuorumPeer::start_election(const char*) {
  for (const auto& [sid, h] : leading_ ? leading_->learners : std::map<Sid, LearnerHandler>{}) {
    ready_.hang_up.push_back(sid);
  }
  if (learning_) ready_.hang_up.push_back(learning_->leader);
  if (learning_ && learning_->snapshot_unsaved) {
    // The sync installed a snapshot it never saved: back to what is durable.
    ready_.load_snapshot.reset();
    ready_.committed.clear();
    ready_.reload_state = true;
    last_logged_ = last_committed_ = learning_->saved_last_logged;
    last_persisted_ = learning_->saved_last_persisted;
    committed_log_ = *learning_->saved_committed_log;
    uncommitted_.clear();
  }
  leading_.reset();
  learning_.reset();
  deferred_.clear();
  reload_uncommitted();
  set_role(Role::kLooking, 0, 0, false);
  election_.start(last_logged_, current_epoch_, now_ms_, ready_.notifications);
}

void QuorumPeer::step(Sid from, const Notification& n) {
  ServerState state = ServerState::kLooking;
  switch (role_) {
    case Role::kLooking:
      state = ServerState::kLooking;
      break;
    case Role::kFollowing:
      state = ServerState::kFollowing;
      break;
    case Role::kLeading:
      state = ServerState::kLeading;
      break;
    case Role::kObserving:
      state = ServerState::kObserving;
      break;
  }
  auto vote = election_.receive(from, n, state, now_ms_, ready_.notifications);
  if (vote) on_decision(*vote);
}

void QuorumPeer::on_decision(const Vote& vote) {
  if (vote.leader == config_.sid) {
    lead(vote);
  } else {
    learn(vote);
  }
}

void QuorumPeer::tick(int64_t now_ms) {
  now_ms_ = std::max(now_ms_, now_ms);  // a clock that steps back never rewinds timers
  if (role_ == Role::kLooking) {
    auto vote = election_.tick(now_ms_, ready_.notifications);
    if (vote) on_decision(*vote);
    return;
  }
  if (leading_) leader_tick();
  if (learning_) learner_tick();
}

// --- quorum port ------------------------------------------------------------------------------

void QuorumPeer::step(Sid from, const QuorumPacket& p) {
  if (leading_) {
    leader_step(from, p);
    return;
  }
  if (!learning_ || from != learning_->leader) return;  // a stale connection
  bool barrier = p.type == PacketType::kTrunc || p.type == PacketType::kSnap;
  bool busy = !ready_.append.empty() || !ready_.committed.empty() || !ready_.apply_logged.empty();
  if (!deferred_.empty() || (barrier && busy)) {
    deferred_.emplace_back(from, p);
    return;
  }
  learner_step(p);
}

void QuorumPeer::connected(Sid peer) {
  if (!learning_ || peer != learning_->leader) return;
  if (learning_->phase != LearnerState::Phase::kConnecting) return;
  LearnerInfo info{config_.sid, kQuorumProtocolVersion, 0, current_epoch_};
  PacketType type = learning_->observer ? PacketType::kObserverInfo : PacketType::kFollowerInfo;
  send(peer, QuorumPacket{type, make_zxid(accepted_epoch_, 0), encode_learner_info(info), {}});
  learning_->phase = LearnerState::Phase::kAwaitLeaderInfo;
  learning_->last_heard_ms = now_ms_;
}

void QuorumPeer::disconnected(Sid peer) {
  if (leading_) {
    if (leading_->learners.count(peer)) leader_drop_learner(peer, "connection closed");
    return;
  }
  if (learning_ && peer == learning_->leader) learner_fail("connection to the leader closed");
}

void QuorumPeer::persisted(Zxid zxid) {
  zxid = std::min(zxid, last_logged_);
  if (zxid <= last_persisted_) return;
  last_persisted_ = zxid;
  if (leading_) {
    leader_issue_log_reads();
    leader_on_ack(config_.sid, zxid);
  } else if (learning_) {
    learner_maybe_ack();
  }
}

size_t QuorumPeer::synced_followers() const {
  if (!leading_) return 0;
  size_t n = 0;
  for (const auto& [sid, h] : leading_->learners) {
    n += (!h.observer && h.phase == LearnerHandler::Phase::kBroadcast) ? 1 : 0;
  }
  return n;
}

size_t QuorumPeer::synced_observers() const {
  if (!leading_) return 0;
  size_t n = 0;
  for (const auto& [sid, h] : leading_->learners) {
    n += (h.observer && h.phase == LearnerHandler::Phase::kBroadcast) ? 1 : 0;
  }
  return n;
}

size_t QuorumPeer::learner_count() const { return leading_ ? leading_->learners.size() : 0; }

size_t QuorumPeer::pending_syncs() const { return leading_ ? leading_->pending_syncs.size() : 0; }

bool QuorumPeer::leader_may_sync() const {
  using Phase = LeaderState::Phase;
  return leading_ &&
         (leading_->phase == Phase::kAwaitNewLeaderAcks || leading_->phase == Phase::kBroadcast);
}

bool QuorumPeer::has_pending_sync_generation() const {
  if (!leader_may_sync()) return false;
  for (const auto& [sid, h] : leading_->learners) {
    if (h.phase == LearnerHandler::Phase::kAwaitSync) return true;
  }
  return false;
}

}  // namespace paddock::quorum
