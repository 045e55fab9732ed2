#pragma once
// QuorumLinks: an ensemble member's quorum-port connections, as the ZAB core sees them --
// one connection per peer sid. As a leader it accepts learners and learns each one's sid
// from its FOLLOWERINFO/OBSERVERINFO; as a learner it dials its leader. Everything the core
// is told (packets, connected, disconnected) comes through `Handler` on the state-owning
// thread, posted there in the order the network thread saw it.
//
// The core keys learners by sid, so a close is reported only for the connection that is
// current for its sid: a learner that reconnects replaces its old connection, and the old
// one's late close is not reported (the README of quorum/ asks for this).
//
// A learner may dial before this server knows it leads (it decides a moment later, after
// the election's finalize wait). Its FOLLOWERINFO is held until this server leads -- then
// it is delivered -- or takes another role, which closes the connection.
//
// Threads: the network work runs on the IoThread given; the rest (every public method and
// every Handler call) on the state-owning thread. `post` hands a task to that thread.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "peer/io_thread.h"
#include "peer/packet_encoder.h"
#include "peer/quorum_transport.h"
#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::ensemble {

using quorum::Sid;

class QuorumLinks {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_quorum_packet(Sid from, quorum::QuorumPacket packet) = 0;
    // After a batch of on_quorum_packet calls (the packets of one read from one link), so
    // the receiver can act once per batch rather than once per packet.
    virtual void on_quorum_packets_done() {}
    virtual void on_quorum_connected(Sid peer) = 0;     // a dial to the leader succeeded
    virtual void on_quorum_disconnected(Sid peer) = 0;  // the current link ended, or a dial failed
  };
  using Post = std::function<void(std::function<void()>)>;

  struct Options {
    std::string listen_host = "0.0.0.0";
    uint16_t listen_port = 0;
    std::chrono::milliseconds connect_timeout{5000};
    int dial_attempts = 5;
    std::chrono::milliseconds dial_retry_interval{1000};
    peer::PeerConnectionLimits limits;
    size_t max_held_learners = 64;  // FOLLOWERINFOs held while this server is not leading yet
    peer::PeerTls tls;              // sslQuorum / portUnification
    // A learner's sync (DIFF or TRUNC with its txns) of at least this many packets is
    // encoded on the encoder's thread, not the caller's (peer/packet_encoder.h).
    size_t encode_aside_min_packets = 1000;
  };

  QuorumLinks(peer::IoThread& io, Options options, Post post, Handler& handler);
  ~QuorumLinks();
  QuorumLinks(const QuorumLinks&) = delete;
  QuorumLinks& operator=(const QuorumLinks&) = delete;

  // Binds the quorum port.
  Status listen();
  uint16_t port() const;

  // What this server is now: leading (held learners are delivered), looking (they stay
  // held) or learning (they are closed: they must find the leader). Learners' connections
  // of a term that ended are closed.
  enum class Stance { kLooking, kLeading, kLearning };
  void set_stance(Stance stance);
  // Learner: a connection to the leader at host:port (any earlier one is dropped).
  void dial(Sid leader, const std::string& host, uint16_t port);
  // Closes the link with `peer`; its close is not reported.
  void hang_up(Sid peer);
  // False when there is no link with `to` (the packet is dropped; the core times out).
  bool send(Sid to, quorum::QuorumPacket packet);
  // The same for several packets to one peer, in order, written together where they fit.
  // A SNAP without data has `snap_body` as its body (peer::PeerConnection::send_all). A large
  // sync is encoded on another thread (Options::encode_aside_min_packets); what is sent to
  // that peer after it waits for it.
  bool send_all(Sid to, std::vector<quorum::QuorumPacket> packets,
                std::shared_ptr<peer::SnapBody> snap_body = nullptr);
  // Closes everything; no Handler call follows once the IoThread has stopped.
  void stop();

  // What the leader knows of one learner's current link (the admin observers command, as
  // ZooKeeper's LearnerHandler reports it). State thread.
  struct LearnerLink {
    Sid sid = 0;
    std::string remote_address;  // ip:port of the learner's end
    int64_t established_ms = 0;  // wall clock, when its LearnerInfo arrived
    size_t queued_packets = 0;
    uint64_t queued_bytes = 0;
    uint64_t packets_received = 0;
    uint64_t packets_sent = 0;
    uint64_t requests = 0;    // REQUEST packets: client writes it forwarded
    int64_t last_zxid = 0;    // the last zxid it acknowledged
  };
  std::vector<LearnerLink> learner_links() const;
  // Syncs encoded on the encoder's thread so far (tests).
  uint64_t syncs_encoded_aside() const { return encoder_.encoded(); }

 private:
  using Conn = std::shared_ptr<peer::PeerConnection>;
  struct Held {
    Conn conn;
    Sid sid = 0;
    std::deque<quorum::QuorumPacket> packets;
  };
  void on_accepted(Conn conn);                     // io thread
  void inbound_packet(const Conn& conn, quorum::QuorumPacket packet);  // state thread
  void inbound_closed(const Conn& conn);
  void adopt(const Conn& conn, Sid sid);
  void on_dialed(uint64_t generation, Sid leader, Result<Conn> result);
  peer::PeerConnection::Handlers handlers_for(Conn conn, bool inbound);

  peer::IoThread& io_;
  Options options_;
  Post post_;
  Handler& handler_;
  std::unique_ptr<peer::QuorumListener> listener_;
  peer::PacketEncoder encoder_;  // large syncs' packets
  Stance stance_ = Stance::kLooking;
  bool stopped_ = false;
  // Leader side.
  // Every identified inbound connection, until its close is seen (it is kept alive so that
  // its close arrives and the entry goes).
  std::map<peer::PeerConnection*, std::pair<Sid, Conn>> inbound_sid_;
  std::map<Sid, Conn> learners_;                      // the current connection per learner
  struct LinkFigures {
    int64_t established_ms = 0;
    uint64_t received = 0;
    uint64_t sent = 0;
    uint64_t requests = 0;
    int64_t last_acked = 0;
  };
  std::map<Sid, LinkFigures> figures_;  // per entry of learners_
  std::vector<Held> held_;
  // Learner side.
  uint64_t dial_generation_ = 0;
  std::shared_ptr<peer::QuorumDialer> dialer_;
  Conn leader_link_;
  Sid leader_sid_ = -1;
};

}  // namespace paddock::ensemble
