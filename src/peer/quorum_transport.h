#pragma once
// The quorum port over TCP: a listener the leader runs, a dialer a learner uses to reach the
// leader, and PeerConnection, which carries QuorumPackets both ways on one socket.
//
// Threads: each piece runs on the IoThread it is given (one thread per io_context); the
// handlers are called on that thread and must hand work to the caller's own thread rather
// than block. send() and close() may be called from any thread.
// A standard header before any asio header: asio decides whether to use aligned_alloc from a
// libstdc++ macro that only a standard header defines, and every translation unit must decide
// alike (an ASan alloc-dealloc mismatch otherwise: one TU's operator new, another's free).
// clang-format off
#include <cstddef>
// clang-format on

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "peer/io_thread.h"
#include "peer/peer_socket.h"
#include "peer/quorum_codec.h"
#include "peer/snap_body.h"
#include "quorum/messages.h"
#include "util/rate_limited_log.h"
#include "util/result.h"

namespace paddock::peer {

struct PeerConnectionLimits {
  // Packets and bytes waiting to be written to one peer. Past either, the connection is
  // closed ("send queue full"): a learner that cannot keep up must resync, not make its
  // leader run out of memory. A SNAP body given ready counts in bytes like any other data;
  // one still being made (SnapBody) does not. The packets of a learner's sync (a send_all
  // holding DIFF, TRUNC or SNAP: the txns of a DIFF, two packets each) and the packets
  // queued while a SNAP body is made do not count against the packet limit until written;
  // the byte limit counts them all.
  size_t max_queued_packets = 100000;
  uint64_t max_queued_bytes = uint64_t{512} << 20;
  QuorumDecoderLimits decoder;
  // Where lines about a peer's malformed stream go: shared by every connection made with
  // these limits (a listener's, a dialer's), at most 10 per peer address a minute.
  std::shared_ptr<util::RateLimitedLog> bad_input_log = std::make_shared<util::RateLimitedLog>();
};

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  struct Handlers {
    // Every decoded packet, in stream order (a SNAP with its body in `data`).
    std::function<void(PeerConnection&, quorum::QuorumPacket)> on_packet;
    // Once, after the connection ended: peer closed, I/O error, malformed stream, queue
    // overflow or close(). No on_packet follows it.
    std::function<void(PeerConnection&, const std::string& reason)> on_closed;
    // Optional: after the packets of one read were given to on_packet (before on_closed
    // when the read ended in a malformed packet), so that a receiver can hand them on as one
    // batch.
    std::function<void(PeerConnection&)> on_read_done;
  };

  // `socket` is connected and, with TLS, past its handshake (async_secure), and past quorum
  // SASL. `already_read`: the peer's first bytes, read by quorum SASL's look for its magic
  // (decoded before anything read later).
  PeerConnection(PeerSocket socket, PeerConnectionLimits limits, std::string already_read = {});
  ~PeerConnection();

  // Starts reading. Call once, from any thread.
  void start(Handlers handlers);
  // Queues a packet; false if the connection is closed or the packet overflowed the queue
  // (which closes it). Thread-safe.
  bool send(quorum::QuorumPacket packet);
  // Queues packets in order, as one write where they fit: what a Ready sends to one peer.
  // A SNAP packet carries its body in `data`, or, when `data` is empty, `snap_body` is its
  // body (SnapBody): then the SNAP and everything queued after it wait until that body is
  // done, and a failed body closes the connection.
  bool send_all(std::vector<quorum::QuorumPacket> packets,
                std::shared_ptr<SnapBody> snap_body = nullptr);
  // Queues `packets` whole packets, `bytes` long, that another thread encodes into `body`
  // (a large sync, encoded off the caller's thread): they, and everything queued after them,
  // wait until the body is done; a failed body closes the connection. Counted as a sync
  // (exempt from the packet limit; the byte limit counts `bytes`).
  bool send_encoded(std::shared_ptr<SnapBody> body, size_t packets, uint64_t bytes);
  // Closes the connection (on_closed follows with `reason`). Thread-safe, idempotent.
  void close(std::string reason);

  // Names the peer in log lines once it has said who it is (FOLLOWERINFO).
  void set_peer_sid(quorum::Sid sid) { peer_sid_.store(sid); }
  std::string peer_name() const;
  const std::string& remote_address() const { return remote_; }
  bool secure() const { return secure_; }
  std::string remote_ip() const { return remote_.substr(0, remote_.rfind(':')); }
  bool closed() const { return closed_flag_.load(); }
  // Packets and bytes waiting to be written (the admin observers command). Thread-safe.
  std::pair<size_t, uint64_t> queued() {
    std::lock_guard lock(mu_);
    return {queued_packets_, queued_bytes_};
  }
  // Packets that went out on the sender's thread, without the io thread (tests).
  uint64_t direct_writes() {
    std::lock_guard lock(mu_);
    return direct_writes_;
  }

 private:
  struct Outbound {
    std::string head;  // the packet (SNAP: with null data; empty: see body)
    // SNAP: the body, written without a copy. With no head: encoded packets (send_encoded).
    std::shared_ptr<SnapBody> body;
    std::string tail;                 // SNAP only: the signature
    size_t packets = 0;               // how many packets `head` (and body) hold
    uint64_t counted = 0;             // bytes it added to queued_bytes_
    bool exempt = false;  // a sync's packets, or queued while a SNAP body was being made
    bool waits() const { return body && !body->done(); }
    uint64_t size() const {
      return head.size() + (body && body->done() ? body->bytes().size() : 0) + tail.size();
    }
  };
  // Queues `outs` (their `counted` set) behind what is queued, or closes the connection if
  // they overflow it; `waiting`: their bodies not done yet. `sync`: a learner's sync.
  bool queue(std::vector<Outbound> outs, std::vector<std::shared_ptr<SnapBody>> waiting,
             size_t packets, bool sync);
  void read_more();
  void on_read(std::error_code ec, size_t n);
  // Decodes and hands over the packets in `bytes`; false once the connection closed.
  bool consume(std::string_view bytes);
  // Writes `out` (no SNAP) straight to the socket, without waking the io thread, when it
  // fits whole; else leaves what is not written in `out`. Only with mu_ held, no write
  // scheduled and a plain socket (TLS records are written on the io thread only). Saves a thread hand-off per packet on the replication path (PROPOSAL, ACK,
  // COMMIT, REQUEST), where each one is a wake-up on the latency of a write.
  bool try_write_now(Outbound& out);
  void write_queued();
  void on_written(std::error_code ec);
  void close_here(const std::string& reason);  // on the io thread

  PeerSocket socket_;
  const bool secure_;
  PeerConnectionLimits limits_;
  std::string remote_;
  std::atomic<quorum::Sid> peer_sid_{-1};
  std::atomic<bool> closed_flag_{false};
  Handlers handlers_;                // io thread
  QuorumStreamDecoder decoder_;      // io thread
  std::vector<char> read_buffer_;    // io thread
  std::string already_read_;         // io thread: consumed by start()
  std::vector<Outbound> in_flight_;  // io thread: being written
  bool closed_ = false;              // io thread
  std::string close_reason_;         // io thread

  std::mutex mu_;  // guards the fields below
  std::deque<Outbound> queue_;
  uint64_t queued_bytes_ = 0;
  size_t queued_packets_ = 0;
  bool write_scheduled_ = false;  // a write is posted or in flight (or waits for a body)
  // SNAP bodies queued and not done yet. While one is being made, the packets queued behind
  // it are this server's own backlog, not a slow learner's: they are exempt from the packet
  // limit until written (else the first send after the body would find the backlog over
  // the limit and close the link, and the learner would resync for ever); the byte limit
  // applies to all.
  size_t waiting_bodies_ = 0;
  size_t exempt_packets_ = 0;  // queued packets that are exempt
  bool send_closed_ = false;
  uint64_t direct_writes_ = 0;  // packets written by try_write_now (tests)
};

struct QuorumListenerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 0;  // 0: an ephemeral port (tests)
  // Learner connections open at once; past it new ones are closed at accept.
  size_t max_connections = 256;
  PeerConnectionLimits connection_limits;
  PeerSecurity tls;  // TLS (sslQuorum) and portUnification, then quorum SASL (tls.sasl)
};

// The leader's quorum port. Hands every accepted connection, not yet started, to on_accept
// (on the io thread): the leader calls start() with its handlers.
class QuorumListener {
 public:
  using AcceptHandler = std::function<void(std::shared_ptr<PeerConnection>)>;
  static Result<std::unique_ptr<QuorumListener>> open(IoThread& io, QuorumListenerOptions options,
                                                      AcceptHandler on_accept);
  ~QuorumListener();  // stops accepting (connections handed over live on)
  uint16_t port() const { return port_; }
  void stop();

 private:
  QuorumListener(IoThread& io, QuorumListenerOptions options, AcceptHandler on_accept);
  void accept_next();
  // TLS handshake or portUnification detection, then quorum SASL, then on_accept_ (or a
  // logged drop).
  void secure_and_hand_over(asio::ip::tcp::socket socket);
  void authenticate_and_hand_over(std::shared_ptr<PeerSocket> sock);

  IoThread& io_;
  QuorumListenerOptions options_;
  AcceptHandler on_accept_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::weak_ptr<PeerConnection>> accepted_;  // io thread, to count live ones
  size_t securing_ = 0;  // io thread: accepted, TLS handshake or quorum SASL under way
  // False once stopped (io thread): a handshake that ends later must not touch `this`.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  util::RateLimitedLog refused_log_;  // "refusing addr", at most 10 per address a minute
};

struct QuorumDialOptions {
  std::string host;  // a name or an IP address
  uint16_t port = 0;
  // ZooKeeper's learner tries 5 times, a second apart, within initLimit.
  int attempts = 5;
  std::chrono::milliseconds retry_interval{1000};
  std::chrono::milliseconds connect_timeout{5000};  // per attempt (cnxTimeout)
  PeerConnectionLimits connection_limits;
  // sslQuorum: the leader is dialed with TLS; quorum SASL (tls.sasl) as its learner, with
  // `host` as the host Kerberos' _HOST stands for.
  PeerSecurity tls;
};

// A learner's connection to its leader, with retries. The result (on the io thread) is a
// connection not yet started, or the last attempt's error. A failed quorum SASL exchange is
// not retried: it ends the dial at once, as ZooKeeper's learner gives up on the leader then.
class QuorumDialer : public std::enable_shared_from_this<QuorumDialer> {
 public:
  using DoneHandler = std::function<void(Result<std::shared_ptr<PeerConnection>>)>;
  static std::shared_ptr<QuorumDialer> dial(IoThread& io, QuorumDialOptions options,
                                            DoneHandler done);
  void cancel();  // thread-safe; `done` then gets an error if it has not run yet

  QuorumDialer(IoThread& io, QuorumDialOptions options, DoneHandler done);  // use dial()

 private:
  void attempt();
  void secure();        // connected: TLS handshake when sslQuorum, then authenticate()
  void authenticate();  // quorum SASL as the learner when required, then finish()
  void attempt_failed(const std::string& why);
  void finish(Result<std::shared_ptr<PeerConnection>> result);

  IoThread& io_;
  QuorumDialOptions options_;
  DoneHandler done_;
  int attempts_made_ = 0;
  bool finished_ = false;
  std::unique_ptr<asio::ip::tcp::socket> socket_;  // connecting
  std::unique_ptr<PeerSocket> securing_;           // connected, TLS handshake under way
  asio::steady_timer timer_;
};

}  // namespace paddock::peer
