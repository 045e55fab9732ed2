#pragma once
// For the transport tests: collect what handlers deliver on the io thread and wait for a
// condition with a deadline (never a bare sleep).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "peer/quorum_transport.h"

namespace paddock::peer::testing {

template <typename T>
class Inbox {
 public:
  // Notifies while holding the lock: a waiter may destroy the inbox as soon as it sees the
  // item, and a notify after the unlock would touch a destroyed condition variable (TSan).
  void push(T item) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(item));
    cv_.notify_all();
  }
  // Waits until pred(items) holds; false on the deadline.
  bool wait_for(const std::function<bool(const std::vector<T>&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(items_); });
  }
  bool wait_count(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_for([n](const std::vector<T>& v) { return v.size() >= n; }, timeout);
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  std::vector<T> items() {
    std::lock_guard lock(mu_);
    return items_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

// Polls `pred` until it holds or the deadline passes (for state only reachable by asking).
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a poll interval, not a wait
  }
  return true;
}

// A PING with `zxid` and four bytes of data: a packet every quorum link passes on as it is.
inline quorum::QuorumPacket ping(int64_t zxid) {
  return quorum::QuorumPacket{quorum::PacketType::kPing, zxid, "data", {}};
}

// A vote for `leader` in election round `round` (epoch 1, zxid 0x1_0000_0000 + round).
inline quorum::Notification vote(quorum::Sid leader, int64_t round = 1) {
  quorum::Notification n;
  n.leader = leader;
  n.zxid = 0x100000000 + round;
  n.election_epoch = round;
  n.peer_epoch = 1;
  return n;
}

// A quorum listener on loopback with the given security (TLS, SASL) and dials to it: what
// the peer-security tests of both sides need. `received`: the packets the listener's
// connections got; `dial`'s connections are started with handlers that drop what arrives.
struct SecuredLeader {
  IoThread io{"secured-leader"};
  Inbox<std::shared_ptr<PeerConnection>> accepted;
  Inbox<quorum::QuorumPacket> received;
  std::unique_ptr<QuorumListener> listener;
  std::vector<std::shared_ptr<PeerConnection>> dialed;

  explicit SecuredLeader(PeerSecurity security) {
    QuorumListenerOptions o;
    o.host = "127.0.0.1";
    o.tls = std::move(security);
    auto l = QuorumListener::open(io, o, [this](std::shared_ptr<PeerConnection> c) {
      c->start({[this](PeerConnection&, quorum::QuorumPacket p) { received.push(std::move(p)); },
                [](PeerConnection&, const std::string&) {}, nullptr});
      accepted.push(std::move(c));
    });
    EXPECT_TRUE(l) << l.error();
    listener = std::move(*l);
  }
  ~SecuredLeader() {
    for (auto& c : dialed) c->close("test over");
    for (auto& c : accepted.items()) c->close("test over");
    listener.reset();
    io.stop();
  }
  // Dials with `security` to `host`, `attempts` times at most; the connection or the
  // dialer's error.
  Result<std::shared_ptr<PeerConnection>> dial(PeerSecurity security,
                                               const std::string& host = "127.0.0.1",
                                               int attempts = 1) {
    QuorumDialOptions o;
    o.host = host;
    o.port = listener->port();
    o.attempts = attempts;
    o.retry_interval = std::chrono::milliseconds(10);
    o.tls = std::move(security);
    Inbox<Result<std::shared_ptr<PeerConnection>>> done;
    QuorumDialer::dial(io, o, [&](auto r) { done.push(std::move(r)); });
    EXPECT_TRUE(done.wait_count(1));
    auto r = done.items().front();
    if (r) {
      dialed.push_back(*r);
      (*r)->start({[](PeerConnection&, quorum::QuorumPacket) {},
                   [](PeerConnection&, const std::string&) {}, nullptr});
    }
    return r;
  }
};

// DIFF, then each of `txns` txns as PROPOSAL (data of 0-96 bytes) and COMMIT: a learner's
// sync without its NEWLEADER.
inline std::vector<quorum::QuorumPacket> diff_of(int txns) {
  using quorum::PacketType;
  using quorum::QuorumPacket;
  std::vector<QuorumPacket> out;
  out.push_back(QuorumPacket{PacketType::kDiff, 0x100000000 + txns, std::nullopt, std::nullopt});
  for (int i = 1; i <= txns; ++i) {
    out.push_back(QuorumPacket{PacketType::kProposal, 0x100000000 + i,
                               std::string(static_cast<size_t>(i % 97), 't'), std::nullopt});
    out.push_back(QuorumPacket{PacketType::kCommit, 0x100000000 + i, std::nullopt, std::nullopt});
  }
  return out;
}

}  // namespace paddock::peer::testing
