// The leader's choice of sync for a learner (ZooKeeper's LearnerHandler.syncFollower and
// queueCommittedProposals): DIFF, TRUNC or SNAP, the committed txns the learner lacks, the
// outstanding proposals, NEWLEADER. Generated when the Ready is taken, so that a SNAP's zxid
// is the state the adapter serializes once it has applied that Ready's commits.
#include <algorithm>
#include <utility>

#include "quorum/quorum_peer.h"
#include "quorum/quorum_peer_state.h"
#include "util/assert.h"

namespace paddock::quorum {

using HPhase = LearnerHandler::Phase;

namespace {
QuorumPacket op_packet(PacketType type, Zxid zxid) {
  return QuorumPacket{type, zxid, std::nullopt, std::nullopt};
}

// Whether a learner can be truncated to `target`. One that accepted epoch E's NEWLEADER may
// have taken that leader's state by SNAP: its history then starts at a snapshot whose zxid lies
// below epoch E and may be above `target` (the SNAP carried the failed leader's uncommitted
// tail, which a later leader never had). Truncating into an epoch older than the learner's
// current one is therefore refused and the learner gets a snapshot instead; when its history
// did come by DIFF this costs a SNAP that was not strictly needed, in a rare case (a leader
// that failed before its NEWLEADER was acked by a quorum). ZooKeeper's learner exits on such
// a TRUNC and fails the same way at every restart.
bool can_truncate(const LearnerHandler& h, Zxid target) {
  return h.peer_current_epoch < 0 || zxid_epoch(target) >= h.peer_current_epoch;
}
}  // namespace

void QuorumPeer::leader_generate_syncs() {
  // Not before a quorum acknowledged the epoch (ZooKeeper's LearnerHandler waits in
  // waitForEpochAck): until then this leader does not know that its history is the newest
  // of a quorum, and a NEWLEADER makes its learner take the new epoch as its current one.
  // A learner synced early to a stale history then outvoted, by that epoch, the servers
  // holding txns an older epoch had committed, and led them to lose those (seed 1474718).
  if (!leader_may_sync()) return;
  for (auto& [sid, h] : leading_->learners) {
    if (h.phase == HPhase::kAwaitSync) leader_generate_sync(sid);
  }
}

// Sends DIFF/TRUNC and PROPOSAL+COMMIT pairs for txns above `peer` (up to `max`). Returns
// false when only a snapshot will do (the learner's history forks from ours in another
// epoch, or it is ahead of what we hold); what it sent is then taken back by the caller.
bool QuorumPeer::leader_queue_committed(Sid sid, const std::vector<SyncTxn>& txns, Zxid peer,
                                        Zxid max) {
  // Straight into the Ready: a DIFF from the log files may be 200,000s of packets, and every
  // copy of them is time the state thread does not serve clients.
  ready_.packets.reserve(ready_.packets.size() + 2 * txns.size() + 2);
  bool need_op = true;
  bool peer_new_epoch = zxid_counter(peer) == 0;
  Zxid prev = -1;
  Zxid queued = peer;
  for (const SyncTxn& txn : txns) {
    Zxid z = txn.zxid();
    if (z > max) break;
    if (z < peer) {
      prev = z;
      continue;
    }
    if (need_op) {
      if (z == peer) {
        send(sid, op_packet(PacketType::kDiff, max));
        need_op = false;
        continue;
      }
      if (peer_new_epoch) {
        send(sid, op_packet(PacketType::kDiff, max));
      } else {
        // The learner holds txns we never had: it may once have led. TRUNC cannot cross an
        // epoch boundary, so then it gets a snapshot.
        if (zxid_epoch(z) != zxid_epoch(peer) || prev < 0) return false;
        if (!can_truncate(leading_->learners.at(sid), prev)) return false;
        send(sid, op_packet(PacketType::kTrunc, prev));
      }
      need_op = false;
    }
    if (z <= queued) continue;
    send(sid, QuorumPacket{PacketType::kProposal, z, txn.take_bytes(), std::nullopt});
    send(sid, op_packet(PacketType::kCommit, z));
    queued = z;
  }
  if (need_op) {
    if (!peer_new_epoch) return false;
    send(sid, op_packet(PacketType::kDiff, max));
  }
  return true;
}

void QuorumPeer::leader_request_log_read(Sid sid) {
  LearnerHandler& h = leading_->learners.at(sid);
  h.phase = HPhase::kAwaitLogRead;
  h.log_read_id = ++last_log_read_id_;
  h.log_read_through = last_committed_;
  h.log_read_max_bytes = static_cast<size_t>(
      config_.snapshot_size_factor * static_cast<double>(state_size_.snapshot_size_bytes()));
  h.log_read_issued = false;
  leader_issue_log_reads();
}

// A read is issued once this leader's own log holds what it must reach: a txn can be
// committed (by its followers' ACKs) before the leader's log writer has made it durable.
void QuorumPeer::leader_issue_log_reads() {
  for (auto& [sid, h] : leading_->learners) {
    if (h.phase != HPhase::kAwaitLogRead || h.log_read_issued) continue;
    if (last_persisted_ < h.log_read_through) continue;
    h.log_read_issued = true;
    ready_.log_reads.push_back(
        LogRead{h.log_read_id, h.peer_last_zxid, h.log_read_through, h.log_read_max_bytes});
  }
}

void QuorumPeer::log_read(uint64_t id, Result<std::vector<LoggedTxn>> txns) {
  if (!leading_) return;
  for (auto& [sid, h] : leading_->learners) {
    if (h.phase != HPhase::kAwaitLogRead || h.log_read_id != id) continue;
    h.log_read = std::move(txns);
    h.phase = HPhase::kAwaitSync;  // generated when the next Ready is taken
    return;
  }
}

std::optional<Zxid> QuorumPeer::committed_log_keep_after() const {
  std::optional<Zxid> keep;
  if (!leading_) return keep;
  for (const auto& [sid, h] : leading_->learners) {
    // Until the sync is generated: a commit may come between the answer and the next Ready.
    if (h.phase != HPhase::kAwaitLogRead && !h.log_read) continue;
    if (!keep || h.log_read_through < *keep) keep = h.log_read_through;
  }
  return keep;
}

void QuorumPeer::leader_generate_sync(Sid sid) {
  LeaderState& l = *leading_;
  LearnerHandler& h = l.learners.at(sid);
  Zxid peer = h.peer_last_zxid;
  Zxid last_processed = last_committed_;
  Zxid min = committed_log_.empty() ? last_processed : committed_log_.min_zxid();
  Zxid max = committed_log_.empty() ? last_processed : committed_log_.max_zxid();
  const size_t first_packet = ready_.packets.size();  // this sync's packets start here
  // The log files' txns, when this sync was generated before and asked for them.
  std::optional<Result<std::vector<LoggedTxn>>> read = std::exchange(h.log_read, std::nullopt);
  bool need_snap = true;
  // The committed log's txns, taken by the branches that send them (not by a request for a
  // log read, nor by a TRUNC or an empty DIFF).
  auto committed_txns = [this] {
    std::vector<SyncTxn> txns;
    txns.reserve(committed_log_.txns().size());
    for (const auto& txn : committed_log_.txns()) txns.push_back(SyncTxn::copied(txn));
    return txns;
  };
  if (peer == last_processed) {
    send(sid, op_packet(PacketType::kDiff, peer));
    need_snap = false;
  } else if (peer > max && zxid_counter(peer) != 0) {
    if (can_truncate(h, max)) {
      send(sid, op_packet(PacketType::kTrunc, max));
      need_snap = false;
    }
  } else if (min <= peer && peer <= max) {
    need_snap = !leader_queue_committed(sid, committed_txns(), peer, max);
  } else if (peer < min && config_.snapshot_size_factor >= 0 && zxid_counter(peer) != 0) {
    // Too old for the committed log: the txns from our log files, if small enough. The read
    // is the adapter's (it may take 100s of ms); the sync is generated again once it is in.
    // Not for a learner with no txn (zxid 0): no log record can show that the files reach
    // back to the start of our history (they do not after a purge, or once this server took
    // a SNAP as its new base), so it gets a SNAP, as ZooKeeper's does.
    if (!read) {
      leader_request_log_read(sid);
      return;
    }
    Result<std::vector<LoggedTxn>>& from_log = *read;
    if (from_log) {
      // The read reaches at least h.log_read_through, and the committed log kept every txn
      // committed after that (committed_log_keep_after): together they leave no gap.
      const bool joins = !from_log->empty() && from_log->back().zxid >= h.log_read_through;
      // Read for this sync alone: their bytes move into the packets (a DIFF from the log
      // may be 100,000s of txns, and this is the thread that serves every client).
      const std::vector<SyncTxn> txns = committed_txns();
      std::vector<SyncTxn> all;
      all.reserve(from_log->size() + txns.size());
      for (auto& txn : *from_log) {
        if (committed_log_.empty() || txn.zxid < min) all.push_back(SyncTxn::moved(txn));
      }
      all.insert(all.end(), txns.begin(), txns.end());
      need_snap = !joins || !leader_queue_committed(sid, all, peer, max);
    }
  }
  if (need_snap) {
    ready_.packets.erase(ready_.packets.begin() + static_cast<ptrdiff_t>(first_packet),
                         ready_.packets.end());
    send(sid, op_packet(PacketType::kSnap, last_processed));
  }
  // Then the outstanding proposals (followers only; observers get INFORM at commit).
  if (!h.observer) {
    for (const auto& txn : uncommitted_) {
      send(sid, QuorumPacket{PacketType::kProposal, txn.zxid, txn.bytes, std::nullopt});
    }
  }
  send(sid,
       QuorumPacket{PacketType::kNewLeader, make_zxid(l.epoch, 0),
                    config_.config_text.empty() ? std::nullopt : std::optional(config_.config_text),
                    std::nullopt});
  h.forwarding = true;
  h.phase = HPhase::kAwaitNewLeaderAck;
}

}  // namespace paddock::quorum
