#pragma once
// The seam between the pipeline core and a SASL implementation (Cyrus SASL in paddockd,
// sasl/cyrus_authenticator.h; a scripted fake in the core's tests). ZooKeeper's SASL is
// op 102: the client sends GetSASLRequest{token}, the server answers SetSASLResponse{token}
// until the mechanism completes; then the connection holds the id `sasl:<authorized id>`.
//
// The exchange is stateful per connection, so the core keeps one SaslExchange in each
// connection's state (created on the first op 102, dropped with the connection). The core
// stays what docs/architecture.md says it is -- no thread, lock or clock of its own, and
// deterministic for a deterministic authenticator -- because everything stateful or
// random (nonces, keytab reads) is behind this interface.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pipeline/server_snapshot.h"  // ConnectionId

namespace paddock::pipeline {

class SaslExchange {
 public:
  virtual ~SaslExchange() = default;

  struct Step {
    enum class Status { kContinue, kComplete, kFailed };
    Status status = Status::kFailed;
    std::string token;          // for the client (may be empty, also when complete)
    std::string authorized_id;  // when complete: the id of scheme "sasl"
    std::string error;          // when failed: why, for the log (never sent to the client)
  };
  // One client token in, the server's answer out. After kComplete or kFailed the core
  // does not call step() again.
  virtual Step step(std::string_view client_token) = 0;
};

class SaslAuthenticator {
 public:
  virtual ~SaslAuthenticator() = default;
  // A new exchange for one connection (the addresses are for mechanisms that bind them).
  virtual std::unique_ptr<SaslExchange> start(std::string_view peer_ip, uint16_t peer_port) = 0;
};

// Where a connection's SASL step runs when nothing else of that connection is in flight.
// A GSSAPI step reads the keytab and decrypts the client's ticket: 0.5-1 ms, measured with
// Cyrus and MIT krb5, during which the thread that serves every client would serve none.
// paddockd runs such steps on a worker (pipeline/sasl_worker.h) that hands each result
// back as a PipelineCore::SaslStepDone event; the core holds the connection's later frames
// until then, so they are answered in order and with the id the exchange gave. Without a
// runner (the core's tests, the simulator) the core runs every step itself, at once.
class SaslStepRunner {
 public:
  virtual ~SaslStepRunner() = default;
  // Runs exchange->step(client_token) elsewhere; its result comes back for `conn`. The
  // runner keeps `exchange` alive until then, even if the connection closes meanwhile.
  virtual void run(ConnectionId conn, std::shared_ptr<SaslExchange> exchange,
                   std::string client_token) = 0;
};

}  // namespace paddock::pipeline
