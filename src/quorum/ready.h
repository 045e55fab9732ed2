#pragma once
// What the ZAB core asks its adapter to do after an input, in the manner of etcd raft's
// Ready. The adapter handles the fields in the order they are declared (see README.md), then
// calls QuorumPeer::advance().
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quorum/election.h"
#include "quorum/messages.h"
#include "quorum/payloads.h"

namespace paddock::quorum {

// A txn as the core carries it: its zxid and ZooKeeper's txn bytes (header + body + digest).
struct LoggedTxn {
  Zxid zxid = 0;
  std::string bytes;
  friend bool operator==(const LoggedTxn&, const LoggedTxn&) = default;
};

struct OutgoingPacket {
  Sid to = 0;
  QuorumPacket packet;
  friend bool operator==(const OutgoingPacket&, const OutgoingPacket&) = default;
};

enum class Role { kLooking, kFollowing, kLeading, kObserving };
const char* role_name(Role role);

// The peer's role and whether it serves clients (a learner after UPTODATE, a leader once a
// quorum acknowledged NEWLEADER).
struct RoleChange {
  Role role = Role::kLooking;
  Sid leader = 0;     // meaningful unless kLooking
  int64_t epoch = 0;  // the epoch being established or served
  bool serving = false;
  friend bool operator==(const RoleChange&, const RoleChange&) = default;
};

// A learner's client write, relayed to the leader (Ready on the leader).
struct LearnerRequest {
  Sid from = 0;
  ForwardedRequest request;
  friend bool operator==(const LearnerRequest&, const LearnerRequest&) = default;
};

struct RevalidateQuery {
  Sid from = 0;
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  friend bool operator==(const RevalidateQuery&, const RevalidateQuery&) = default;
};

struct RevalidateResult {
  int64_t session_id = 0;
  bool valid = false;
  friend bool operator==(const RevalidateResult&, const RevalidateResult&) = default;
};

// Leader: a learner's DIFF reaches back past the in-memory committed log, so its txns are
// read from the log files. The answer comes back through QuorumPeer::log_read(id, ...), from
// any later point: the read may run off the state-owning thread, since it can take 100s of
// milliseconds for a learner far behind. What to read: the logged txns from the learner's
// last one, `from` (never zxid 0), onwards in zxid order, through at least `through` (durable
// here when asked). An error when more than `max_bytes` of txn bytes would be needed, or when
// the log no longer reaches back to `from` (purged, or a SNAP taken as the base): the learner
// then gets a SNAP. The core also sends a SNAP when the txns read do not contain `from` or a
// TRUNC point of its epoch.
struct LogRead {
  uint64_t id = 0;
  Zxid from = 0;
  Zxid through = 0;
  size_t max_bytes = 0;
  friend bool operator==(const LogRead&, const LogRead&) = default;
};

struct Ready {
  // 1. Epoch files, written durably (tmp + rename + fsync) before anything below is sent.
  std::optional<int64_t> accepted_epoch;
  std::optional<int64_t> current_epoch;
  // 2. Drop every logged txn above this zxid (TRUNC), durably; then reload the state from the
  //    log so that it stands at exactly this zxid.
  std::optional<Zxid> truncate_to;
  // 3. a. Throw the state away and load it again from the durable snapshot and log (a sync
  //       that installed a snapshot ended before NEWLEADER: the snapshot was never saved).
  //    b. Replace the state with the snapshot that arrived after SNAP, in memory only: the
  //       durable snapshot and log stay as they are until `save_snapshot` (ZooKeeper takes the
  //       snapshot at NEWLEADER; a leader that never gets there must leave no trace).
  //    c. Save the state as it stands now (before this Ready's commits) as a durable snapshot
  //       at this zxid and drop every log record: the new base. Synchronously.
  bool reload_state = false;
  std::optional<Zxid> load_snapshot;
  std::optional<Zxid> save_snapshot;
  // 4. Append to the log, in order (asynchronously: call persisted() when durable).
  std::vector<LoggedTxn> append;
  // 5. Apply to the state, in zxid order (may precede their local durability): first the
  //    committed txns, then `apply_logged`: txns this server logged but never saw committed,
  //    which ZooKeeper applies when it reloads its database as a new election starts (the
  //    next leader's sync keeps or truncates them). They are not known to be committed.
  std::vector<LoggedTxn> committed;
  std::vector<LoggedTxn> apply_logged;
  // 6. Send. Quorum packets keep their order per peer. A SNAP packet is followed on the
  //    stream by a snapshot of the state as it stands after step 5 (its zxid is that state's).
  std::vector<OutgoingNotification> notifications;
  std::vector<Sid> hang_up;  // close the quorum connection to these (before dialing/sending)
  std::vector<Sid> dial;     // open a quorum connection to the leader; report connected()
  std::vector<OutgoingPacket> packets;
  // Reads of the log files for learners' DIFFs (see LogRead); answer with log_read().
  std::vector<LogRead> log_reads;
  // 7. Everything else, for the pipeline and the session authority.
  std::vector<RoleChange> roles;                     // every change, in order
  std::vector<LearnerRequest> requests;              // leader: learners' writes to prep
  std::vector<SessionTouch> touches;                 // leader: sessions learners served
  std::vector<RevalidateQuery> revalidate_queries;   // leader: answer with revalidated()
  std::vector<RevalidateResult> revalidate_results;  // learner: answers from the leader
  int32_t syncs_completed = 0;  // sync requests answered (in the order they were made)

  bool empty() const;
};

}  // namespace paddock::quorum
