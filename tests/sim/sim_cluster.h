#pragma once
// A whole ensemble in one process on a virtual clock, driven from one seed: QuorumPeer cores
// over an in-memory network (lossy election datagrams, FIFO quorum streams that break and
// stall), in-memory disks that lose unsynced writes at a crash, and clients whose writes are
// acknowledged when committed. Invariants are checked after every step; a failure throws
// SimFailure with a message, and the trace (when enabled) tells the story.
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "quorum/quorum_peer.h"
#include "state/database.h"

namespace paddock::sim {

using quorum::LoggedTxn;
using quorum::Sid;
using quorum::Zxid;

// A zxid as the traces and failure messages print it: 0x<hex>.
inline std::string hex(Zxid z) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(z));
  return buf;
}

struct SimFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SimOptions {
  int participants = 3;
  int observers = 0;
  int64_t tick_ms = 100;
  int32_t init_limit = 10;
  int32_t sync_limit = 5;
  int64_t step_ms = 5;         // virtual time per step
  double drop = 0.0;           // election datagram loss
  double duplicate = 0.0;      // election datagram duplication
  int64_t max_latency_ms = 3;  // message latency is 1..max
  double crash = 0.0;          // per step
  double fsync_fail = 0.0;     // per fsync (the server crashes, as ZooKeeper's sync thread dies)
  double partition = 0.0;      // per step: a new random (maybe asymmetric) partition
  double heal = 0.0;           // per step
  double conn_break = 0.0;     // per step: a random quorum connection breaks
  double clock_jump = 0.0;     // per step: a server's clock jumps forward
  double write = 0.0;          // per step: a client op
  double snapshot_size_factor = 0.33;
  // The leader's in-memory committed log (paddockd keeps at least 500). Fewer make learners
  // that fell behind be synced from the log files (Ready::log_reads).
  size_t commit_log_count = 500;
  // Tell each core which peers it can reach (QuorumPeer::election_links), as paddockd's
  // election transport does: elections then end without the finalize wait once every
  // reachable voter agrees.
  bool election_links = false;
  int64_t counter_limit = 0xffffffffLL;
  bool trace = false;
};

// A snapshot in the simulator: the txns the sender's state applied, in order (replayed into
// a fresh tree on load; the digest is checked against the sender's).
using SimSnapshot = std::shared_ptr<const std::vector<LoggedTxn>>;

struct SimDisk {  // survives crashes
  int64_t accepted_epoch = 0;
  int64_t current_epoch = 0;
  std::vector<LoggedTxn> snapshot;  // base state (txns applied)
  std::vector<LoggedTxn> log;       // after the snapshot
  size_t durable = 0;               // log prefix that is synced
  bool fsync_stalled = false;       // scripted: the disk does not finish syncs
};

class Cluster;

class SimServer final : public quorum::StateSize {
 public:
  SimServer(Cluster& cluster, Sid sid);
  Sid sid() const { return sid_; }
  bool up() const { return core_ != nullptr; }
  quorum::QuorumPeer* core() { return core_.get(); }
  SimDisk& disk() { return disk_; }
  state::Database& db() { return *db_; }
  const std::vector<LoggedTxn>& applied() const { return applied_; }
  int64_t clock_offset_ms = 0;
  SimSnapshot pending_snapshot;  // arrived with a SNAP packet
  int truncations = 0;
  int snapshots_loaded = 0;

  void start(int64_t now_ms);
  void crash();
  void drain();  // take and carry out Readys until none is left
  void fsync_done();
  int64_t fsync_due_ms = -1;

  Zxid last_logged_zxid() const;
  int64_t snapshot_size_bytes() const override;  // StateSize
  // The log reads the core asked for (Ready::log_reads) that are due by `now_ms` are
  // answered, from the disk as it stands then, as paddockd's reader thread answers late.
  void answer_log_reads(int64_t now_ms);

  // Client side: pending writes by (session, cxid), acknowledged when committed here.
  std::set<std::pair<int64_t, int32_t>> pending_writes;
  // Leader: prep a client write (its own or a learner's) against the tree and propose it.
  void handle_request(const quorum::LearnerRequest& request);

 private:
  void handle(quorum::Ready& r);
  void rebuild_state();
  void apply(const LoggedTxn& txn, bool committed);

  Cluster& cluster_;
  Sid sid_;
  SimDisk disk_;
  std::unique_ptr<state::Database> db_;
  std::vector<LoggedTxn> applied_;
  std::unique_ptr<quorum::QuorumPeer> core_;
  bool draining_ = false;
  struct PendingLogRead {
    quorum::LogRead read;
    Zxid up_to = 0;  // durable when asked: what paddockd plans to read
    int64_t due_ms = 0;
  };
  std::vector<PendingLogRead> log_reads_;
  Result<std::vector<LoggedTxn>> read_log(const PendingLogRead& pending) const;
};

class Cluster {
 public:
  Cluster(uint64_t seed, SimOptions options);
  ~Cluster();

  // --- scripted control -----------------------------------------------------------------------
  void step();  // one step of virtual time: faults, deliveries, fsyncs, ticks, checks
  // Steps until `pred` holds or `max_ms` of virtual time pass; returns whether it held.
  template <typename F>
  bool run_until(F pred, int64_t max_ms) {
    int64_t end = now_ + max_ms;
    while (now_ < end) {
      if (pred()) return true;
      step();
    }
    return pred();
  }
  void run_for(int64_t ms) {
    run_until([] { return false; }, ms);
  }
  void crash(Sid sid);
  void restart(Sid sid);
  void isolate(Sid sid);  // cut both directions to everyone
  void heal();
  void block(Sid from, Sid to) { blocked_.insert({from, to}); }
  void break_connection(Sid a, Sid b);
  void set_fsync_stalled(Sid sid, bool stalled);
  // A client write through `sid` (leader or learner); returns whether it was submitted.
  bool client_write(Sid sid);
  // A given client request through `sid` (cxid assigned here).
  bool submit(Sid sid, quorum::ForwardedRequest f);
  std::optional<Sid> serving_leader() const;
  bool all_serving() const;  // every server up, serving, same last committed
  size_t acked_writes() const { return acked_.size(); }
  // Quiet network, everyone up, until all serve and agree; then every acknowledged write
  // must be on every server. Throws SimFailure.
  void settle_and_check(int64_t max_ms);

  SimServer& server(Sid sid) { return *servers_.at(sid); }
  std::vector<Sid> sids() const;
  int64_t now() const { return now_; }
  // Draws for the disk's own timing (log reads), apart from rng() so that seeds recorded
  // before they existed keep their schedule up to the first read.
  std::mt19937_64& io_rng() { return io_rng_; }
  const SimOptions& options() const { return options_; }
  std::mt19937_64& rng() { return rng_; }
  void trace(const std::string& line);
  const std::deque<std::string>& trace_lines() const { return trace_; }
  uint64_t steps() const { return steps_; }
  // Hook for scripted scenarios: called for every quorum packet before it is delivered; false
  // drops the packet and breaks its connection.
  std::function<bool(Sid from, Sid to, const quorum::QuorumPacket&)> packet_filter;

  // --- used by SimServer ----------------------------------------------------------------------
  void send_notification(Sid from, Sid to, const quorum::Notification& n);
  void send_packet(Sid from, Sid to, const quorum::QuorumPacket& p, SimSnapshot snapshot);
  void dial(Sid from, Sid to);
  void hang_up(Sid from, Sid to);
  void close_all(Sid sid);
  quorum::PeerConfig config_for(Sid sid) const;
  // Invariant bookkeeping.
  void on_append(Sid sid, const LoggedTxn& txn);
  void on_apply(Sid sid, const LoggedTxn& txn, bool committed, int64_t digest,
                uint64_t sessions_hash);
  void on_role(Sid sid, const quorum::RoleChange& role);
  void on_drop_applied(Sid sid, const std::vector<LoggedTxn>& dropped);
  void on_sync_completed(Sid sid);
  void on_committed_client_write(Sid sid, const LoggedTxn& txn, int64_t session, int32_t cxid);
  std::string prep_body(state::Database& db, int64_t session, int32_t& op);
  int64_t next_session_id(Sid sid) { return (sid << 56) | ++session_counter_; }
  std::vector<int64_t>& sessions() { return sessions_; }
  [[noreturn]] void fail(const std::string& what);

 private:
  struct Datagram {
    int64_t at;
    Sid from, to;
    quorum::Notification n;
  };
  struct Frame {
    int64_t at;
    Sid from, to;
    quorum::QuorumPacket p;
    SimSnapshot snapshot;
  };
  struct Connection {  // learner <-> leader, two FIFO directions
    Sid a, b;
    std::deque<Frame> frames;
    bool connect_pending = true;
    int64_t connect_at = 0;
  };
  bool reachable(Sid from, Sid to) const;
  int64_t latency();
  void inject_faults();
  void deliver();
  void deliver_frames();
  Connection* find_connection(Sid a, Sid b);
  void close_connection(Sid a, Sid b);
  void check_invariants();
  void check_holds_committed(Sid sid, const char* what);
  void random_partition();

  uint64_t seed_;
  SimOptions options_;
  std::mt19937_64 io_rng_;
  std::mt19937_64 rng_;
  int64_t now_ = 0;
  uint64_t steps_ = 0;
  std::map<Sid, std::unique_ptr<SimServer>> servers_;
  std::map<Sid, int64_t> restart_at_;
  std::vector<Datagram> datagrams_;
  std::vector<Connection> connections_;
  std::set<std::pair<Sid, Sid>> blocked_;
  std::deque<std::string> trace_;
  // Invariants.
  std::map<Zxid, std::string> txn_by_zxid_;  // every txn ever logged: a zxid names one txn
  std::map<Zxid, std::string> committed_;    // the one committed history
  std::map<Zxid, std::pair<int64_t, uint64_t>> state_at_;  // digest, sessions hash
  std::map<int64_t, Sid> leader_of_epoch_;
  int64_t newest_epoch_ = 0;           // the newest epoch a server served in
  std::map<Zxid, std::string> acked_;  // acknowledged client writes
  std::vector<int64_t> sessions_;
  // Per server, for each sync in flight: the committed tip when it was issued. A completed
  // sync must leave the server at or past it.
  std::map<Sid, std::deque<Zxid>> syncs_;
  int64_t session_counter_ = 0;
  int32_t cxid_counter_ = 0;
  int64_t node_counter_ = 0;
};

// Runs one random seed to the end (steps, then settle); returns the failure message, if any.
// `commit_log_count` overrides the seed's committed log (a seed recorded before small ones
// existed ran with 500).
std::optional<std::string> run_seed(uint64_t seed, int steps, bool trace,
                                    std::string* trace_out = nullptr,
                                    std::optional<size_t> commit_log_count = std::nullopt);
SimOptions options_for_seed(uint64_t seed);

}  // namespace paddock::sim
