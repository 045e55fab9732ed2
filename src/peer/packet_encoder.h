#pragma once
// PacketEncoder: encodes a large run of quorum packets on its own thread, so that the thread
// that sends them does not stop for it.
//
// A leader syncing a learner by DIFF sends every txn the learner lacks as a PROPOSAL and a
// COMMIT: a DIFF of 100,000 txns is 200,000 packets and about 24 MB on the wire. The core's
// Ready is carried out on the state-owning thread, the one that answers every client, and
// encoding that run there stopped it for 60-75 ms (bench/diff_ab.py). The connection queues
// the run as a body still being made (PeerConnection::send_encoded), and holds whatever is
// sent after it until the body is done, so the order on the wire stays the core's.
//
// One worker thread, started on first use; jobs run in the order given. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "peer/snap_body.h"
#include "quorum/messages.h"

namespace paddock::peer {

class PacketEncoder {
 public:
  PacketEncoder() = default;
  ~PacketEncoder();  // stop()
  PacketEncoder(const PacketEncoder&) = delete;
  PacketEncoder& operator=(const PacketEncoder&) = delete;

  struct Encoding {
    std::shared_ptr<SnapBody> body;  // pending until the worker has encoded the packets
    size_t packets = 0;
    uint64_t bytes = 0;  // exactly what the body will hold
  };
  // The packets' wire bytes, made on the worker. No SNAP among them (its body is written
  // apart, PeerConnection::send_all). After stop(): encoded on the calling thread.
  Encoding encode(std::vector<quorum::QuorumPacket> packets);
  // Fails the bodies not encoded yet and joins the worker. Idempotent.
  void stop();

  uint64_t encoded() const;  // bodies made by the worker (tests)

 private:
  struct Job {
    std::shared_ptr<SnapBody> body;
    std::vector<quorum::QuorumPacket> packets;
    uint64_t bytes = 0;
  };
  void run();

  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::thread worker_;
  bool stopped_ = false;
  uint64_t encoded_ = 0;
};

}  // namespace paddock::peer
