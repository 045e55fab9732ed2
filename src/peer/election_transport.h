#pragma once
// The election port over TCP, with ZooKeeper 3.8's connection rules (ZK-FORMATS.md section 1):
// - every server dials every peer and sends the connection initiation first;
// - a dialer with the lower sid sends the initiation and closes; an acceptor with the higher
//   sid closes the inbound socket and dials back: only a connection dialed by the higher sid
//   carries notifications;
// - a new connection to a peer replaces the old one;
// - on a new connection, with nothing queued for that peer, the last notification sent to it
//   is sent again (so expect duplicates, as from ZooKeeper);
// - lost connections are dialed again with a doubling back-off.
// A send to the transport's own sid is delivered straight back (ZooKeeper loops it too).
// With quorum SASL (options.tls.sasl) a dialer authenticates right after its initiation and
// an acceptor reads the exchange before the sid rules apply, as ZooKeeper's
// QuorumCnxManager: every connection is authenticated, the ones about to be dropped too.
//
// Threads: the transport runs on its own IoThread. send() may be called from any thread; the
// handler is called on the transport's thread (so it must be safe to call from a thread that
// is not the caller's, and must not block).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "peer/peer_socket.h"
#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::peer {

struct ElectionPeer {
  quorum::Sid sid = 0;
  std::string host;  // a name or an IP address
  uint16_t port = 0;
  // A participant (in ZooKeeper's voting view). With quorum SASL a dialer authenticates only
  // to these, as ZooKeeper's initiator does (it skips peers missing from its voting view).
  bool voting = true;
};

struct ElectionTransportOptions {
  quorum::Sid my_sid = 0;
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 0;  // 0: an ephemeral port (tests)
  // The address sent in the initiation ("host:port"); empty: listen host and actual port.
  std::string advertised_address;
  // Notifications waiting for one peer. ZooKeeper keeps one (SEND_CAPACITY): a newer vote
  // replaces an older one that was never sent. Past it the oldest is dropped.
  size_t max_queued_per_peer = 1;
  std::chrono::milliseconds connect_timeout{5000};  // cnxTimeout
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // Inbound connections still sending their initiation, at most.
  size_t max_pending_inbound = 64;
  // Called on the transport's thread when a peer gains its connection that carries
  // notifications (true) or loses it (false). Optional.
  std::function<void(quorum::Sid sid, bool up)> on_link_change;
  // TLS (sslQuorum) and portUnification, as on the quorum port; quorum SASL (tls.sasl).
  PeerSecurity tls;
};

// What the transport has done so far (for tests and metrics).
struct ElectionTransportStats {
  uint64_t dials = 0;               // connections dialed
  uint64_t accepted = 0;            // connections accepted
  uint64_t dial_backs = 0;          // inbound from a lower sid: closed and dialed back
  uint64_t rejected_inits = 0;      // bad initiations
  uint64_t failed_handshakes = 0;   // TLS handshakes (or detections) that failed, both sides
  uint64_t authenticated = 0;       // quorum SASL exchanges that ended in SUCCESS, both sides
  uint64_t failed_auths = 0;        // connections dropped by quorum SASL, both sides
  uint64_t malformed_messages = 0;  // notifications that did not decode (skipped)
  uint64_t notifications_received = 0;
  uint64_t notifications_sent = 0;
  size_t live_peers = 0;  // peers with a connection carrying notifications
};

class ElectionTransport {
 public:
  using Handler = std::function<void(quorum::Sid from, const quorum::Notification&)>;

  // Binds the listener (so port() is known) without dialing anyone yet.
  static Result<std::unique_ptr<ElectionTransport>> open(ElectionTransportOptions options,
                                                         Handler handler);
  ~ElectionTransport();  // stop()

  uint16_t port() const;
  // Starts accepting and dials every peer (the own sid, if listed, is skipped). Once.
  void start(std::vector<ElectionPeer> peers);
  // Queues `n` for `to` (thread-safe, never blocks). An unknown sid with no connection is
  // dropped with a log line.
  void send(quorum::Sid to, const quorum::Notification& n);
  ElectionTransportStats stats() const;  // thread-safe (asks the io thread); empty once stopped
  // Closes every connection and joins the thread. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit ElectionTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace paddock::peer
