#include "peer/quorum_transport.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <future>

#include "peer/quorum_sasl.h"
#include "peer/tcp_dial.h"

namespace paddock::peer {
namespace {

constexpr size_t kQuorumReadChunkBytes = 64 * 1024;
// Queued buffers (a packet, or a run of packets sent together) per gather write, at most.
constexpr size_t kMaxPacketsPerWrite = 64;

std::string endpoint_text(const asio::ip::tcp::socket& socket) {
  std::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

}  // namespace

// --- PeerConnection --------------------------------------------------------------------------

PeerConnection::PeerConnection(PeerSocket socket, PeerConnectionLimits limits,
                               std::string already_read)
    : socket_(std::move(socket)),
      secure_(socket_.secure()),
      limits_(limits),
      remote_(endpoint_text(socket_.tcp())),
      decoder_(limits.decoder),
      read_buffer_(kQuorumReadChunkBytes),
      already_read_(std::move(already_read)) {
  std::error_code ec;
  socket_.tcp().set_option(asio::ip::tcp::no_delay(true), ec);
}

PeerConnection::~PeerConnection() = default;

std::string PeerConnection::peer_name() const {
  const quorum::Sid sid = peer_sid_.load();
  return sid >= 0 ? fmt::format("sid={} addr={}", sid, remote_) : fmt::format("addr={}", remote_);
}

void PeerConnection::start(Handlers handlers) {
  asio::post(socket_.tcp().get_executor(),
             [self = shared_from_this(), h = std::move(handlers)]() mutable {
               if (self->closed_) {  // closed before it started: still say so, once
                 if (h.on_closed) h.on_closed(*self, self->close_reason_);
                 return;
               }
               self->handlers_ = std::move(h);
               std::string first = std::move(self->already_read_);
               if (!first.empty() && !self->consume(first)) return;
               self->read_more();
             });
}

void PeerConnection::read_more() {
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this()](std::error_code ec, size_t n) { self->on_read(ec, n); });
}

void PeerConnection::on_read(std::error_code ec, size_t n) {
  if (closed_) return;
  if (ec) {
    close_here(ec == asio::error::eof ? "closed by the peer" : "read failed: " + ec.message());
    return;
  }
  if (consume(std::string_view(read_buffer_.data(), n))) read_more();
}

bool PeerConnection::consume(std::string_view bytes) {
  decoder_.feed(bytes);
  for (;;) {
    auto packet = decoder_.next();
    if (!packet) {
      limits_.bad_input_log->warn(util::steady_now_ms(), remote_ip(),
                                  "closing quorum connection: malformed stream peer={} error={}",
                                  peer_name(), packet.error());
      if (handlers_.on_read_done) handlers_.on_read_done(*this);
      close_here("malformed stream: " + packet.error());
      return false;
    }
    if (!*packet) break;
    if (handlers_.on_packet) handlers_.on_packet(*this, std::move(**packet));
    if (closed_) return false;  // the handler closed it
  }
  if (handlers_.on_read_done) handlers_.on_read_done(*this);
  return true;
}

bool PeerConnection::send(quorum::QuorumPacket packet) {
  std::vector<quorum::QuorumPacket> one;
  one.push_back(std::move(packet));
  return send_all(std::move(one));
}

bool PeerConnection::send_all(std::vector<quorum::QuorumPacket> packets,
                              std::shared_ptr<SnapBody> snap_body) {
  if (packets.empty()) return !closed();
  // Runs of packets other than SNAP are encoded back to back into one buffer: one write
  // (one syscall) carries them all.
  std::vector<Outbound> outs;
  std::vector<std::shared_ptr<SnapBody>> waiting;  // bodies not done yet (never written now)
  bool sync = false;  // the batch brings a learner in sync (DIFF, TRUNC or SNAP)
  for (quorum::QuorumPacket& packet : packets) {
    sync = sync || packet.type == quorum::PacketType::kDiff ||
           packet.type == quorum::PacketType::kTrunc || packet.type == quorum::PacketType::kSnap;
    if (packet.type == quorum::PacketType::kSnap) {
      Outbound& out = outs.emplace_back();
      out.head = encode_snap_head(packet);
      if (packet.data) {
        out.body = SnapBody::ready(std::move(*packet.data));
      } else {
        PADDOCK_ASSERT(snap_body != nullptr);
        out.body = snap_body;
      }
      if (out.waits()) waiting.push_back(out.body);
      out.tail = encode_snap_tail();
      out.packets = 1;
      continue;
    }
    if (outs.empty() || outs.back().body) outs.emplace_back();
    append_quorum_packet(packet, outs.back().head);
    ++outs.back().packets;
  }
  for (Outbound& out : outs) out.counted = out.size();
  return queue(std::move(outs), std::move(waiting), packets.size(), sync);
}

bool PeerConnection::send_encoded(std::shared_ptr<SnapBody> body, size_t packets, uint64_t bytes) {
  PADDOCK_ASSERT(body != nullptr && packets > 0);
  std::vector<Outbound> outs(1);
  outs[0].body = body;
  outs[0].packets = packets;
  outs[0].counted = bytes;
  std::vector<std::shared_ptr<SnapBody>> waiting;
  if (outs[0].waits()) waiting.push_back(std::move(body));
  return queue(std::move(outs), std::move(waiting), packets, /*sync=*/true);
}

bool PeerConnection::queue(std::vector<Outbound> outs,
                           std::vector<std::shared_ptr<SnapBody>> waiting, size_t packets,
                           bool sync) {
  uint64_t bytes = 0;
  for (const Outbound& out : outs) bytes += out.counted;
  std::string overflow;
  bool post_write = false;
  {
    std::lock_guard lock(mu_);
    if (send_closed_) return false;
    // A learner's sync is this server's own send, however many packets it holds (a DIFF of
    // N txns is 2N packets, each PROPOSAL with its COMMIT): judged by the packet limit, a
    // DIFF of more than half of it closed the link, and the learner dialed into the same DIFF
    // for ever. Packets queued while a SNAP body is being made are exempt alike.
    const bool exempt = sync || waiting_bodies_ + waiting.size() > 0;
    if ((!exempt && queued_packets_ - exempt_packets_ + packets > limits_.max_queued_packets) ||
        queued_bytes_ + bytes > limits_.max_queued_bytes) {
      send_closed_ = true;
      overflow = fmt::format(
          "send queue full ({} packets and {} bytes queued, {} and {} more; limits {} "
          "and {})",
          queued_packets_, queued_bytes_, packets, bytes, limits_.max_queued_packets,
          limits_.max_queued_bytes);
      waiting.clear();  // not queued: nothing to count down
    } else {
      size_t first = 0;
      if (!write_scheduled_ && !secure_ && !outs[0].body && try_write_now(outs[0])) first = 1;
      if (first == outs.size()) return true;  // written whole on the caller's thread
      for (size_t i = first; i < outs.size(); ++i) {
        queued_bytes_ += outs[i].counted;
        queued_packets_ += outs[i].packets;
        outs[i].exempt = exempt;
        exempt_packets_ += exempt ? outs[i].packets : 0;
        queue_.push_back(std::move(outs[i]));
      }
      waiting_bodies_ += waiting.size();
      post_write = !write_scheduled_;
      write_scheduled_ = true;
    }
  }
  for (const std::shared_ptr<SnapBody>& body : waiting) {
    body->when_done([weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        std::lock_guard lock(self->mu_);
        if (self->waiting_bodies_ > 0) --self->waiting_bodies_;
      }
    });
  }
  if (!overflow.empty()) {
    spdlog::warn("closing quorum connection: {} peer={}", overflow, peer_name());
    close(overflow);
    return false;
  }
  if (!post_write) return true;
  asio::post(socket_.tcp().get_executor(),
             [self = shared_from_this()] { self->write_queued(); });
  return true;
}

bool PeerConnection::try_write_now(Outbound& out) {
  // Called with mu_ held and nothing queued or in flight, so these bytes cannot overtake
  // others; close_here() sets send_closed_ under mu_ before it closes the socket, so the
  // descriptor is still this connection's. The io thread may be reading the same socket at
  // this moment: TCP is full duplex, and asio's reactor never sees this raw write.
  PADDOCK_ASSERT(queue_.empty());
  for (;;) {
    const ssize_t n = ::send(socket_.tcp().native_handle(), out.head.data(), out.head.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(out.head.size())) {
      direct_writes_ += out.packets;
      return true;
    }
    if (n >= 0) {  // the socket took part: the rest goes out from the io thread
      out.head.erase(0, static_cast<size_t>(n));
      return false;
    }
    if (errno == EINTR) continue;
    // EAGAIN: queue it. An error: queue it too, and let the io thread's write meet the error
    // and close the connection with its reason, as before.
    return false;
  }
}

void PeerConnection::write_queued() {
  if (closed_) return;
  std::shared_ptr<SnapBody> wait_for;
  std::string failed;  // why a SNAP at the front cannot be written
  {
    std::lock_guard lock(mu_);
    const size_t n = std::min(queue_.size(), kMaxPacketsPerWrite);
    for (size_t i = 0; i < n; ++i) {
      Outbound& front = queue_.front();
      if (front.waits()) {
        // Its body is still being made: what is before it goes now, it and the rest later.
        if (in_flight_.empty()) wait_for = front.body;
        break;
      }
      if (front.body && !front.body->failure().empty()) {
        if (in_flight_.empty()) {
          failed = front.head.empty()
                       ? "a sync's packets could not be encoded: " + front.body->failure()
                       : "the SNAP body could not be made: " + front.body->failure();
        }
        break;
      }
      queued_bytes_ -= front.counted;
      queued_packets_ -= front.packets;
      if (front.exempt) exempt_packets_ -= front.packets;
      in_flight_.push_back(std::move(front));
      queue_.pop_front();
    }
    if (in_flight_.empty() && !wait_for && failed.empty()) {
      write_scheduled_ = false;
      return;
    }
  }
  if (!failed.empty()) {
    close_here(failed);
    return;
  }
  if (wait_for) {
    // write_scheduled_ stays set, so later sends queue behind the SNAP.
    wait_for->when_done([self = shared_from_this()] {
      asio::post(self->socket_.tcp().get_executor(), [self] { self->write_queued(); });
    });
    return;
  }
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size() * 3);
  for (const Outbound& o : in_flight_) {
    if (!o.head.empty()) buffers.push_back(asio::buffer(o.head));
    if (o.body) buffers.push_back(asio::buffer(o.body->bytes()));
    if (!o.tail.empty()) buffers.push_back(asio::buffer(o.tail));
  }
  socket_.async_write(buffers, [self = shared_from_this()](std::error_code ec, size_t) {
    self->on_written(ec);
  });
}

void PeerConnection::on_written(std::error_code ec) {
  in_flight_.clear();
  if (closed_) return;
  if (ec) {
    close_here("write failed: " + ec.message());
    return;
  }
  write_queued();
}

void PeerConnection::close(std::string reason) {
  asio::post(socket_.tcp().get_executor(),
             [self = shared_from_this(), r = std::move(reason)] { self->close_here(r); });
}

void PeerConnection::close_here(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  close_reason_ = reason;
  closed_flag_.store(true);
  {
    std::lock_guard lock(mu_);
    send_closed_ = true;
    queue_.clear();
    queued_bytes_ = 0;
    queued_packets_ = 0;
    exempt_packets_ = 0;
  }
  socket_.close();
  spdlog::info("quorum connection closed peer={} reason={}", peer_name(), reason);
  Handlers handlers = std::move(handlers_);  // drop them after this call: no cycles kept
  handlers_ = {};
  if (handlers.on_closed) handlers.on_closed(*this, reason);
}

// --- QuorumListener ------------------------------------------------------------------------

QuorumListener::QuorumListener(IoThread& io, QuorumListenerOptions options, AcceptHandler on_accept)
    : io_(io),
      options_(std::move(options)),
      on_accept_(std::move(on_accept)),
      acceptor_(io.context()) {}

Result<std::unique_ptr<QuorumListener>> QuorumListener::open(IoThread& io,
                                                             QuorumListenerOptions options,
                                                             AcceptHandler on_accept) {
  std::unique_ptr<QuorumListener> l(
      new QuorumListener(io, std::move(options), std::move(on_accept)));
  std::error_code ec;
  const auto address = resolve_listen_address(l->options_.host);
  if (!address) return Status::error("quorum listener: " + address.error());
  const asio::ip::tcp::endpoint endpoint(*address, l->options_.port);
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::error(fmt::format("quorum listener on {}:{}: {}", l->options_.host,
                                     l->options_.port, ec.message()));
  }
  l->port_ = l->acceptor_.local_endpoint().port();
  asio::post(io.context(), [raw = l.get()] { raw->accept_next(); });
  return l;
}

QuorumListener::~QuorumListener() { stop(); }

void QuorumListener::stop() {
  if (io_.on_this_thread() || io_.context().stopped()) {
    std::error_code ignored;
    acceptor_.close(ignored);
    *alive_ = false;
    return;
  }
  // Close on the io thread and wait, so no accept handler runs after this returns.
  std::promise<void> done;
  asio::post(io_.context(), [&] {
    std::error_code ignored;
    acceptor_.close(ignored);
    *alive_ = false;
    done.set_value();
  });
  auto f = done.get_future();
  if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    std::error_code ignored;  // the loop is not running (stopped): nothing can race
    acceptor_.close(ignored);
    *alive_ = false;
  }
}

void QuorumListener::accept_next() {
  if (!acceptor_.is_open()) return;
  acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      std::erase_if(accepted_, [](const auto& w) { return w.expired(); });
      if (accepted_.size() + securing_ >= options_.max_connections) {
        const std::string remote = endpoint_text(socket);
        refused_log_.warn(util::steady_now_ms(), remote.substr(0, remote.rfind(':')),
                          "quorum listener: refusing addr={}: {} connections open", remote,
                          accepted_.size() + securing_);
        std::error_code ignored;
        socket.close(ignored);
      } else {
        secure_and_hand_over(std::move(socket));
      }
    } else {
      spdlog::warn("quorum listener: accept failed: {}", ec.message());
    }
    accept_next();
  });
}

void QuorumListener::secure_and_hand_over(asio::ip::tcp::socket socket) {
  auto sock = std::make_shared<PeerSocket>(std::move(socket));
  ++securing_;
  async_secure(*sock, options_.tls, PeerSide::kAccepted, "", sock,
               [this, alive = alive_, sock](const std::string& error) {
                 if (!*alive) return;  // stopped meanwhile: the socket closes with `sock`
                 if (!error.empty()) {
                   --securing_;
                   const std::string remote = endpoint_text(sock->tcp());
                   refused_log_.warn(util::steady_now_ms(), remote.substr(0, remote.rfind(':')),
                                     "quorum listener: dropping addr={}: {}", remote, error);
                   sock->close();
                   return;
                 }
                 authenticate_and_hand_over(sock);
               });
}

// ZooKeeper's leader authenticates a learner before it reads LearnerInfo (in LearnerHandler's
// constructor, on its acceptor thread: one slow learner holds up the others there). Here the
// exchange runs beside other connections on the io thread.
void QuorumListener::authenticate_and_hand_over(std::shared_ptr<PeerSocket> sock) {
  async_quorum_sasl_server(*sock, options_.tls.sasl, PeerPort::kQuorum, io_, std::string(), sock,
                           [this, alive = alive_, sock](QuorumSaslOutcome outcome) {
                             if (!*alive) return;
                             --securing_;
                             if (!outcome.error.empty()) {  // logged by the exchange
                               sock->close();
                               return;
                             }
                             auto conn = std::make_shared<PeerConnection>(
                                 std::move(*sock), options_.connection_limits,
                                 std::move(outcome.unread));
                             accepted_.push_back(conn);
                             on_accept_(std::move(conn));
                           });
}

// --- QuorumDialer --------------------------------------------------------------------------

QuorumDialer::QuorumDialer(IoThread& io, QuorumDialOptions options, DoneHandler done)
    : io_(io), options_(std::move(options)), done_(std::move(done)), timer_(io.context()) {}

std::shared_ptr<QuorumDialer> QuorumDialer::dial(IoThread& io, QuorumDialOptions options,
                                                 DoneHandler done) {
  auto d = std::make_shared<QuorumDialer>(io, std::move(options), std::move(done));
  asio::post(io.context(), [d] { d->attempt(); });
  return d;
}

void QuorumDialer::cancel() {
  asio::post(io_.context(),
             [self = shared_from_this()] { self->finish(Status::error("dial cancelled")); });
}

void QuorumDialer::attempt() {
  if (finished_) return;
  ++attempts_made_;
  socket_ = std::make_unique<asio::ip::tcp::socket>(io_.context());
  async_dial(
      *socket_, options_.host, options_.port, options_.connect_timeout, shared_from_this(),
      [self = shared_from_this()](std::error_code ec) {
        if (self->finished_) return;
        if (ec) {
          self->attempt_failed(ec == std::errc::timed_out ? "connect timed out" : ec.message());
          return;
        }
        self->secure();
      });
}

void QuorumDialer::secure() {
  securing_ = std::make_unique<PeerSocket>(std::move(*socket_));
  socket_.reset();
  async_secure(*securing_, options_.tls, PeerSide::kDialed, options_.host, shared_from_this(),
               [self = shared_from_this()](const std::string& error) {
                 if (self->finished_) return;
                 if (!error.empty()) {
                   self->attempt_failed(error);
                   return;
                 }
                 self->authenticate();
               });
}

void QuorumDialer::authenticate() {
  auto hand_over = [this](std::string unread) {
    auto conn = std::make_shared<PeerConnection>(std::move(*securing_), options_.connection_limits,
                                                 std::move(unread));
    securing_.reset();
    finish(std::move(conn));
  };
  if (!learner_authenticates(options_.tls.sasl, PeerPort::kQuorum)) {
    hand_over(std::string());
    return;
  }
  async_quorum_sasl_learner(
      *securing_, options_.tls.sasl, PeerPort::kQuorum, io_, options_.host, std::string(),
      shared_from_this(), [self = shared_from_this(), hand_over](QuorumSaslOutcome outcome) {
        if (self->finished_) return;
        if (!outcome.error.empty()) {  // logged by the exchange; not retried (see the .h)
          self->finish(Status::error(fmt::format("the leader at {}:{}: {}", self->options_.host,
                                                 self->options_.port, outcome.error)));
          return;
        }
        hand_over(std::move(outcome.unread));
      });
}

void QuorumDialer::attempt_failed(const std::string& why) {
  socket_.reset();
  if (securing_) securing_->close();
  securing_.reset();
  spdlog::info("connecting to the leader at {}:{} failed (attempt {} of {}): {}", options_.host,
               options_.port, attempts_made_, options_.attempts, why);
  if (attempts_made_ >= options_.attempts) {
    finish(
        Status::error(fmt::format("could not connect to the leader at {}:{} after {} attempts: {}",
                                  options_.host, options_.port, attempts_made_, why)));
    return;
  }
  timer_.expires_after(options_.retry_interval);
  timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (!ec) self->attempt();
  });
}

void QuorumDialer::finish(Result<std::shared_ptr<PeerConnection>> result) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (socket_) {
    std::error_code ignored;
    socket_->close(ignored);
  }
  if (securing_) securing_->close();
  DoneHandler done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result));
}

}  // namespace paddock::peer
