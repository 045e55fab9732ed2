#pragma once
// The seam between the network front end (server/) and request processing (pipeline/).
// The server frames bytes and owns sockets; the pipeline owns sessions and state and runs on
// its own thread. Both sides talk through these two interfaces only, so a test can drive the
// pipeline without sockets and the server can be tested against a fake pipeline.
//
// Frames cross in batches both ways (one handoff per network-thread loop turn inwards, one
// per pipeline turn outwards), each batch one buffer with a record per frame: no allocation
// per frame on the hot path, and both batch kinds are recycled by their receiver.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/server_snapshot.h"
#include "util/assert.h"

namespace paddock::pipeline {

using SnapshotCallback = std::function<void(std::shared_ptr<const ServerSnapshot>)>;

// Frames for many connections back to back in one buffer, one record per frame: how frames
// cross between the network and pipeline threads in both directions.
struct FrameRecords {
  struct Record {
    ConnectionId conn = 0;
    size_t offset = 0;
    size_t size = 0;
  };
  std::string bytes;
  std::vector<Record> records;

  void add(ConnectionId conn, std::string_view frame) {
    records.push_back(Record{conn, bytes.size(), frame.size()});
    bytes.append(frame);
  }
  std::string_view frame(const Record& r) const {
    return std::string_view(bytes).substr(r.offset, r.size);
  }
  bool empty() const { return records.empty(); }
  void clear() {
    bytes.clear();
    records.clear();
  }
};

// Frames cut from one network thread's reads, without their 4-byte length prefixes, in
// arrival order (per connection that is the order the client sent).
struct FrameBatch : FrameRecords {};

// Called by the server, from its network thread(s). Implementations must be thread-safe and
// must not block: they enqueue for the pipeline thread.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // A new TCP connection (the handshake has not been read yet). `peer_ip` is the textual
  // address without port, e.g. "127.0.0.1".
  virtual void connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port) = 0;
  // A TLS connection whose handshake completed (no frame has been read yet).
  // `x509_subject` is the client certificate's subject as Java's X500Principal.getName()
  // prints it ("CN=app,O=Example"), "" when the client sent none; the connection then holds
  // the id x509:<subject>, as with ZooKeeper's X509AuthenticationProvider.
  virtual void secure_connection_opened(ConnectionId conn, std::string peer_ip,
                                        uint16_t peer_port, std::string x509_subject) {
    (void)x509_subject;
    connection_opened(conn, std::move(peer_ip), peer_port);
  }
  // Complete frames, without their 4-byte length prefixes. The first frame of a connection
  // is its ConnectRequest; every later frame is RequestHeader + record. The sink takes the
  // frames and leaves `batch` empty (possibly holding a recycled batch's storage, so the
  // caller can refill it without allocating).
  virtual void frames_received(FrameBatch& batch) = 0;
  // One frame on its own (tests, tools): a batch of one.
  void frame_received(ConnectionId conn, std::string_view frame) {
    FrameBatch batch;
    batch.add(conn, frame);
    frames_received(batch);
  }
  // Asks for the server's counters and the tables `what` names, for four-letter words, the
  // admin endpoint and metrics. Large tables come a piece per call (ServerSnapshot::complete,
  // ::next; server/snapshot_pieces.h asks for the rest). `done` runs on the pipeline thread
  // and must only post the snapshot elsewhere (for example with asio::post) or ask for the
  // next piece, never block.
  virtual void request_snapshot(const SnapshotRequest& what, SnapshotCallback done) = 0;
  // srst (reset server statistics) and crst (reset connection statistics).
  virtual void reset_statistics(bool connections) = 0;
  // The socket is gone (peer closed, error, or the server closed it). No more frames follow:
  // the server hands over every frame it cut for `conn` before this call.
  virtual void connection_closed(ConnectionId conn) = 0;
};

// Frames for many connections, each already including its 4-byte length prefix, in the
// order they are to be written (per connection). Their bytes live in one buffer; records
// may share bytes (a watch event sent to many connections is encoded once).
//
// Lifetime: the sender marks the batch in use (`begin_use`) and calls ClientChannel::send;
// the channel reads it, from any of its threads, until it calls `release` -- once per user
// it added with `add_users`, plus once for the send. Only then may the sender reuse or free
// it. A channel that drops a batch unread (stopping) still releases it.
class OutboundBatch : public FrameRecords {
 public:
  // Records the bytes appended since `offset` as one frame for `conn`.
  void add_appended(ConnectionId conn, size_t offset) {
    records.push_back(Record{conn, offset, bytes.size() - offset});
  }
  // The same bytes as `earlier` (a record of this batch), for another connection.
  void add_shared(ConnectionId conn, const Record& earlier) {
    records.push_back(Record{conn, earlier.offset, earlier.size});
  }

  void begin_use() {
    PADDOCK_ASSERT(!in_use());
    users_.store(1, std::memory_order_relaxed);
  }
  void add_users(int n) { users_.fetch_add(n, std::memory_order_relaxed); }
  void release() { users_.fetch_sub(1, std::memory_order_acq_rel); }
  // False once every user released it; what they read happens-before this returns false.
  bool in_use() const { return users_.load(std::memory_order_acquire) != 0; }

 private:
  std::atomic<int> users_{0};
};

// Called by the pipeline thread. Implementations hand the work to the network thread.
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  // Frames are written in the order given, per connection. A batch is delivered at once so
  // that a connection flushes once per batch, not once per reply. See OutboundBatch for who
  // may touch the batch when.
  virtual void send(OutboundBatch& batch) = 0;
  // Flush what was sent to `conn` so far, then close it.
  virtual void close_after_flush(ConnectionId conn) = 0;
  // Back-pressure: stop (false) or resume (true) reading frames from `conn`, as ZooKeeper
  // does when too many requests are outstanding. Frames already read are still delivered.
  virtual void set_reading(ConnectionId conn, bool enabled) = 0;
};

}  // namespace paddock::pipeline
