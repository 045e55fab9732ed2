#pragma once
// PipelineCore: request processing, steppable without a thread or a clock.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "pipeline/client_port.h"
#include "pipeline/connection_state.h"
#include "pipeline/orderer.h"
#include "pipeline/sasl_authenticator.h"
#include "pipeline/session_authority.h"
#include "state/database.h"
#include "state/session_tracker.h"
#include "util/rate_limited_log.h"

namespace paddock::pipeline {

struct PipelineOptions {
  int64_t server_id = 0;
  int32_t tick_ms = 2000;
  int32_t min_session_timeout_ms = 4000;
  int32_t max_session_timeout_ms = 40000;
  size_t global_outstanding_limit = 1000;  // requests in flight before reading pauses
  int64_t max_request_bytes = 0xfffff;     // jute.maxbuffer
  int64_t container_check_interval_ms = 60000;
  // A connection that has not sent its ConnectRequest by then is closed
  // (zookeeper.nio.sessionlessCnxnTimeout).
  int64_t sessionless_connection_timeout_ms = 10000;
  uint64_t password_secret = 0;                                     // keys session passwords
  std::string version;                                              // for srvr/stat/mntr
  std::vector<std::pair<std::string, std::string>> config_entries;  // for conf
  std::string data_dir;
  std::string data_log_dir;
  // Adds the figures of the parts around the pipeline (log, snapshots, network) to every
  // ServerSnapshot, on the pipeline thread; counter reads only. May be empty.
  std::function<void(ServerSnapshot&)> add_figures;
  // Whether clients are served from the start: a standalone server is; an ensemble member
  // serves only once it has joined an established leader (set_serving).
  bool serving_at_start = true;

  // Client authentication beyond AuthPacket (core_auth.cc).
  // SASL (op 102); null = not configured: op 102 is then answered OK with no token, as
  // ZooKeeper does.
  std::shared_ptr<SaslAuthenticator> sasl;
  // Where a step runs when nothing else of its connection is in flight (sasl_authenticator.h);
  // null: every step runs in the core, at once. Must outlive the core.
  SaslStepRunner* sasl_runner = nullptr;
  std::string sasl_super_user;             // zookeeper.superUser: that sasl id also gets super
  bool allow_sasl_failed_clients = false;  // zookeeper.allowSaslFailedClients
  // Non-empty (enforce.auth.enabled / sessionRequireClientSASLAuth): a connection holding no
  // id of these schemes gets SESSIONCLOSEDREQUIRESASLAUTH for any request but auth and sasl,
  // and is closed.
  std::vector<std::string> enforce_auth_schemes;
  // zookeeper.X509AuthenticationProvider.superUser: a TLS client whose certificate subject is
  // this DN also holds super.
  std::string x509_super_user;
};

// The moment an event is handled at: both clocks, read once by whoever drives the core.
struct Now {
  int64_t monotonic_ms = 0;  // session expiry, latency
  int64_t wall_ms = 0;       // stamped into txns, shown to users
};

// PipelineCore: request processing as a plain object. It turns client frames into reads
// (answered from applied state, after the connection's earlier writes) and writes (prepped
// into txns, handed to the Orderer, applied and answered once committed), keeps sessions
// alive and expires them, and delivers watch events before the replies that caused them.
//
// It owns no thread, lock or clock: whoever drives it calls handle(event, now) for each
// input, tick(now) when next_tick_ms() is due and end_turn() after a batch of events. Its
// outputs go to the two interfaces it is given: frames, closes and read pausing to the
// ClientChannel, txns to order to the Orderer. PipelineThread (pipeline_thread.h) drives it
// on paddockd's state-owning thread; tests and the simulator drive it directly, step by step.
class PipelineCore {
 public:
  struct Opened {
    ConnectionId conn;
    std::string ip;
    uint16_t port;
    std::string x509_subject;  // TLS with a client certificate: its subject (RFC 2253)
  };
  struct Frames {
    FrameBatch batch;
  };  // handled, then left empty for reuse
  struct Closed {
    ConnectionId conn;
  };
  struct SnapshotAsked {
    SnapshotRequest what;
    SnapshotCallback done;
  };
  struct ResetAsked {
    bool connections;
  };
  struct CommitsReady {};  // the Orderer's wake-up fired: take and apply what it committed
  struct Task {
    std::function<void()> run;
  };
  struct LogState {
    bool failed;
    std::string reason;
  };
  // Leader: a learner's client write, to prep and propose like one of ours (nobody here
  // answers it: the learner does when it commits).
  struct LearnerWrite {
    ForwardedWrite write;
  };
  // The result of a SASL step the SaslStepRunner ran for this connection.
  struct SaslStepDone {
    ConnectionId conn;
    SaslExchange::Step step;
  };
  using Event = std::variant<Opened, Frames, Closed, SnapshotAsked, ResetAsked, CommitsReady, Task,
                             LogState, LearnerWrite, SaslStepDone>;

  PipelineCore(PipelineOptions options, state::Database& db, Orderer& orderer,
               SessionAuthority& sessions, ClientChannel& channel);
  ~PipelineCore();
  PipelineCore(const PipelineCore&) = delete;
  PipelineCore& operator=(const PipelineCore&) = delete;

  // Registers the sessions found in recovered state (their timeouts restart at `now`).
  void start(Now now);
  void handle(Event& event, Now now);
  // Session expiry, sessionless connections, container clean-up.
  void tick(Now now);
  // When tick() is next due (monotonic ms).
  int64_t next_tick_ms() const { return next_tick_ms_; }
  // Sends what this turn's events produced, as one batch.
  void end_turn() { flush_outbound(); }

  // The txn log failed (disk full, I/O error) or works again. While it has failed, writes
  // are answered with NOTREADONLY at once -- as a read-only ZooKeeper server answers them --
  // reads go on, new sessions are refused and sessions do not expire. Entering that state
  // answers every write that was not logged (core_log_state.cc).
  void on_log_state(const LogState& state);

  // --- driven by an ensemble member's adapter, from a task on the driving thread ----------
  // Whether this server serves clients (a learner synced with its leader, an established
  // leader). Stopping closes every client connection, as ZooKeeper does when its server
  // shuts down for an election -- clients reconnect elsewhere with their sessions -- and
  // forgets every request in flight; until serving starts again a ConnectRequest is
  // answered by closing the connection. Starting registers the tree's sessions with the
  // session authority (their timeouts restart now): the tree may have been reloaded.
  void set_serving(bool serving, Now now);
  bool serving() const { return serving_; }
  // Applies what the Orderer committed now, rather than on the next CommitsReady: the
  // adapter must see the state after a batch of commits (a SNAP is that state).
  void take_commits(Now now);
  // Fills the ensemble's part of a ServerSnapshot (mode, role figures), on this thread.
  using SnapshotFiller = std::function<void(ServerSnapshot&)>;
  void set_snapshot_filler(SnapshotFiller filler) { snapshot_filler_ = std::move(filler); }

 private:
  void set_now(Now now);
  void register_tree_sessions();
  void on_opened(Opened& opened);
  void on_reset(const ResetAsked& reset);

  // Requests (pipeline_core.cc)
  void on_frames(FrameBatch& batch);
  void on_frame(ConnectionState& conn, std::string_view frame);
  void on_request(ConnectionState& conn, std::string_view frame);
  void submit_write(ConnectionState& conn, PendingRequest request);
  void answer_read(ConnectionState& conn, const RequestView& request);
  void answer_special(ConnectionState& conn, const RequestView& request);
  void drain_ready_reads(ConnectionState& conn);
  void submit_sync(ConnectionState& conn, PendingRequest request);
  void forward_write(ConnectionState& conn, PendingRequest request);
  void prep_learner_write(const ForwardedWrite& write);
  void answer_completed_syncs();
  void apply_committed();
  void apply_one(proto::Txn& txn);
  ConnectionState* origin_of(const proto::Txn& txn);
  state::Request make_request(const ConnectionState& conn, const RequestView& pending) const;
  void reply(ConnectionState& conn, const RequestView& request, int64_t zxid, proto::Err err,
             std::string_view body);
  void deliver_events(const std::vector<state::WatchEvent>& events);
  void send_frame(ConnectionId conn, std::string_view frame);
  // The batch replies and events go into this turn; sent by flush_outbound().
  OutboundBatch& outbound();
  void flush_outbound();
  void close_connection(ConnectionState& conn);
  void forget_connection(ConnectionId id);
  void update_back_pressure(ConnectionState& conn);
  void resume_paused_connections();

  // Sessions (core_sessions.cc)
  void on_connect_request(ConnectionState& conn, std::string_view frame);
  void accept_new_session(ConnectionState& conn, int32_t timeout_ms);
  void resume_session(ConnectionState& conn, int64_t session_id, const std::string& passwd,
                      int32_t timeout_ms);
  void finish_resume(ConnectionId id, int64_t session_id, bool alive);
  void establish(ConnectionState& conn, int64_t session_id);
  // Handles the frames held while connecting or during a SASL step, in order, until one of
  // them starts another step elsewhere (the rest stay held) or the connection closes.
  void release_held_frames(ConnectionState& conn);
  void refuse_session(ConnectionState& conn);
  void close_session_connection(int64_t session_id);
  void send_connect_response(ConnectionState& conn);
  void on_session_created(const proto::Txn& txn, ConnectionState* origin);
  void on_session_closed(const proto::Txn& txn);
  void expire_sessions(int64_t now_ms);
  void close_sessionless_connections(int64_t now_ms);
  void clean_containers(int64_t wall_now_ms);
  void propose_server_txn(proto::Txn txn);

  // Authentication (core_auth.cc)
  void answer_auth_packet(ConnectionState& conn, const RequestView& request);
  void answer_sasl(ConnectionState& conn, const RequestView& request);
  void on_sasl_step_done(SaslStepDone& done);
  void finish_sasl_step(ConnectionState& conn, const RequestView& request,
                        SaslExchange::Step& step);
  void fail_sasl(ConnectionState& conn, const RequestView& request, const std::string& why);
  void add_auth_id(ConnectionState& conn, proto::Id id);
  // Whether enforced authentication lets this request through (if not, it was answered with
  // SESSIONCLOSEDREQUIRESASLAUTH and the connection is closing).
  bool passes_enforced_auth(ConnectionState& conn, const RequestView& request);

  // Log failure (core_log_state.cc)
  void refuse_write(ConnectionState& conn, const RequestView& request);

  // Introspection (core_introspection.cc)
  std::shared_ptr<const ServerSnapshot> take_snapshot(const SnapshotRequest& what) const;

  PipelineOptions options_;
  state::Database& db_;
  Orderer& orderer_;
  ClientChannel& channel_;
  SessionAuthority& sessions_;
  int64_t next_session_id_ = 0;

  std::unordered_map<ConnectionId, ConnectionState> connections_;
  std::unordered_map<int64_t, ConnectionId> session_connection_;  // session -> its connection
  // Outbound batches: the one being filled, and all of them (reused once the channel has
  // released them).
  OutboundBatch* outbound_ = nullptr;
  std::vector<std::unique_ptr<OutboundBatch>> outbound_pool_;
  // The clocks as of the event being handled (one reading per turn of the driver).
  int64_t now_ms_ = 0;
  int64_t wall_now_ms_ = 0;
  // Lines about a client's bad input (malformed handshakes and headers, unknown sessions),
  // at most 10 per client address a minute (of now_ms_).
  util::RateLimitedLog bad_input_log_;
  int64_t next_tick_ms_ = 0;
  size_t outstanding_ = 0;
  std::vector<ConnectionId> paused_connections_;
  std::deque<ConnectionId> syncs_in_flight_;  // connections whose sync the leader answers next
  std::deque<std::pair<int64_t, ConnectionId>> awaiting_handshake_;  // (opened at, conn)
  int64_t next_container_check_ms_ = 0;
  uint64_t packets_received_ = 0;
  uint64_t connection_requests_ = 0;  // ConnectRequests handled (connection_request_count)
  uint64_t sessions_expired_ = 0;     // sessions this server expired (stale_sessions_expired)
  uint64_t packets_sent_ = 0;
  LatencyStats latency_;
  ValueHistogram read_latency_ms_;  // see ServerSnapshot
  ValueHistogram update_latency_ms_;
  ValueHistogram frames_per_batch_;
  ValueHistogram frames_per_turn_;
  uint64_t pipeline_turns_ = 0;
  bool writes_refused_ = false;  // the txn log failed: see on_log_state
  bool serving_ = true;          // see set_serving
  SnapshotFiller snapshot_filler_;
};

}  // namespace paddock::pipeline
