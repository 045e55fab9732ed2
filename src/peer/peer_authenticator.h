#pragma once
// The seam between the peer ports and a SASL implementation, for ZooKeeper 3.8's quorum SASL
// (quorum.auth.*): Cyrus SASL in paddockd (sasl/quorum_authenticator.h), a scripted fake in
// the tests. peer/ carries the tokens (QuorumAuthPacket, quorum_sasl.h) and applies
// ZooKeeper's rules around them; what a token means is the authenticator's business.
//
// The side that dials (a learner on the quorum port, the initiator on the election port) is
// the SASL client; the side that accepts is the SASL server. One exchange per connection.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "util/rate_limited_log.h"

namespace paddock::peer {

struct PeerAuthStep {
  enum class Status { kContinue, kComplete, kFailed };
  Status status = Status::kFailed;
  // What to send the peer; nullopt: the mechanism produced nothing (a server writes that as a
  // null token, a learner as an empty one, as ZooKeeper's peers expect).
  std::optional<std::string> token;
  std::string error;    // kFailed: why, for the log (never sent)
  std::string peer_id;  // server side, kComplete: the authorized id (for the log)
};

class PeerAuthExchange {
 public:
  virtual ~PeerAuthExchange() = default;
  // "DIGEST-MD5", "GSSAPI": for log lines.
  virtual std::string mechanism() const = 0;
  // Whether step() may wait on the network or a disk (Kerberos: the KDC, a keytab). The
  // transports then call it on their io thread's helper thread (IoThread::run_blocking), so
  // that it stalls no peer's traffic; otherwise on the io thread itself.
  virtual bool step_may_block() const = 0;
  // Learner: first with nullopt (the initial response), then with each server token.
  // Server: with each learner token (nullopt: the learner sent a null one).
  // Never called again after kComplete or kFailed; calls are never concurrent.
  virtual PeerAuthStep step(const std::optional<std::string>& input) = 0;
};

class PeerAuthenticator {
 public:
  virtual ~PeerAuthenticator() = default;
  // The dialing side's exchange with the server whose server.N line names `peer_host` (the
  // host Kerberos' _HOST stands for).
  virtual std::unique_ptr<PeerAuthExchange> learner(const std::string& peer_host) = 0;
  // The accepting side's exchange with a learner connected from `peer_address` (ip:port).
  virtual std::unique_ptr<PeerAuthExchange> server(const std::string& peer_address) = 0;
};

// ZooKeeper's quorum.auth.* switches for one port, as the transports apply them.
struct QuorumSaslOptions {
  // Null: quorum.auth.enableSasl=false -- a dialer sends no auth packet, an acceptor does not
  // look for one (the peer's first bytes go straight to the port's own decoder).
  std::shared_ptr<PeerAuthenticator> authenticator;
  // quorum.auth.learnerRequireSasl: the dialing side authenticates; when false it skips
  // (logs so) and an acceptor still takes a peer that does authenticate.
  bool learner_require_sasl = false;
  // quorum.auth.serverRequireSasl: the accepting side drops a peer that sends no auth packet
  // or fails; when false it lets both through (a rolling upgrade's middle steps).
  bool server_require_sasl = false;
  // Each read of the exchange, as ZooKeeper's SO_TIMEOUT on the socket: tickTime x syncLimit
  // (or zookeeper.quorumCnxnTimeoutMs) on the election port, tickTime x initLimit on the
  // quorum port.
  std::chrono::milliseconds read_timeout{10000};
  // A token longer than this ends the exchange: jute.maxbuffer + extrasize, as ZooKeeper reads
  // (the defaults' sum, kZkPeerMaxBuffer, unless configured).
  size_t max_token_bytes = 0xfffff + 0xfffff;
  // Exchange rounds, at most: a server answers ERROR instead of a 6th challenge (ZooKeeper's
  // MAX_RETRIES); a learner gives up after this many server packets.
  int max_server_challenges = 5;
  int max_learner_rounds = 16;
  // Lines about refused peers, at most 10 per peer address a minute (shared by both ports).
  std::shared_ptr<util::RateLimitedLog> refusals = std::make_shared<util::RateLimitedLog>();

  bool enabled() const { return authenticator != nullptr; }
};

}  // namespace paddock::peer
