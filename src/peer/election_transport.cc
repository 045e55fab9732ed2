#include "peer/election_transport.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <deque>
#include <future>
#include <optional>

#include "peer/election_codec.h"
#include "peer/io_thread.h"
#include "peer/quorum_sasl.h"
#include "peer/tcp_dial.h"
#include "util/rate_limited_log.h"

namespace paddock::peer {
namespace {

using asio::ip::tcp;
constexpr size_t kElectionReadChunkBytes = 16 * 1024;

// The peer's IP address, which rate-limits the lines about its bad input.
std::string peer_ip(const tcp::socket& socket) {
  std::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? std::string("?") : ep.address().to_string();
}

}  // namespace

// One TCP connection of the election port. `sid` is known at once for a dialed connection and
// after the initiation for an accepted one.
struct ElectionConnection : std::enable_shared_from_this<ElectionConnection> {
  ElectionConnection(tcp::socket s, bool dialed, quorum::Sid peer)
      : socket(std::move(s)), dialed(dialed), sid(peer) {}
  PeerSocket socket;
  bool dialed;
  quorum::Sid sid;
  bool live = false;  // carries notifications
  bool closed = false;
  bool authenticating = false;  // quorum SASL under way: the transport does not read
  bool reading = false;         // a read is pending: at most one at a time
  bool pending_counted = false;  // accepted, counted in pending_inbound until its initiation
  bool writing = false;
  std::string write_buffer;
  std::vector<char> read_buffer = std::vector<char>(kElectionReadChunkBytes);
  ElectionStreamDecoder inbound;  // accepted: initiation, then frames
  ElectionFrameDecoder frames;    // dialed: frames only
};

struct ElectionTransport::Impl {
  struct Peer {
    std::optional<ElectionPeer> address;  // nullopt: not in the configuration
    std::shared_ptr<ElectionConnection> live;
    std::deque<std::string> queue;  // encoded frames
    std::optional<std::string> last_sent;
    bool dialing = false;
    bool redial_pending = false;
    std::chrono::milliseconds backoff{0};
    std::unique_ptr<asio::steady_timer> redial;
  };

  Impl(ElectionTransportOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), io("election"), acceptor(io.context()) {}

  ElectionTransportOptions options;
  Handler handler;
  // Lines about a peer's bad input, at most 10 per peer address a minute.
  util::RateLimitedLog bad_input_log;
  IoThread io;
  tcp::acceptor acceptor;
  uint16_t port = 0;
  std::string advertised;
  bool stopped = false;                     // io thread
  std::atomic<bool> stop_requested{false};  // any thread
  std::map<quorum::Sid, Peer> peers;        // io thread
  size_t pending_inbound = 0;               // io thread
  ElectionTransportStats stats;             // io thread

  Status bind();
  void accept_next();
  void on_accepted(tcp::socket socket);
  void dial(quorum::Sid sid);
  // Dialed: the TLS handshake when sslQuorum, then on_dialed().
  void secure_dialed(quorum::Sid sid, const std::shared_ptr<ElectionConnection>& c);
  void on_dialed(quorum::Sid sid, const std::shared_ptr<ElectionConnection>& c);
  // Dialed, initiation (and quorum SASL) sent: the sid rule, then install.
  void after_initiation(quorum::Sid sid, const std::shared_ptr<ElectionConnection>& c,
                        const std::string& unread);
  // Accepted, initiation read: quorum SASL, then on_init.
  void authenticate_inbound(const std::shared_ptr<ElectionConnection>& c, ConnectionInit init);
  void deliver_messages(const std::shared_ptr<ElectionConnection>& c);
  void schedule_redial(quorum::Sid sid);
  void read_more(const std::shared_ptr<ElectionConnection>& c);
  void on_read(const std::shared_ptr<ElectionConnection>& c, std::string_view bytes);
  bool on_init(const std::shared_ptr<ElectionConnection>& c, const ConnectionInit& init);
  void install(const std::shared_ptr<ElectionConnection>& c);
  // An accepted connection stops counting as waiting for its initiation, once.
  void release_pending(const std::shared_ptr<ElectionConnection>& c) {
    if (!c->pending_counted) return;
    c->pending_counted = false;
    --pending_inbound;
  }
  void deliver(const std::shared_ptr<ElectionConnection>& c, const std::string& message);
  void enqueue(quorum::Sid to, std::string frame);
  void pump(Peer& p);
  void close(const std::shared_ptr<ElectionConnection>& c, const std::string& reason);
  void write_then_close(const std::shared_ptr<ElectionConnection>& c, std::string bytes);
  Peer& peer(quorum::Sid sid) { return peers[sid]; }
};

Status ElectionTransport::Impl::bind() {
  std::error_code ec;
  const auto address = resolve_listen_address(options.listen_host);
  if (!address) return Status::error("election listener: " + address.error());
  const tcp::endpoint endpoint(*address, options.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::error(fmt::format("election listener on {}:{}: {}", options.listen_host,
                                     options.listen_port, ec.message()));
  }
  port = acceptor.local_endpoint().port();
  advertised = options.advertised_address.empty() ? fmt::format("{}:{}", options.listen_host, port)
                                                  : options.advertised_address;
  return Status::ok();
}

void ElectionTransport::Impl::accept_next() {
  acceptor.async_accept([this](std::error_code ec, tcp::socket socket) {
    if (stopped || !acceptor.is_open()) return;
    if (!ec) on_accepted(std::move(socket));
    accept_next();
  });
}

void ElectionTransport::Impl::on_accepted(tcp::socket socket) {
  ++stats.accepted;
  if (pending_inbound >= options.max_pending_inbound) {
    bad_input_log.warn(util::steady_now_ms(), peer_ip(socket),
                       "election: refusing a connection from {}: {} still sending their initiation",
                       peer_ip(socket), pending_inbound);
    return;  // the socket closes here
  }
  ++pending_inbound;
  auto c = std::make_shared<ElectionConnection>(std::move(socket), false, -1);
  c->pending_counted = true;
  async_secure(c->socket, options.tls, PeerSide::kAccepted, "", c,
               [this, c](const std::string& error) {
                 if (stopped || c->closed) return;
                 if (!error.empty()) {
                   ++stats.failed_handshakes;
                   bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                                      "election: dropping a connection from {}: {}",
                                      peer_ip(c->socket.tcp()), error);
                   close(c, error);
                   return;
                 }
                 read_more(c);
               });
}

void ElectionTransport::Impl::dial(quorum::Sid sid) {
  Peer& p = peer(sid);
  if (stopped || p.dialing || p.live || !p.address) return;
  p.dialing = true;
  ++stats.dials;
  auto c = std::make_shared<ElectionConnection>(tcp::socket(io.context()), true, sid);
  async_dial(c->socket.tcp(), p.address->host, p.address->port, options.connect_timeout, c,
             [this, c, sid](std::error_code ec) {
               if (stopped) return;
               if (ec) {
                 peer(sid).dialing = false;
                 schedule_redial(sid);
                 return;
               }
               secure_dialed(sid, c);
             });
}

void ElectionTransport::Impl::secure_dialed(quorum::Sid sid,
                                            const std::shared_ptr<ElectionConnection>& c) {
  const std::string host = peer(sid).address ? peer(sid).address->host : std::string();
  async_secure(c->socket, options.tls, PeerSide::kDialed, host, c,
               [this, c, sid](const std::string& error) {
                 if (stopped) return;
                 if (!error.empty()) {
                   peer(sid).dialing = false;
                   ++stats.failed_handshakes;
                   bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                                      "election: dropping the connection dialed to sid={}: {}",
                                      sid, error);
                   c->closed = true;
                   c->socket.close();
                   schedule_redial(sid);
                   return;
                 }
                 on_dialed(sid, c);
               });
}

// Still `dialing` for the peer until the connection is installed or dropped, so that no
// second dial starts while this one authenticates.
void ElectionTransport::Impl::on_dialed(quorum::Sid sid,
                                        const std::shared_ptr<ElectionConnection>& c) {
  std::error_code ignored;
  c->socket.tcp().set_option(tcp::no_delay(true), ignored);
  std::string init = encode_connection_init(options.my_sid, advertised);
  const Peer& p = peer(sid);
  // ZooKeeper's initiator authenticates to members of its voting view only, and before its
  // sid rule: the peer's acceptor reads the exchange before it decides to dial back.
  if (p.address && p.address->voting &&
      learner_authenticates(options.tls.sasl, PeerPort::kElection)) {
    async_quorum_sasl_learner(c->socket, options.tls.sasl, PeerPort::kElection, io, p.address->host,
                              std::move(init), c, [this, c, sid](QuorumSaslOutcome outcome) {
                                if (stopped) return;
                                if (!outcome.error.empty()) {  // logged by the exchange
                                  peer(sid).dialing = false;
                                  ++stats.failed_auths;
                                  c->closed = true;
                                  c->socket.close();
                                  schedule_redial(sid);
                                  return;
                                }
                                if (outcome.authenticated) ++stats.authenticated;
                                after_initiation(sid, c, outcome.unread);
                              });
    return;
  }
  peer(sid).dialing = false;
  if (sid > options.my_sid) {
    // The lower sid only announces itself; the peer dials back. Try again later in case it
    // does not (it may be down or still starting).
    write_then_close(c, std::move(init));
    schedule_redial(sid);
    return;
  }
  c->write_buffer = std::move(init);
  install(c);
  read_more(c);
}

void ElectionTransport::Impl::after_initiation(quorum::Sid sid,
                                               const std::shared_ptr<ElectionConnection>& c,
                                               const std::string& unread) {
  peer(sid).dialing = false;
  if (sid > options.my_sid) {
    spdlog::debug(
        "election: have smaller server identifier, so dropping the connection: "
        "(myId:{} --> sid:{})",
        options.my_sid, sid);
    c->closed = true;
    c->socket.close();
    schedule_redial(sid);
    return;
  }
  install(c);
  if (!unread.empty()) {
    c->frames.feed(unread);
    deliver_messages(c);
  }
  if (!c->closed) read_more(c);
}

void ElectionTransport::Impl::schedule_redial(quorum::Sid sid) {
  Peer& p = peer(sid);
  if (stopped || !p.address) return;
  p.backoff = std::clamp(p.backoff * 2, options.min_backoff, options.max_backoff);
  if (!p.redial) p.redial = std::make_unique<asio::steady_timer>(io.context());
  p.redial->expires_after(p.backoff);
  p.redial_pending = true;
  p.redial->async_wait([this, sid](std::error_code ec) {
    if (ec || stopped) return;
    peer(sid).redial_pending = false;
    if (!peer(sid).live) dial(sid);
  });
}

void ElectionTransport::Impl::read_more(const std::shared_ptr<ElectionConnection>& c) {
  // One read at a time: a SASL exchange can end inside on_read and re-arm the read itself.
  if (c->reading || c->closed) return;
  c->reading = true;
  c->socket.async_read_some(asio::buffer(c->read_buffer), [this, c](std::error_code ec, size_t n) {
    c->reading = false;
    if (stopped || c->closed) return;
    if (ec) {
      close(c, ec == asio::error::eof ? "closed by the peer" : ec.message());
      return;
    }
    on_read(c, std::string_view(c->read_buffer.data(), n));
    if (!c->closed && !c->authenticating) read_more(c);
  });
}

void ElectionTransport::Impl::on_read(const std::shared_ptr<ElectionConnection>& c,
                                      std::string_view bytes) {
  const bool accepted_side = !c->dialed;
  if (accepted_side) {
    c->inbound.feed(bytes);
  } else {
    c->frames.feed(bytes);
  }
  if (accepted_side && c->sid < 0) {
    auto init = c->inbound.init();
    if (!init) {
      ++stats.rejected_inits;
      bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                         "election: closing an inbound connection from {}: {}",
                         peer_ip(c->socket.tcp()), init.error());
      close(c, init.error());
      return;
    }
    if (!*init) return;
    if (options.tls.sasl.enabled()) {
      authenticate_inbound(c, **init);
      return;
    }
    if (!on_init(c, **init)) return;
  }
  deliver_messages(c);
}

void ElectionTransport::Impl::authenticate_inbound(const std::shared_ptr<ElectionConnection>& c,
                                                   ConnectionInit init) {
  c->authenticating = true;
  async_quorum_sasl_server(c->socket, options.tls.sasl, PeerPort::kElection, io,
                           c->inbound.take_buffered(), c,
                           [this, c, init = std::move(init)](QuorumSaslOutcome outcome) {
                             if (stopped || c->closed) return;
                             c->authenticating = false;
                             if (!outcome.error.empty()) {  // logged by the exchange
                               ++stats.failed_auths;
                               close(c, outcome.error);
                               return;
                             }
                             if (outcome.authenticated) ++stats.authenticated;
                             if (!on_init(c, init)) return;
                             c->inbound.feed(outcome.unread);
                             deliver_messages(c);
                             if (!c->closed) read_more(c);
                           });
}

void ElectionTransport::Impl::deliver_messages(const std::shared_ptr<ElectionConnection>& c) {
  const bool accepted_side = !c->dialed;
  for (;;) {
    auto message = accepted_side ? c->inbound.next_message() : c->frames.next();
    if (!message) {
      bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                         "election: closing the connection to sid={}: {}", c->sid, message.error());
      close(c, message.error());
      return;
    }
    if (!*message) return;
    deliver(c, **message);
  }
}

// The acceptor's rules. Returns whether the connection stays.
bool ElectionTransport::Impl::on_init(const std::shared_ptr<ElectionConnection>& c,
                                      const ConnectionInit& init) {
  release_pending(c);
  if (init.sid < 0) {
    bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                       "election: a connection from {} claims a negative sid={}",
                       peer_ip(c->socket.tcp()), init.sid);
    close(c, "negative sid");
    return false;
  }
  c->sid = init.sid;
  if (init.sid == options.my_sid) {
    bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                       "election: a connection from {} claims our own sid={}",
                       peer_ip(c->socket.tcp()), init.sid);
    close(c, "own sid");
    return false;
  }
  if (init.sid < options.my_sid) {
    ++stats.dial_backs;
    close(c, "lower sid: dialing back");
    // Only a configured member is dialed back: a stranger's sid makes no table entry.
    auto known = peers.find(init.sid);
    if (known != peers.end() && known->second.address && !known->second.live) {
      known->second.backoff = std::chrono::milliseconds(0);
      dial(init.sid);
    }
    return false;
  }
  install(c);
  return true;
}

// Makes `c` the connection to its peer, replacing any older one, and sends what waits (or the
// last notification again).
void ElectionTransport::Impl::install(const std::shared_ptr<ElectionConnection>& c) {
  Peer& p = peer(c->sid);
  std::shared_ptr<ElectionConnection> old = std::move(p.live);
  p.live = c;
  c->live = true;
  if (old == nullptr && options.on_link_change) options.on_link_change(c->sid, true);
  p.backoff = std::chrono::milliseconds(0);
  if (old && old != c) close(old, "replaced by a new connection");
  if (p.queue.empty() && p.last_sent) p.queue.push_back(*p.last_sent);
  pump(p);
}

void ElectionTransport::Impl::deliver(const std::shared_ptr<ElectionConnection>& c,
                                      const std::string& message) {
  auto n = decode_notification(message);
  if (!n) {
    ++stats.malformed_messages;
    bad_input_log.warn(util::steady_now_ms(), peer_ip(c->socket.tcp()),
                       "election: skipping a malformed notification from sid={}: {}", c->sid,
                       n.error());
    return;
  }
  if (!*n) return;  // ZooKeeper drops these silently
  ++stats.notifications_received;
  handler(c->sid, **n);
}

void ElectionTransport::Impl::enqueue(quorum::Sid to, std::string frame) {
  Peer& p = peer(to);
  if (!p.address && !p.live) {
    spdlog::warn("election: dropping a notification to unknown sid={}", to);
    peers.erase(to);
    return;
  }
  p.queue.push_back(std::move(frame));
  while (p.queue.size() > options.max_queued_per_peer) p.queue.pop_front();
  if (p.live) {
    pump(p);
  } else if (!p.redial_pending) {
    dial(to);
  }
}

void ElectionTransport::Impl::pump(Peer& p) {
  const std::shared_ptr<ElectionConnection> c = p.live;
  if (!c || c->closed || c->writing) return;
  // The dialer's initiation goes first, in the same write.
  if (c->write_buffer.empty() && p.queue.empty()) return;
  while (!p.queue.empty()) {
    p.last_sent = p.queue.front();
    c->write_buffer += p.queue.front();
    p.queue.pop_front();
    ++stats.notifications_sent;
  }
  c->writing = true;
  c->socket.async_write(asio::buffer(c->write_buffer), [this, c](std::error_code ec, size_t) {
    c->writing = false;
    c->write_buffer.clear();
    if (stopped || c->closed) return;
    if (ec) {
      close(c, "write failed: " + ec.message());
      return;
    }
    Peer& again = peer(c->sid);
    if (again.live == c) pump(again);
  });
}

void ElectionTransport::Impl::write_then_close(const std::shared_ptr<ElectionConnection>& c,
                                               std::string bytes) {
  c->write_buffer = std::move(bytes);
  c->socket.async_write(asio::buffer(c->write_buffer), [c](std::error_code, size_t) {
    c->socket.close();
    c->closed = true;
  });
}

void ElectionTransport::Impl::close(const std::shared_ptr<ElectionConnection>& c,
                                    const std::string& reason) {
  if (c->closed) return;
  c->closed = true;
  release_pending(c);
  c->socket.close();
  if (!c->live) return;
  spdlog::info("election: connection to sid={} closed: {}", c->sid, reason);
  auto it = peers.find(c->sid);
  if (it == peers.end() || it->second.live != c) return;
  it->second.live.reset();
  if (options.on_link_change) options.on_link_change(c->sid, false);
  if (!stopped && it->second.address) schedule_redial(c->sid);
}

// --- the public face ---------------------------------------------------------------------------

ElectionTransport::ElectionTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ElectionTransport::~ElectionTransport() { stop(); }

Result<std::unique_ptr<ElectionTransport>> ElectionTransport::open(ElectionTransportOptions options,
                                                                   Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  if (Status st = impl->bind(); !st) return st;
  return std::unique_ptr<ElectionTransport>(new ElectionTransport(std::move(impl)));
}

uint16_t ElectionTransport::port() const { return impl_->port; }

void ElectionTransport::start(std::vector<ElectionPeer> peers) {
  asio::post(impl_->io.context(), [impl = impl_.get(), peers = std::move(peers)] {
    for (const ElectionPeer& p : peers) {
      if (p.sid != impl->options.my_sid) impl->peer(p.sid).address = p;
    }
    impl->accept_next();
    for (const ElectionPeer& p : peers) impl->dial(p.sid);
  });
}

void ElectionTransport::send(quorum::Sid to, const quorum::Notification& n) {
  asio::post(impl_->io.context(),
             [impl = impl_.get(), to, frame = encode_notification_frame(n), n] {
               if (impl->stopped) return;
               if (to == impl->options.my_sid) {
                 impl->handler(to, n);
                 return;
               }
               impl->enqueue(to, frame);
             });
}

ElectionTransportStats ElectionTransport::stats() const {
  if (impl_->stop_requested.load()) return {};
  auto result = std::make_shared<std::promise<ElectionTransportStats>>();
  auto future = result->get_future();
  asio::post(impl_->io.context(), [impl = impl_.get(), result] {
    ElectionTransportStats s = impl->stats;
    for (const auto& [sid, p] : impl->peers) s.live_peers += p.live ? 1 : 0;
    result->set_value(s);
  });
  // A stop racing with this call drops the posted handler: answer empty then.
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return {};
  return future.get();
}

void ElectionTransport::stop() {
  if (!impl_ || impl_->stop_requested.exchange(true)) return;
  std::promise<void> done;
  asio::post(impl_->io.context(), [&] {
    impl_->stopped = true;
    std::error_code ignored;
    impl_->acceptor.close(ignored);
    for (auto& [sid, p] : impl_->peers) {
      if (p.redial) p.redial->cancel();
      if (p.live) {
        p.live->closed = true;
        p.live->socket.close();
      }
    }
    done.set_value();
  });
  done.get_future().wait();
  impl_->io.stop();
}

}  // namespace paddock::peer
