#pragma once
// EnsembleMember: the adapter that makes paddockd one server of a replicated ensemble. It
// drives the ZAB core (quorum::QuorumPeer) on the state-owning (pipeline) thread and is, for
// the pipeline, its Orderer and (through MemberSessions) its SessionAuthority:
//
//   election port (peer::ElectionTransport) --+
//   quorum port   (QuorumLinks)             ---+--> posted tasks --> QuorumPeer --> Ready
//   log writer durable (DurableDatabase)    ---+    (pipeline thread)          carried out here
//   tick timer                              ---+
//
// Every input is a task on the pipeline thread, so the core, the tree and the durable
// database are touched by one thread only. After each input the core's Readys are carried
// out in the order src/quorum/README.md prescribes: epoch files -> TRUNC/reload/SNAP ->
// append to the log -> apply commits through the pipeline (which answers clients and fires
// watches) -> send -> roles (serving or not), learners' writes (prepped by the leader's
// pipeline), touches, revalidations, syncs.
//
// Calls the pipeline makes into the Orderer (propose, forward, ...) run in the middle of
// its own event handling, so they never carry out a Ready themselves: they post a drain.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "durable/durable_database.h"
#include "ensemble/diff_reader.h"
#include "ensemble/ensemble_figures.h"
#include "ensemble/member_sessions.h"
#include "ensemble/quorum_links.h"
#include "ensemble/snap_body_maker.h"
#include "peer/election_transport.h"
#include "peer/io_thread.h"
#include "peer/peer_authenticator.h"
#include "pipeline/orderer.h"
#include "pipeline/pipeline_thread.h"
#include "pipeline/server_snapshot.h"
#include "quorum/quorum_peer.h"
#include "state/database.h"
#include "util/result.h"

namespace paddock::ensemble {

struct MemberAddress {
  std::string host;
  uint16_t quorum_port = 0;
  uint16_t election_port = 0;
};

// TLS between servers (sslQuorum, portUnification, the ssl.quorum.* keys): on both the
// election and the quorum port.
struct QuorumTlsOptions {
  bool ssl_quorum = false;
  bool port_unification = false;
  bool reload_cert_files = false;  // sslQuorumReloadCertFiles: pick up rotated store files
  tls::TlsSettings settings;
  std::chrono::milliseconds handshake_timeout{5000};
};

// Quorum SASL between servers (quorum.auth.*): on both the election and the quorum port,
// after TLS. Off unless enable_sasl.
struct QuorumSaslMemberOptions {
  bool enable_sasl = false;
  bool learner_require_sasl = false;
  bool server_require_sasl = false;
  // Makes the authenticator when open() runs (Cyrus in paddockd: it reads the JAAS sections);
  // an error stops the start.
  std::function<Result<std::shared_ptr<peer::PeerAuthenticator>>()> make_authenticator;
  // ZooKeeper's socket timeouts, which every read of the exchange must meet: tickTime x
  // syncLimit on the election port (zookeeper.quorumCnxnTimeoutMs when > 0), tickTime x
  // initLimit on the quorum port.
  std::chrono::milliseconds election_read_timeout{10000};
  std::chrono::milliseconds quorum_read_timeout{20000};
  size_t max_token_bytes = 0xfffff + 0xfffff;  // jute.maxbuffer + extrasize
};

struct MemberOptions {
  quorum::PeerConfig peer;                        // sid, members, tickTime, limits, config text
  std::map<quorum::Sid, MemberAddress> members;   // every server.N line, this one included
  std::string listen_host;                        // bind host of both ports (all IPs: 0.0.0.0)
  std::chrono::milliseconds connect_timeout{5000};  // zookeeper.cnxTimeout
  int64_t tick_interval_ms = 20;                  // how often the core is ticked
  int64_t config_version = 0;                     // /zookeeper/config's mzxid
  // zookeeper.electionPortBindRetry: binds of the election port tried, a second apart,
  // before start-up fails (0: until it works), as ZooKeeper's listener retries.
  int32_t election_bind_attempts = 3;
  std::chrono::milliseconds election_bind_interval{1000};
  QuorumTlsOptions quorum_tls;
  QuorumSaslMemberOptions quorum_sasl;
  // A leader's SNAP body of a tree with at least this many nodes is serialized by a forked
  // child while the pipeline goes on (snap_body_maker.h); smaller ones on the spot
  // (paddock.snap.forkMinNodes; 0: always fork).
  size_t snap_fork_min_nodes = 10000;
};

class EnsembleMember final : public pipeline::Orderer, public QuorumLinks::Handler {
 public:
  // `db` and `durable` must outlive this object; `durable` has recovered `db`.
  EnsembleMember(MemberOptions options, state::Database& db, durable::DurableDatabase& durable);
  ~EnsembleMember() override;
  EnsembleMember(const EnsembleMember&) = delete;
  EnsembleMember& operator=(const EnsembleMember&) = delete;

  pipeline::SessionAuthority& sessions() { return sessions_; }

  // Binds the election and quorum ports (a taken port fails start-up here) and writes this
  // ensemble's config into /zookeeper/config. Before start().
  Status open();
  // What made open() fail, for the exit code: the peer ports, the TLS stores, or the quorum
  // SASL (JAAS) settings.
  enum class OpenFailure { kNone, kListen, kTls, kAuth };
  OpenFailure open_failure() const { return open_failure_; }
  // Builds the core from the recovered state and epochs and starts talking: the election,
  // the quorum port, the tick. `pipeline` has been started and must outlive this object.
  void start(pipeline::PipelineThread& pipeline);
  // Stops the network and the tick; nothing is posted to the pipeline once it returns, and
  // tasks already posted do nothing. Call after the pipeline thread has stopped. Idempotent.
  void stop();

  // Log writer's thread: every txn up to `zxid` is durable.
  void on_durable(int64_t zxid);
  // Any thread: the txn log failed. A member cannot vouch for its log any more; it stops
  // (see the .cc).
  void on_log_failed(const std::string& reason);

  // Orderer (pipeline thread)
  int64_t allocate_zxid() override;
  int64_t last_allocated_zxid() const override { return last_allocated_; }
  void propose(proto::Txn txn) override;
  std::vector<proto::Txn> take_committed() override;
  size_t in_flight() const override { return in_flight_; }
  // Commits are handed to the pipeline directly (PipelineCore::take_commits), within the
  // Ready that carries them: no wake-up is needed.
  void set_wakeup(std::function<void()> /*wakeup*/) override {}
  bool syncs_immediately() const override { return leading(); }
  bool prepares_writes() const override { return leading(); }
  void forward(pipeline::ForwardedWrite write) override;
  void request_sync(pipeline::ForwardedWrite sync) override;
  size_t take_completed_syncs() override;

  // The ensemble's part of srvr/mntr/admin (pipeline thread).
  void fill_snapshot(pipeline::ServerSnapshot& snapshot) const;
  uint16_t election_port() const;
  uint16_t quorum_port() const;

 private:
  OpenFailure open_failure_ = OpenFailure::kNone;
  Result<peer::PeerTls> peer_tls() const;  // from options_.quorum_tls
  // From options_.quorum_sasl, for the port whose socket timeout is `read_timeout`; the
  // authenticator is made once and shared by both ports.
  Result<peer::QuorumSaslOptions> peer_sasl(std::chrono::milliseconds read_timeout);
  class TreeSize;
  // QuorumLinks::Handler (pipeline thread)
  void on_quorum_packet(quorum::Sid from, quorum::QuorumPacket packet) override;
  void on_quorum_packets_done() override;
  void on_quorum_connected(quorum::Sid peer) override;
  void on_quorum_disconnected(quorum::Sid peer) override;
  bool leading() const;
  void post(std::function<void()> task);
  void schedule_drain();
  void drain();
  void carry_out(quorum::Ready& r);
  void apply_roles(const std::vector<quorum::RoleChange>& roles);
  void handle_requests(std::vector<quorum::LearnerRequest>& requests);
  void send_packets(std::vector<quorum::OutgoingPacket>& packets);
  void load_snapshot(quorum::Zxid zxid);
  void reload_from_disk(const char* why);
  void take_commits();
  void remember_decoded(proto::Txn txn);
  proto::Txn take_decoded(quorum::LoggedTxn& txn);
  void set_config_node();
  void start_tick();
  void arm_tick();
  [[noreturn]] void fatal(const std::string& what);
  pipeline::Now now() const;

  MemberOptions options_;
  state::Database& db_;
  durable::DurableDatabase& durable_;
  MemberSessions sessions_;
  std::unique_ptr<TreeSize> tree_size_;
  std::unique_ptr<quorum::QuorumPeer> core_;
  std::atomic<pipeline::PipelineThread*> pipeline_{nullptr};

  // Network.
  std::unique_ptr<peer::IoThread> io_;
  std::unique_ptr<peer::ElectionTransport> election_;
  std::unique_ptr<QuorumLinks> links_;
  std::unique_ptr<asio::steady_timer> tick_timer_;
  std::shared_ptr<peer::PeerAuthenticator> quorum_authenticator_;  // quorum SASL, or null

  // Pipeline thread.
  bool drain_posted_ = false;
  bool draining_ = false;
  int64_t last_allocated_ = 0;
  bool allocation_failed_ = false;  // the core refused the last zxid: drop its txn
  size_t in_flight_ = 0;            // proposals not yet committed (leader)
  int64_t last_proposal_size_ = -1;  // for mntr, as ZooKeeper's ProposalStats
  int64_t min_proposal_size_ = -1;
  int64_t max_proposal_size_ = -1;
  EnsembleFigures figures_;  // ZooKeeper's replication metrics
  SnapBodyMaker snap_bodies_{options_.snap_fork_min_nodes};  // SNAP bodies (forked if large)
  DiffReader diff_reader_;  // DIFFs from the log files, read off the pipeline thread
  std::vector<std::pair<quorum::Sid, std::string>> voting_members_;  // voting_view
  std::vector<proto::Txn> committed_;
  // Txns decoded once already, in zxid order: the leader's own proposals (it built them) and a
  // learner's PROPOSALs and INFORMs (decoded on receipt to refuse a bad one), so that a commit
  // does not decode its txn a second time. A zxid names one txn in ZAB; entries the commits
  // pass by (truncated, never committed) are dropped then, and all on a role change or reload.
  std::deque<proto::Txn> decoded_;
  size_t completed_syncs_ = 0;
  std::optional<std::string> pending_snapshot_;  // the body that came with SNAP
  std::set<quorum::Sid> election_links_;          // peers with a live election connection
  quorum::RoleChange role_;
  std::atomic<bool> stopping_{false};  // any thread: no more posts
};

}  // namespace paddock::ensemble
