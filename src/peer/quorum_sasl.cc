#include "peer/quorum_sasl.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/steady_timer.hpp>

#include "peer/quorum_auth_codec.h"

namespace paddock::peer {
namespace {

constexpr size_t kMaxReadChunk = 64 * 1024;

std::string_view port_name(PeerPort port) {
  return port == PeerPort::kElection ? "election" : "quorum";
}

// One exchange on one connection. Whatever ends it (the exchange, a read error, the read
// timeout) calls `done`, once; the steps in between run on the socket's io thread, except
// the exchange's own steps when they may block (on the helper thread, then back).
struct Driver : std::enable_shared_from_this<Driver> {
  using Next = void (Driver::*)();

  Driver(PeerSocket& s, const QuorumSaslOptions& o, PeerPort p, IoThread& i, bool learner_side,
         std::shared_ptr<void> keep, std::function<void(QuorumSaslOutcome)> d)
      : socket(s),
        sasl(o),
        port(p),
        io(i),
        learner(learner_side),
        keep_alive(std::move(keep)),
        done(std::move(d)),
        timer(s.tcp().get_executor()) {
    std::error_code ec;
    const auto remote = socket.tcp().remote_endpoint(ec);
    ip = ec ? std::string("?") : remote.address().to_string();
    addr = ec ? std::string("?") : fmt::format("{}:{}", ip, remote.port());
  }

  PeerSocket& socket;
  QuorumSaslOptions sasl;
  PeerPort port;
  IoThread& io;
  bool learner;
  std::shared_ptr<void> keep_alive;
  std::function<void(QuorumSaslOutcome)> done;
  asio::steady_timer timer;
  std::string ip;
  std::string addr;  // ip:port of the peer

  std::string in;               // read, not consumed yet
  std::string chunk;            // the read under way
  std::string out;              // the write under way
  bool reading_packet = false;  // the timer covers the packet being read
  uint64_t timer_generation = 0;  // which arming of the timer is the current one
  bool timed_out = false;
  bool finished = false;
  std::unique_ptr<PeerAuthExchange> exchange;
  PeerAuthStep result;
  QuorumAuthPacket packet;  // the last one read
  int packets_read = 0;
  int challenges = 0;            // server: IN_PROGRESS packets sent
  bool may_send_error = false;   // server: ZooKeeper answers ERROR once the first packet came
  bool client_complete = false;  // learner: its mechanism completed
  int32_t answering = 0;         // learner: the status of the packet being answered
  std::string prefix;            // learner: written with the first packet

  // --- reading -------------------------------------------------------------------------
  // Calls `next` once `in` holds `n` bytes. The whole packet must come within read_timeout:
  // the timer started by its first byte runs on through the reads of its header and token
  // (each `need` of one packet), until packet_read() stops it.
  void need(size_t n, Next next) {
    if (in.size() >= n) {
      (this->*next)();
      return;
    }
    if (!reading_packet) {
      reading_packet = true;
      // A timer that expired just before packet_read() cancelled it still runs its handler,
      // with success: the generation tells it apart from the timer of the read now under way.
      const uint64_t generation = ++timer_generation;
      timer.expires_after(sasl.read_timeout);
      timer.async_wait([self = shared_from_this(), generation](std::error_code ec) {
        if (ec || self->finished || !self->reading_packet ||
            generation != self->timer_generation) {
          return;
        }
        self->timed_out = true;
        std::error_code ignored;
        self->socket.tcp().cancel(ignored);  // the read ends with operation_aborted
      });
    }
    chunk.resize(std::min(n - in.size(), kMaxReadChunk));
    socket.async_read_some(asio::buffer(chunk),
                           [self = shared_from_this(), n, next](std::error_code ec, size_t got) {
                             if (self->finished) return;
                             if (ec) {
                               self->timer.cancel();
                               self->reading_packet = false;
                               self->read_failed(ec);
                               return;
                             }
                             self->in.append(self->chunk.data(), got);
                             self->need(n, next);
                           });
  }

  void read_failed(std::error_code ec) {
    std::string why = timed_out ? fmt::format("no SASL packet within {} ms (read timed out)",
                                              sasl.read_timeout.count())
                      : ec == asio::error::eof ? std::string("EOF: closed by the peer")
                                               : "read failed: " + ec.message();
    failed(why);
  }

  void read_packet() { need(kQuorumAuthHeaderBytes, &Driver::on_packet_bytes); }

  // The packet being read is whole: its read timer stops.
  void packet_read() {
    timer.cancel();
    reading_packet = false;
  }

  void on_packet_bytes() {
    size_t consumed = 0;
    size_t needed = 0;
    auto decoded = decode_quorum_auth_packet(in, sasl.max_token_bytes, &consumed, &needed);
    if (!decoded) {
      failed(decoded.error());
      return;
    }
    if (!*decoded) {
      need(needed, &Driver::on_packet_bytes);
      return;
    }
    packet_read();
    packet = std::move(**decoded);
    in.erase(0, consumed);
    ++packets_read;
    if (learner) {
      on_server_packet();
    } else {
      on_learner_packet();
    }
  }

  // --- writing and stepping ---------------------------------------------------------------
  void write(std::string bytes, Next next) {
    out = std::move(bytes);
    socket.async_write(asio::buffer(out),
                       [self = shared_from_this(), next](std::error_code ec, size_t) {
                         if (self->finished) return;
                         if (ec) {
                           self->may_send_error = false;
                           self->failed("write failed: " + ec.message());
                           return;
                         }
                         (*self.*next)();
                       });
  }

  void run_step(std::optional<std::string> input) {
    if (!exchange->step_may_block()) {
      result = exchange->step(input);
      on_step();
      return;
    }
    auto self = shared_from_this();
    const bool queued = io.run_blocking(
        [self, input = std::move(input)] { self->result = self->exchange->step(input); },
        [self] {
          if (!self->finished) self->on_step();
        });
    if (!queued) failed("too many SASL exchanges waiting for the Kerberos helper thread");
  }

  void on_step() {
    if (learner) {
      on_learner_step();
    } else {
      on_server_step();
    }
  }

  // --- the accepting side (ZooKeeper's SaslQuorumAuthServer) ------------------------------
  void start_server() {
    if (!sasl.enabled()) {
      finish_ok(false);
      return;
    }
    need(kQuorumAuthMagicBytes, &Driver::on_peek);
  }

  void on_peek() {
    if (is_quorum_auth_magic(in)) {
      read_packet();
      return;
    }
    if (!sasl.server_require_sasl) {
      finish_ok(false);  // a peer that does not authenticate: its bytes go to the port
      return;
    }
    // Nothing is sent back: ZooKeeper throws before it has an output stream.
    refuse("Learner not trying to authenticate and authentication is required");
  }

  void on_learner_packet() {
    // The learner's status is not looked at (ZooKeeper reads only the token).
    if (exchange == nullptr) {
      exchange = sasl.authenticator->server(addr);
      may_send_error = true;
    }
    run_step(std::move(packet.token));
  }

  void on_server_step() {
    switch (result.status) {
      case PeerAuthStep::Status::kFailed:
        failed(result.error);
        return;
      case PeerAuthStep::Status::kComplete:
        write(encode_quorum_auth_packet(QuorumAuthStatus::kSuccess, result.token),
              &Driver::server_succeeded);
        return;
      case PeerAuthStep::Status::kContinue:
        break;
    }
    if (++challenges > sasl.max_server_challenges) {
      // ZooKeeper sends the challenge with ERROR (IN_PROGRESS when there is none) and then
      // lets the connection through; Paddock treats it as the failure it is.
      may_send_error = false;
      const QuorumAuthStatus status =
          result.token ? QuorumAuthStatus::kError : QuorumAuthStatus::kInProgress;
      write(encode_quorum_auth_packet(status, result.token), &Driver::server_gave_up);
      return;
    }
    write(encode_quorum_auth_packet(QuorumAuthStatus::kInProgress, result.token),
          &Driver::read_packet);
  }

  void server_gave_up() {
    failed(fmt::format("Failed to authenticate using SASL, server addr: /{}, retries={} exceeded.",
                       addr, challenges));
  }

  void server_succeeded() {
    spdlog::info(
        "event=quorum_sasl_authenticated port={} learner={} id={} mechanism={}: Successfully "
        "authenticated learner: authorizationID={}; Successfully completed the authentication "
        "using SASL. learner addr: /{}",
        port_name(port), addr, result.peer_id, exchange->mechanism(), result.peer_id, addr);
    finish_ok(true);
  }

  // The server side's failure: ERROR with an empty token once the learner's first packet
  // came (as ZooKeeper), then close with serverRequireSasl, else let the connection through.
  void failed_server(const std::string& why) {
    if (may_send_error) {
      may_send_error = false;
      pending_failure = why;
      write(encode_quorum_auth_packet(QuorumAuthStatus::kError, std::string()),
            &Driver::conclude_server_failure);
      return;
    }
    pending_failure = why;
    conclude_server_failure();
  }
  std::string pending_failure;

  void conclude_server_failure() {
    if (sasl.server_require_sasl) {
      refuse(pending_failure);
      return;
    }
    sasl.refusals->warn(util::steady_now_ms(), ip,
                        "event=quorum_sasl_failed port={} learner={} reason=\"{}\": Failed to "
                        "authenticate using SASL; Maintaining learner connection despite SASL "
                        "authentication failure. server addr: /{}, "
                        "quorum.auth.serverRequireSasl: false",
                        port_name(port), addr, pending_failure, addr);
    finish_ok(false);
  }

  void refuse(const std::string& why) {
    sasl.refusals->log(spdlog::level::err, util::steady_now_ms(), ip,
                       "event=quorum_sasl_refused port={} learner={} reason=\"{}\": Failed to "
                       "authenticate using SASL; {}",
                       port_name(port), addr, why,
                       port == PeerPort::kQuorum
                           ? fmt::format("Server failed to authenticate quorum learner, addr: "
                                         "/{}, closing connection",
                                         addr)
                           : fmt::format("Exception handling connection, addr: /{}, closing "
                                         "server connection",
                                         addr));
    finish_error("quorum SASL: " + why);
  }

  // --- the dialing side (ZooKeeper's SaslQuorumAuthLearner) -------------------------------
  void start_learner(const std::string& peer_host) {
    exchange = sasl.authenticator->learner(peer_host);
    answering = -2;  // the initial response
    run_step(std::nullopt);
  }

  void on_learner_step() {
    if (result.status == PeerAuthStep::Status::kFailed) {
      failed(result.error);
      return;
    }
    const bool empty = !result.token || result.token->empty();
    if (answering == static_cast<int32_t>(QuorumAuthStatus::kSuccess)) {
      if (!empty) {
        failed("Protocol error: attempting to send response after completion");
      } else if (result.status != PeerAuthStep::Status::kComplete) {
        failed("the server said SUCCESS before the SASL mechanism completed");
      } else {
        learner_succeeded();
      }
      return;
    }
    client_complete = result.status == PeerAuthStep::Status::kComplete;
    // Always a real (possibly empty) token, never null: a Java server takes a null first
    // token for a DIGEST-MD5 response and fails on it.
    std::string bytes = std::move(prefix);
    prefix.clear();
    append_quorum_auth_packet(QuorumAuthStatus::kInProgress,
                              result.token ? std::move(result.token) : std::string(), bytes);
    write(std::move(bytes), &Driver::read_packet);
  }

  void on_server_packet() {
    if (packets_read > sasl.max_learner_rounds) {
      failed(fmt::format("no SUCCESS after {} server packets", packets_read - 1));
      return;
    }
    const int32_t status = packet.status;
    const bool known = status == static_cast<int32_t>(QuorumAuthStatus::kSuccess) ||
                       status == static_cast<int32_t>(QuorumAuthStatus::kInProgress);
    if (client_complete || !known) {
      if (status == static_cast<int32_t>(QuorumAuthStatus::kSuccess)) {
        learner_succeeded();
        return;
      }
      failed(fmt::format("Authentication failed against server addr: /{}, qpStatus: {}", addr,
                         quorum_auth_status_name(status)));
      return;
    }
    if (!packet.token) {
      failed(
          "Error in authenticating with a Zookeeper Quorum member: the quorum member's "
          "saslToken is null.");
      return;
    }
    answering = status;
    run_step(std::move(packet.token));
  }

  void learner_succeeded() {
    spdlog::info(
        "event=quorum_sasl_authenticated port={} server={} mechanism={}: Successfully completed "
        "the authentication using SASL. server addr: /{}, status: SUCCESS",
        port_name(port), addr, exchange->mechanism(), addr);
    finish_ok(true);
  }

  void failed_learner(const std::string& why) {
    sasl.refusals->warn(util::steady_now_ms(), ip,
                        "event=quorum_sasl_failed port={} side=learner server={} mechanism={} "
                        "reason=\"{}\"",
                        port_name(port), addr, exchange ? exchange->mechanism() : "?", why);
    finish_error("quorum SASL: " + why);
  }

  // --- ending ---------------------------------------------------------------------------
  void failed(const std::string& why) {
    if (learner) {
      failed_learner(why);
    } else {
      failed_server(why);
    }
  }

  void finish_ok(bool authenticated) {
    QuorumSaslOutcome outcome;
    outcome.authenticated = authenticated;
    if (authenticated && !learner) outcome.peer_id = result.peer_id;
    outcome.unread = std::move(in);
    finish(std::move(outcome));
  }

  void finish_error(std::string error) {
    QuorumSaslOutcome outcome;
    outcome.error = std::move(error);
    finish(std::move(outcome));
  }

  void finish(QuorumSaslOutcome outcome) {
    if (finished) return;
    finished = true;
    timer.cancel();
    auto d = std::move(done);
    auto keep = std::move(keep_alive);  // released after `d` ran
    auto owned = std::move(exchange);   // Cyrus state goes with the exchange
    d(std::move(outcome));
  }
};

}  // namespace

bool learner_authenticates(const QuorumSaslOptions& sasl, PeerPort port) {
  if (!sasl.enabled()) return false;
  if (!sasl.learner_require_sasl) {
    spdlog::info(
        "event=quorum_sasl_skipped port={}: Skipping SASL authentication as "
        "quorum.auth.learnerRequireSasl=false",
        port_name(port));
    return false;
  }
  return true;
}

void async_quorum_sasl_learner(PeerSocket& socket, const QuorumSaslOptions& sasl, PeerPort port,
                               IoThread& io, std::string peer_host, std::string prefix,
                               std::shared_ptr<void> keep_alive,
                               std::function<void(QuorumSaslOutcome)> done) {
  auto d = std::make_shared<Driver>(socket, sasl, port, io, true, std::move(keep_alive),
                                    std::move(done));
  d->prefix = std::move(prefix);
  d->start_learner(peer_host);
}

void async_quorum_sasl_server(PeerSocket& socket, const QuorumSaslOptions& sasl, PeerPort port,
                              IoThread& io, std::string already_read,
                              std::shared_ptr<void> keep_alive,
                              std::function<void(QuorumSaslOutcome)> done) {
  auto d = std::make_shared<Driver>(socket, sasl, port, io, false, std::move(keep_alive),
                                    std::move(done));
  d->in = std::move(already_read);
  d->start_server();
}

}  // namespace paddock::peer
