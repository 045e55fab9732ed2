#pragma once
// ZooKeeper 3.8's quorum SASL on one peer connection, after TLS and before the port's own
// stream: the dialing side is the SASL client ("learner"), the accepting side the server.
//
//   quorum port:   learner: auth packets first, then FOLLOWERINFO/OBSERVERINFO
//   election port: initiator: connection initiation, auth packets, then (after the sid
//                  tie-break, which comes only once the exchange is over) notifications
//   accepting side, with quorum.auth.enableSasl: reads 8 bytes and compares them with the
//   magic; anything else is handed back to the port's decoder (a peer that does not
//   authenticate), or refused with serverRequireSasl. Then IN_PROGRESS challenges, SUCCESS
//   with the last server token (null: -1) or ERROR with an empty one.
//
// Both run asynchronously on the socket's io thread; an exchange step that may block
// (Kerberos) runs on the IoThread's helper thread (IoThread::run_blocking). Every read of
// the exchange (the peek included) must complete within QuorumSaslOptions::read_timeout.
// The lines logged quote ZooKeeper's own, so one grep finds both servers' refusals.
#include <functional>
#include <memory>
#include <string>

#include "peer/io_thread.h"
#include "peer/peer_authenticator.h"
#include "peer/peer_socket.h"

namespace paddock::peer {

enum class PeerPort { kElection, kQuorum };

struct QuorumSaslOutcome {
  // Non-empty: close the connection (logged already). Empty: go on, authenticated or not.
  std::string error;
  bool authenticated = false;  // an exchange ended with SUCCESS
  std::string peer_id;         // accepting side, authenticated: the learner's authorized id
  // Bytes read that belong to the port's own stream (an accepting side's peek at a peer that
  // sent no auth packet, with anything read before it): feed them to its decoder first.
  std::string unread;
};

// Whether a dialing side runs the exchange: enableSasl and learnerRequireSasl. With
// enableSasl alone it logs that it skips, once per connection, as ZooKeeper's learner does.
bool learner_authenticates(const QuorumSaslOptions& sasl, PeerPort port);

// The dialing side. `peer_host`: the host of the peer's server.N line. `prefix` goes out in
// the same write as the first auth packet (the election port's connection initiation).
// `keep_alive` is held until `done` ran (it may own `socket`). Call on the socket's io
// thread, only when learner_authenticates().
void async_quorum_sasl_learner(PeerSocket& socket, const QuorumSaslOptions& sasl, PeerPort port,
                               IoThread& io, std::string peer_host, std::string prefix,
                               std::shared_ptr<void> keep_alive,
                               std::function<void(QuorumSaslOutcome)> done);

// The accepting side. `already_read`: the peer's bytes read past what the port consumed
// before (the election port reads the initiation in chunks). With SASL off it calls `done`
// at once with them as `unread`.
void async_quorum_sasl_server(PeerSocket& socket, const QuorumSaslOptions& sasl, PeerPort port,
                              IoThread& io, std::string already_read,
                              std::shared_ptr<void> keep_alive,
                              std::function<void(QuorumSaslOutcome)> done);

}  // namespace paddock::peer
