#pragma once
// The client port: accepts ZooKeeper clients, frames their bytes for the pipeline
// (RequestSink) and writes the pipeline's replies (ClientChannel). Also answers
// four-letter words. Runs `network_threads` asio event loops; each connection belongs to
// one of them for its whole life, and every ClientChannel call is posted to the owning loop
// (one post per loop per batch, not one per frame). Frames a loop cuts in one turn go to
// the sink as one batch.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>

#include "pipeline/client_port.h"
#include "server/connection.h"
#include "server/ocsp_checker.h"
#include "tls/tls_context.h"
#include "util/result.h"

namespace paddock::server {

struct ClientPortOptions {
  // clientPortAddress. Empty: every interface, IPv6 and IPv4 (ZooKeeper binds 0.0.0.0,
  // which Java opens as a dual-stack socket); falls back to 0.0.0.0 without IPv6.
  std::string listen_address;
  uint16_t port = 2181;                   // clientPort; 0 picks a free port (bound_port())
  uint32_t max_connections_per_ip = 60;   // maxClientCnxns; 0 = unlimited
  int32_t max_frame_bytes = 0xfffff;      // jute.maxbuffer
  std::set<std::string> four_letter_whitelist = {"srvr"};  // 4lw.commands.whitelist
  size_t max_outbound_bytes = 64u << 20;  // per connection; past it the connection closes
  int network_threads = 1;               // at most kMaxNetworkThreads
  int listen_backlog = -1;                // clientPortListenBacklog; <= 0: the system's max
  bool plain_port = true;                 // false: no clientPort, only secureClientPort
  // TLS: secureClientPort and client.portUnification need it (ssl.* keys); nullptr = none.
  std::shared_ptr<tls::ServerTlsContext> tls;
  std::optional<uint16_t> secure_port;    // secureClientPort; 0 picks a free port
  std::string secure_listen_address;      // secureClientPortAddress; empty = all
  bool port_unification = false;          // client.portUnification: `port` takes TLS too
  std::chrono::milliseconds tls_handshake_timeout{5000};
};

class ClientPortServer final : public pipeline::ClientChannel {
 public:
  static constexpr int kMaxNetworkThreads = 64;

  ClientPortServer(ClientPortOptions options, pipeline::RequestSink& sink);
  ~ClientPortServer() override;  // stop()
  ClientPortServer(const ClientPortServer&) = delete;
  ClientPortServer& operator=(const ClientPortServer&) = delete;

  // Binds and listens, then starts the network threads. A bind failure names the address
  // and port.
  Status start();
  // Closes the listener and every connection (the sink hears connection_closed for each),
  // then joins the network threads. Idempotent.
  void stop();
  uint16_t bound_port() const { return bound_port_; }
  uint16_t bound_secure_port() const { return bound_secure_port_; }
  // The first network thread's loop, for the admin endpoint to share (runs after start()).
  asio::io_context& io_context();
  // Loop turns that handed frames to the sink, over every network thread (metrics).
  uint64_t loop_turns() const { return loop_turns_.load(std::memory_order_relaxed); }
  // Connections the client ended (end of stream or reset: ZooKeeper's connection_drop_count)
  // and connections refused at accept by maxClientCnxns (connection_rejected).
  uint64_t client_drops() const { return client_drops_.load(std::memory_order_relaxed); }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  // The mask gtmk answers and stmk sets, for the admin server to share (ZooKeeper keeps one
  // per process, which its set_trace_mask and get_trace_mask commands change and read).
  std::atomic<int64_t>& trace_mask() { return trace_mask_; }

  // pipeline::ClientChannel (thread-safe).
  void send(pipeline::OutboundBatch& batch) override;
  void close_after_flush(pipeline::ConnectionId conn) override;
  void set_reading(pipeline::ConnectionId conn, bool enabled) override;

 private:
  struct NetworkThread;
  struct Listener {
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
    Transport transport = Transport::kPlain;
  };
  Status listen(asio::ip::tcp::acceptor& acceptor, const std::string& address, uint16_t port,
                uint16_t& bound);
  void accept_next(Listener& l);
  void on_accept(Listener& l, std::error_code ec, asio::ip::tcp::socket socket,
                 pipeline::ConnectionId id);
  bool reserve_ip_slot(const std::string& ip);
  void release_ip_slot(const std::string& ip);
  void adopt(NetworkThread& t, std::shared_ptr<Connection> conn);
  void post_delivery(NetworkThread& t, pipeline::OutboundBatch& batch);
  void deliver(NetworkThread& t, const pipeline::OutboundBatch& batch);
  NetworkThread& owner_of(pipeline::ConnectionId id);
  template <typename F>
  void with_connection(pipeline::ConnectionId id, F&& f);
  void close_all(NetworkThread& t);
  void answer_four_letter_word(NetworkThread& t, const std::shared_ptr<Connection>& conn,
                               FourLetterWord word, int64_t argument);

  ClientPortOptions options_;
  pipeline::RequestSink& sink_;
  std::vector<std::unique_ptr<NetworkThread>> threads_;
  // ssl.ocsp; after threads_, so its workers are joined before the loops they post to go.
  std::unique_ptr<OcspChecker> ocsp_;
  std::vector<Listener> listeners_;  // plain and/or secure; accept on threads_[0]
  std::unique_ptr<asio::steady_timer> accept_retry_;
  pipeline::ConnectionId next_id_ = 1;                 // used on threads_[0] only
  uint16_t bound_port_ = 0;
  uint16_t bound_secure_port_ = 0;
  int64_t started_ms_ = 0;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> trace_mask_{kDefaultTraceMask};  // gtmk/stmk
  std::atomic<uint64_t> loop_turns_{0};  // one relaxed add per hand-over, not per frame
  std::atomic<uint64_t> client_drops_{0};
  std::atomic<uint64_t> rejected_{0};
  // Formats the four-letter words that list tables (wchc, wchp, cons, dump) and gathers host
  // facts (directory sizes): off the network threads, which serve every client
  // (CVE-2017-5637: polling wchp over 30,000 watches stalled them for seconds).
  asio::thread_pool introspection_{1};

  std::mutex ip_mu_;  // accepts run on one thread, closes on any
  std::unordered_map<std::string, uint32_t> per_ip_;
  // Warnings about a client's bad input, at most 10 per client address a minute.
  util::RateLimitedLog bad_input_log_;
};

}  // namespace paddock::server
