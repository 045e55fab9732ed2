#include "ensemble/quorum_links.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "quorum/payloads.h"

namespace paddock::ensemble {

using quorum::PacketType;

QuorumLinks::QuorumLinks(peer::IoThread& io, Options options, Post post, Handler& handler)
    : io_(io), options_(std::move(options)), post_(std::move(post)), handler_(handler) {}

QuorumLinks::~QuorumLinks() { stop(); }

Status QuorumLinks::listen() {
  peer::QuorumListenerOptions opts;
  opts.host = options_.listen_host;
  opts.port = options_.listen_port;
  opts.connection_limits = options_.limits;
  opts.tls = options_.tls;
  auto listener =
      peer::QuorumListener::open(io_, opts, [this](Conn conn) { on_accepted(std::move(conn)); });
  if (!listener) return listener.status();
  listener_ = std::move(*listener);
  return Status::ok();
}

uint16_t QuorumLinks::port() const { return listener_ ? listener_->port() : 0; }

peer::PeerConnection::Handlers QuorumLinks::handlers_for(Conn conn, bool inbound) {
  // The handlers run on the io thread and only post: the link tables belong to the state
  // thread. A weak pointer keeps a closed connection from being kept alive by its handlers.
  // The packets of one read go over as one task (a follower's ACKs, a leader's PROPOSAL and
  // COMMIT pairs): one hand-off and one Ready for the batch instead of one per packet.
  std::weak_ptr<peer::PeerConnection> weak = conn;
  auto batch = std::make_shared<std::vector<quorum::QuorumPacket>>();
  peer::PeerConnection::Handlers h;
  h.on_packet = [batch](peer::PeerConnection&, quorum::QuorumPacket packet) {
    batch->push_back(std::move(packet));
  };
  h.on_read_done = [this, weak, inbound, batch](peer::PeerConnection&) {
    if (batch->empty()) return;
    post_([this, weak, inbound, packets = std::exchange(*batch, {})]() mutable {
      Conn c = weak.lock();
      if (c == nullptr || stopped_) return;
      for (quorum::QuorumPacket& p : packets) {
        if (inbound) {
          inbound_packet(c, std::move(p));
        } else if (c == leader_link_) {
          handler_.on_quorum_packet(leader_sid_, std::move(p));
        } else {
          break;  // the link was replaced by a packet of this batch
        }
      }
      handler_.on_quorum_packets_done();
    });
  };
  h.on_closed = [this, weak, inbound](peer::PeerConnection& pc, const std::string& reason) {
    spdlog::info("event=quorum_link_closed peer={} reason=\"{}\"", pc.peer_name(), reason);
    post_([this, weak, inbound] {
      Conn c = weak.lock();
      if (c == nullptr || stopped_) return;
      if (inbound) {
        inbound_closed(c);
      } else if (c == leader_link_) {
        leader_link_.reset();
        handler_.on_quorum_disconnected(leader_sid_);
      }
    });
  };
  return h;
}

void QuorumLinks::on_accepted(Conn conn) {
  // Until its first packet has been looked at on the state thread, the connection lives by
  // its own pending read; from then on by the tables below.
  conn->start(handlers_for(conn, /*inbound=*/true));
}

void QuorumLinks::inbound_packet(const Conn& conn, quorum::QuorumPacket packet) {
  if (conn->closed()) return;
  auto known = inbound_sid_.find(conn.get());
  if (known != inbound_sid_.end()) {
    const Sid sid = known->second.first;
    auto current = learners_.find(sid);
    if (current != learners_.end() && current->second == conn) {
      LinkFigures& f = figures_[sid];
      ++f.received;
      if (packet.type == PacketType::kRequest) ++f.requests;
      if (packet.type == PacketType::kAck) f.last_acked = std::max(f.last_acked, packet.zxid);
      handler_.on_quorum_packet(sid, std::move(packet));
    }
    return;
  }
  for (Held& held : held_) {
    if (held.conn == conn) {
      held.packets.push_back(std::move(packet));
      return;
    }
  }
  // The first packet says who the learner is.
  if (packet.type != PacketType::kFollowerInfo && packet.type != PacketType::kObserverInfo) {
    conn->close("the first packet is not FOLLOWERINFO or OBSERVERINFO");
    return;
  }
  auto info = quorum::decode_learner_info(packet.data.value_or(""));
  if (!info) {
    conn->close("bad LearnerInfo: " + info.error());
    return;
  }
  if (stance_ == Stance::kLearning) {
    conn->close("this server does not lead");
    return;
  }
  if (stance_ == Stance::kLooking) {
    if (held_.size() >= options_.max_held_learners) {
      conn->close("too many learners waiting for a leader");
      return;
    }
    Held held{conn, info->sid, {}};
    held.packets.push_back(std::move(packet));
    held_.push_back(std::move(held));
    return;
  }
  adopt(conn, info->sid);
  handler_.on_quorum_packet(info->sid, std::move(packet));
}

void QuorumLinks::adopt(const Conn& conn, Sid sid) {
  auto old = learners_.find(sid);
  if (old != learners_.end() && old->second != conn) {
    // The learner reconnected: its old connection is done, and its close is not reported.
    Conn previous = old->second;
    learners_.erase(old);
    previous->close("replaced by a new connection from the same server");
  }
  learners_[sid] = conn;
  figures_[sid] = LinkFigures{std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count()};
  inbound_sid_[conn.get()] = {sid, conn};
  conn->set_peer_sid(sid);
}

void QuorumLinks::inbound_closed(const Conn& conn) {
  std::erase_if(held_, [&](const Held& h) { return h.conn == conn; });
  auto known = inbound_sid_.find(conn.get());
  if (known == inbound_sid_.end()) return;
  const Sid sid = known->second.first;
  inbound_sid_.erase(known);
  auto current = learners_.find(sid);
  if (current != learners_.end() && current->second == conn) {
    learners_.erase(current);
    figures_.erase(sid);
    handler_.on_quorum_disconnected(sid);
  }
}

void QuorumLinks::set_stance(Stance stance) {
  if (stance == stance_) return;
  const bool was_leading = stance_ == Stance::kLeading;
  stance_ = stance;
  if (was_leading) {
    // A term ended: its learners' connections go (the core forgot them already).
    for (auto& [sid, conn] : learners_) conn->close("this server no longer leads");
    learners_.clear();
    figures_.clear();
  }
  if (stance == Stance::kLearning) {
    for (Held& held : held_) held.conn->close("this server follows another leader");
    held_.clear();
    return;
  }
  if (stance != Stance::kLeading) return;
  std::vector<Held> held = std::move(held_);
  held_.clear();
  for (Held& h : held) {
    if (h.conn->closed()) continue;
    adopt(h.conn, h.sid);
    for (auto& p : h.packets) {
      auto current = learners_.find(h.sid);
      if (current == learners_.end() || current->second != h.conn) break;
      handler_.on_quorum_packet(h.sid, std::move(p));
    }
  }
}

void QuorumLinks::dial(Sid leader, const std::string& host, uint16_t port) {
  if (leader_link_) {
    leader_link_->close("dialing the leader again");
    leader_link_.reset();
  }
  if (dialer_) dialer_->cancel();
  const uint64_t generation = ++dial_generation_;
  leader_sid_ = leader;
  peer::QuorumDialOptions opts;
  opts.host = host;
  opts.port = port;
  opts.attempts = options_.dial_attempts;
  opts.retry_interval = options_.dial_retry_interval;
  opts.connect_timeout = options_.connect_timeout;
  opts.connection_limits = options_.limits;
  opts.tls = options_.tls;
  dialer_ = peer::QuorumDialer::dial(io_, opts, [this, generation, leader](Result<Conn> result) {
    post_([this, generation, leader, r = std::move(result)]() mutable {
      if (!stopped_) on_dialed(generation, leader, std::move(r));
    });
  });
}

void QuorumLinks::on_dialed(uint64_t generation, Sid leader, Result<Conn> result) {
  if (generation != dial_generation_) {
    if (result) (*result)->close("a newer dial replaced this one");
    return;
  }
  dialer_.reset();
  if (!result) {
    spdlog::warn("event=leader_dial_failed leader={} {}", leader, result.error());
    handler_.on_quorum_disconnected(leader);
    return;
  }
  leader_link_ = *result;
  leader_link_->set_peer_sid(leader);
  leader_link_->start(handlers_for(leader_link_, /*inbound=*/false));
  handler_.on_quorum_connected(leader);
}

void QuorumLinks::hang_up(Sid peer) {
  if (peer == leader_sid_ && (leader_link_ || dialer_)) {
    ++dial_generation_;  // a dial still running is forgotten
    if (dialer_) dialer_->cancel();
    dialer_.reset();
    if (leader_link_) leader_link_->close("hung up");
    leader_link_.reset();
  }
  auto it = learners_.find(peer);
  if (it != learners_.end()) {
    Conn conn = it->second;
    learners_.erase(it);
    conn->close("hung up");
  }
}

bool QuorumLinks::send(Sid to, quorum::QuorumPacket packet) {
  if (leader_link_ && to == leader_sid_) return leader_link_->send(std::move(packet));
  auto it = learners_.find(to);
  if (it == learners_.end()) return false;
  ++figures_[to].sent;
  return it->second->send(std::move(packet));
}

namespace {
// A DIFF or TRUNC with the txns that follow it; a SNAP's body is made apart (send_all).
bool is_sync_without_snap(const std::vector<quorum::QuorumPacket>& packets) {
  bool sync = false;
  for (const quorum::QuorumPacket& p : packets) {
    if (p.type == quorum::PacketType::kSnap) return false;
    sync = sync || p.type == quorum::PacketType::kDiff || p.type == quorum::PacketType::kTrunc;
  }
  return sync;
}
}  // namespace

bool QuorumLinks::send_all(Sid to, std::vector<quorum::QuorumPacket> packets,
                           std::shared_ptr<peer::SnapBody> snap_body) {
  if (leader_link_ && to == leader_sid_) {
    return leader_link_->send_all(std::move(packets), std::move(snap_body));
  }
  auto it = learners_.find(to);
  if (it == learners_.end()) return false;
  figures_[to].sent += packets.size();
  if (packets.size() >= options_.encode_aside_min_packets && is_sync_without_snap(packets)) {
    peer::PacketEncoder::Encoding e = encoder_.encode(std::move(packets));
    return it->second->send_encoded(std::move(e.body), e.packets, e.bytes);
  }
  return it->second->send_all(std::move(packets), std::move(snap_body));
}

std::vector<QuorumLinks::LearnerLink> QuorumLinks::learner_links() const {
  std::vector<LearnerLink> out;
  for (const auto& [sid, conn] : learners_) {
    LearnerLink l;
    l.sid = sid;
    l.remote_address = conn->remote_address();
    std::tie(l.queued_packets, l.queued_bytes) = conn->queued();
    if (auto f = figures_.find(sid); f != figures_.end()) {
      l.established_ms = f->second.established_ms;
      l.packets_received = f->second.received;
      l.packets_sent = f->second.sent;
      l.requests = f->second.requests;
      l.last_zxid = f->second.last_acked;
    }
    out.push_back(std::move(l));
  }
  return out;
}

void QuorumLinks::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (listener_) listener_->stop();
  if (dialer_) dialer_->cancel();
  if (leader_link_) leader_link_->close("shutting down");
  for (auto& [sid, conn] : learners_) conn->close("shutting down");
  for (Held& held : held_) held.conn->close("shutting down");
  encoder_.stop();
  inbound_sid_.clear();
  learners_.clear();
  figures_.clear();
  held_.clear();
  leader_link_.reset();
  dialer_.reset();
}

}  // namespace paddock::ensemble
