#include "server/client_port_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/executor_work_guard.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <bit>
#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include "server/host_facts.h"
#include "server/post_gate.h"
#include "server/snapshot_pieces.h"
#include "util/thread_name.h"

namespace paddock::server {

using pipeline::ConnectionId;
using pipeline::OutboundBatch;

namespace {
constexpr size_t kScratchBytes = 256 * 1024;
// Frames cut in one loop turn go to the sink together; a batch this big goes at once.
constexpr size_t kHandOverBytes = 256 * 1024;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

bool is_resource_exhaustion(const std::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

std::string text_address(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}
}  // namespace

// One event loop and the connections it owns. Members are declared so that the io_context
// is destroyed after the connections and before the buffers its pending handlers may use.
struct ClientPortServer::NetworkThread final : ConnectionHost {
  NetworkThread(ClientPortServer& s, size_t i) : server(s), index(i), scratch(kScratchBytes) {}

  // Frames wait in `inbound` until the loop has served every connection that was ready
  // (the posted hand-over runs after them): one handoff to the pipeline per turn.
  void frame_received(Connection& conn, std::string_view frame) override {
    inbound.add(conn.id(), frame);
    if (inbound.bytes.size() >= kHandOverBytes) {
      hand_over_frames();
    } else if (!hand_over_posted) {
      hand_over_posted = true;
      asio::post(io, [this] {
        hand_over_posted = false;
        hand_over_frames();
      });
    }
  }
  void hand_over_frames() {
    if (inbound.empty()) return;
    server.loop_turns_.fetch_add(1, std::memory_order_relaxed);
    server.sink_.frames_received(inbound);
  }
  void connection_closed(Connection& conn) override {
    hand_over_frames();  // the sink hears of the close after the connection's last frame
    server.release_ip_slot(conn.peer_ip());
    if (conn.closed_by_peer()) server.client_drops_.fetch_add(1, std::memory_order_relaxed);
    if (conn.announced()) server.sink_.connection_closed(conn.id());
    conns.erase(conn.id());
  }
  void connection_ready(Connection& conn, std::string x509_subject) override {
    conn.set_announced();
    if (conn.secure()) {
      server.sink_.secure_connection_opened(conn.id(), conn.peer_ip(), conn.peer_port(),
                                            std::move(x509_subject));
    } else {
      server.sink_.connection_opened(conn.id(), conn.peer_ip(), conn.peer_port());
    }
  }
  void four_letter_word(const std::shared_ptr<Connection>& conn, FourLetterWord word,
                        int64_t argument) override {
    server.answer_four_letter_word(*this, conn, word, argument);
  }
  ConnectionEnv env() {
    return ConnectionEnv{*this,
                         ConnectionLimits{server.options_.max_frame_bytes,
                                          server.options_.max_outbound_bytes,
                                          server.options_.tls_handshake_timeout},
                         scratch, chunks, server.bad_input_log_, plain, server.ocsp_.get()};
  }

  ClientPortServer& server;
  size_t index;
  ChunkPool chunks;
  std::vector<char> scratch;
  std::vector<char> plain;  // TLS only: allocated when the server has TLS
  pipeline::FrameBatch inbound;
  bool hand_over_posted = false;
  asio::io_context io{1};
  std::shared_ptr<PostGate> gate = std::make_shared<PostGate>(io);
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unordered_map<ConnectionId, std::shared_ptr<Connection>> conns;
  std::vector<std::shared_ptr<Connection>> batch;  // connections touched by one send()
  std::thread thread;
};

ClientPortServer::ClientPortServer(ClientPortOptions options, pipeline::RequestSink& sink)
    : options_(std::move(options)), sink_(sink) {
  const size_t n = static_cast<size_t>(std::clamp(options_.network_threads, 1, kMaxNetworkThreads));
  for (size_t i = 0; i < n; ++i) threads_.push_back(std::make_unique<NetworkThread>(*this, i));
  if (options_.tls) {
    for (auto& t : threads_) t->plain.resize(kScratchBytes);
    if (options_.tls->settings().ocsp) {
      OcspOptions o;
      o.timeout = options_.tls_handshake_timeout;
      // Queries wait on the network, not the CPU: a few at once, so a reconnect storm after
      // a restart (empty cache) is not answered one responder round trip at a time.
      o.threads = 4;
      ocsp_ = std::make_unique<OcspChecker>(o);
    }
  }
  if (options_.plain_port) {
    Transport t = options_.tls && options_.port_unification ? Transport::kDetect : Transport::kPlain;
    listeners_.push_back(Listener{std::make_unique<asio::ip::tcp::acceptor>(threads_[0]->io), t});
  }
  if (options_.tls && options_.secure_port) {
    listeners_.push_back(
        Listener{std::make_unique<asio::ip::tcp::acceptor>(threads_[0]->io), Transport::kTls});
  }
  accept_retry_ = std::make_unique<asio::steady_timer>(threads_[0]->io);
}

ClientPortServer::~ClientPortServer() {
  stop();
  // Sockets and timers go before the loops they belong to.
  listeners_.clear();
  accept_retry_.reset();
}

asio::io_context& ClientPortServer::io_context() { return threads_.front()->io; }

ClientPortServer::NetworkThread& ClientPortServer::owner_of(ConnectionId id) {
  return *threads_[id % threads_.size()];
}

Status ClientPortServer::start() {
  PADDOCK_ASSERT(!running_);
  for (Listener& l : listeners_) {
    const bool secure = l.transport == Transport::kTls;
    Status s = secure ? listen(*l.acceptor, options_.secure_listen_address, *options_.secure_port,
                               bound_secure_port_)
                      : listen(*l.acceptor, options_.listen_address, options_.port, bound_port_);
    if (!s) {
      for (Listener& other : listeners_) {
        std::error_code ignored;
        other.acceptor->close(ignored);
      }
      return s;
    }
  }
  started_ms_ = wall_clock_ms();
  running_ = true;
  for (Listener& l : listeners_) accept_next(l);
  for (auto& t : threads_) {
    t->work.emplace(asio::make_work_guard(t->io));
    t->thread = std::thread([io = &t->io, n = t->index] {
      set_thread_name("net-" + std::to_string(n));
      io->run();
    });
  }
  spdlog::info("client port listening address={} port={} secure_port={} unified={} threads={}",
               options_.listen_address.empty() ? "0.0.0.0" : options_.listen_address,
               options_.plain_port ? std::to_string(bound_port_) : "none",
               options_.tls && options_.secure_port ? std::to_string(bound_secure_port_) : "none",
               options_.tls && options_.port_unification, threads_.size());
  return Status::ok();
}

Status ClientPortServer::listen(asio::ip::tcp::acceptor& acceptor, const std::string& address,
                                uint16_t port, uint16_t& bound) {
  using asio::ip::tcp;
  std::string shown = address.empty() ? "0.0.0.0" : address;
  auto fail = [&](const std::error_code& ec) {
    std::error_code ignored;
    acceptor.close(ignored);
    return Status::error(fmt::format("cannot listen on {}:{}: {}", shown, port, ec.message()));
  };
  std::error_code ec;
  tcp::endpoint endpoint;
  if (address.empty()) {
    endpoint = tcp::endpoint(tcp::v6(), port);
    acceptor.open(tcp::v6(), ec);
    if (!ec) acceptor.set_option(asio::ip::v6_only(false), ec);
    if (ec) {  // no IPv6 on this host
      std::error_code ignored;
      acceptor.close(ignored);
      endpoint = tcp::endpoint(tcp::v4(), port);
      ec.clear();
      acceptor.open(tcp::v4(), ec);
    }
  } else {
    asio::ip::address ip = asio::ip::make_address(address, ec);
    if (ec) {  // a host name: use its first address
      tcp::resolver resolver(threads_[0]->io);
      auto results = resolver.resolve(address, "", ec);
      if (ec || results.empty()) return fail(ec ? ec : asio::error::host_not_found);
      ip = results.begin()->endpoint().address();
    }
    endpoint = tcp::endpoint(ip, port);
    acceptor.open(endpoint.protocol(), ec);
  }
  if (ec) return fail(ec);
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  int backlog = options_.listen_backlog > 0 ? options_.listen_backlog
                                            : asio::socket_base::max_listen_connections;
  if (!ec) acceptor.listen(backlog, ec);
  if (ec) return fail(ec);
  bound = acceptor.local_endpoint(ec).port();
  return Status::ok();
}

void ClientPortServer::accept_next(Listener& l) {
  ConnectionId id = next_id_++;
  l.acceptor->async_accept(owner_of(id).io,
                           [this, &l, id](std::error_code ec, asio::ip::tcp::socket socket) {
                             on_accept(l, ec, std::move(socket), id);
                           });
}

void ClientPortServer::on_accept(Listener& l, std::error_code ec, asio::ip::tcp::socket socket,
                                 ConnectionId id) {
  if (ec == asio::error::operation_aborted || !running_) return;
  if (ec) {
    spdlog::warn("accept failed port={} error={}", bound_port_, ec.message());
    if (is_resource_exhaustion(ec)) {  // retrying at once would spin
      accept_retry_->expires_after(kAcceptRetryDelay);
      accept_retry_->async_wait([this, &l](std::error_code e) {
        if (!e && running_) accept_next(l);
      });
    } else {
      accept_next(l);
    }
    return;
  }
  accept_next(l);
  std::error_code ep_ec;
  auto peer = socket.remote_endpoint(ep_ec);
  if (ep_ec) return;  // already gone
  std::string ip = text_address(peer.address());
  if (!reserve_ip_slot(ip)) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    bad_input_log_.warn(util::steady_now_ms(), ip,
                        "rejecting connection: too many connections peer={} max={}", ip,
                        options_.max_connections_per_ip);
    return;  // the socket closes as it goes out of scope
  }
  socket.set_option(asio::ip::tcp::no_delay(true), ep_ec);
  NetworkThread& t = owner_of(id);
  tls::SslCtxPtr tls_context;
  if (l.transport != Transport::kPlain) {
    tls_context = options_.tls->current(std::chrono::steady_clock::now());
  }
  auto conn = std::make_shared<Connection>(t.env(), id, std::move(socket), ip, peer.port(),
                                           l.transport, std::move(tls_context));
  if (&t == threads_[0].get()) {
    adopt(t, std::move(conn));
  } else {
    asio::post(t.io, [this, &t, conn = std::move(conn)]() mutable { adopt(t, std::move(conn)); });
  }
}

void ClientPortServer::adopt(NetworkThread& t, std::shared_ptr<Connection> conn) {
  if (!running_) {  // stopping: the sink never heard of it, so it hears nothing
    release_ip_slot(conn->peer_ip());
    return;
  }
  t.conns.emplace(conn->id(), conn);
  if (conn->transport() == Transport::kPlain) {  // TLS ones are announced after the handshake
    conn->set_announced();
    sink_.connection_opened(conn->id(), conn->peer_ip(), conn->peer_port());
  }
  conn->start();
}

bool ClientPortServer::reserve_ip_slot(const std::string& ip) {
  std::lock_guard<std::mutex> lock(ip_mu_);
  uint32_t& n = per_ip_[ip];
  if (options_.max_connections_per_ip > 0 && n >= options_.max_connections_per_ip) {
    if (n == 0) per_ip_.erase(ip);
    return false;
  }
  ++n;
  return true;
}

void ClientPortServer::release_ip_slot(const std::string& ip) {
  std::lock_guard<std::mutex> lock(ip_mu_);
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

// Holds one use of an outbound batch; released when the delivery ran, or when its handler
// is dropped unrun (the loop stopped).
class BatchUse {
 public:
  explicit BatchUse(OutboundBatch& batch) : batch_(&batch) {}
  BatchUse(BatchUse&& other) noexcept : batch_(std::exchange(other.batch_, nullptr)) {}
  BatchUse& operator=(BatchUse&&) = delete;
  ~BatchUse() {
    if (batch_ != nullptr) batch_->release();
  }
  const OutboundBatch& batch() const { return *batch_; }

 private:
  OutboundBatch* batch_;
};

void ClientPortServer::send(OutboundBatch& batch) {
  if (!running_.load(std::memory_order_relaxed) || batch.empty()) {
    batch.release();
    return;
  }
  if (threads_.size() == 1) {
    post_delivery(*threads_[0], batch);
    return;
  }
  // Each loop that owns a connection in the batch reads it, skipping the others' records.
  uint64_t owners = 0;
  for (const OutboundBatch::Record& r : batch.records) {
    owners |= uint64_t{1} << (r.conn % threads_.size());
  }
  batch.add_users(std::popcount(owners) - 1);
  for (size_t i = 0; i < threads_.size(); ++i) {
    if ((owners >> i) & 1) post_delivery(*threads_[i], batch);
  }
}

void ClientPortServer::post_delivery(NetworkThread& t, OutboundBatch& batch) {
  asio::post(t.io, [this, &t, use = BatchUse(batch)] { deliver(t, use.batch()); });
}

void ClientPortServer::deliver(NetworkThread& t, const OutboundBatch& batch) {
  const size_t threads = threads_.size();
  Connection* current = nullptr;
  ConnectionId current_id = 0;
  bool looked_up = false;
  for (const OutboundBatch::Record& r : batch.records) {
    if (threads > 1 && r.conn % threads != t.index) continue;
    if (!looked_up || r.conn != current_id) {
      looked_up = true;
      current_id = r.conn;
      auto it = t.conns.find(r.conn);
      current = it == t.conns.end() ? nullptr : it->second.get();
      if (current != nullptr && !current->in_batch) {
        current->in_batch = true;
        t.batch.push_back(it->second);  // keeps it alive if writing closes it
      }
    }
    if (current != nullptr) current->stage(batch.frame(r));
  }
  for (auto& conn : t.batch) {
    conn->in_batch = false;
    conn->write_staged();  // one gathered write per connection per batch
  }
  t.batch.clear();
}

template <typename F>
void ClientPortServer::with_connection(ConnectionId id, F&& f) {
  if (!running_.load(std::memory_order_relaxed)) return;
  NetworkThread& t = owner_of(id);
  asio::post(t.io, [&t, id, f = std::forward<F>(f)]() mutable {
    auto it = t.conns.find(id);
    if (it == t.conns.end()) return;
    std::shared_ptr<Connection> conn = it->second;
    f(*conn);
  });
}

void ClientPortServer::close_after_flush(ConnectionId conn) {
  with_connection(conn, [](Connection& c) { c.close_after_flush(); });
}

void ClientPortServer::set_reading(ConnectionId conn, bool enabled) {
  with_connection(conn, [enabled](Connection& c) { c.set_reading(enabled); });
}

void ClientPortServer::answer_four_letter_word(NetworkThread& t,
                                               const std::shared_ptr<Connection>& conn,
                                               FourLetterWord word, int64_t argument) {
  if (!four_letter_word_allowed(word, options_.four_letter_whitelist)) {
    conn->reply_and_close(not_in_whitelist_text(word));
    return;
  }
  if (word == FourLetterWord::kCrst || word == FourLetterWord::kSrst) {
    sink_.reset_statistics(word == FourLetterWord::kCrst);
  } else if (word == FourLetterWord::kStmk) {
    trace_mask_ = argument;
  }
  if (!four_letter_word_needs_snapshot(word)) {
    HostFacts facts;
    facts.trace_mask = trace_mask_;
    conn->reply_and_close(format_four_letter_word(word, nullptr, facts));
    return;
  }
  request_whole_snapshot(
      sink_, four_letter_word_snapshot_request(word),
      [this, gate = t.gate, conn, word](std::shared_ptr<const pipeline::ServerSnapshot> snap) {
        // Pipeline thread -> the introspection worker (grouping and formatting) -> the
        // connection's own network thread (the reply).
        asio::post(introspection_, [this, gate, conn, word, snap = std::move(snap)] {
          HostFacts facts =
              collect_host_facts(started_ms_, snap ? snap->data_dir : "",
                                 snap ? snap->data_log_dir : "",
                                 four_letter_word_needs_dir_sizes(word));
          facts.trace_mask = trace_mask_;
          gate->post([conn, text = format_four_letter_word(word, snap.get(), facts)]() mutable {
            conn->reply_and_close(std::move(text));
          });
        });
      });
}

void ClientPortServer::close_all(NetworkThread& t) {
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(t.conns.size());
  for (auto& [id, conn] : t.conns) all.push_back(conn);
  for (auto& conn : all) conn->close("server stopping");
  t.conns.clear();
}

void ClientPortServer::stop() {
  bool was_running = running_.exchange(false);
  for (auto& t : threads_) t->gate->close();
  if (!was_running) return;
  // Close on the owning threads (their sockets are not thread-safe), then stop the loops.
  std::vector<std::future<void>> done;
  for (auto& t : threads_) {
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    asio::post(t->io, [this, &t = *t, promise] {
      if (t.index == 0) {
        std::error_code ignored;
        for (Listener& l : listeners_) l.acceptor->close(ignored);
        accept_retry_->cancel();
      }
      close_all(t);
      promise->set_value();
    });
  }
  for (auto& f : done) f.wait();
  for (auto& t : threads_) {
    t->work.reset();
    t->io.stop();
    if (t->thread.joinable()) t->thread.join();
  }
  // A listing still being formatted finds its gate closed; none is started after this.
  introspection_.stop();
  introspection_.join();
  spdlog::info("client port stopped port={} secure_port={}", bound_port_, bound_secure_port_);
}

}  // namespace paddock::server
