#pragma once
// The seam between the network front end (server/) and request processing (pipeline/).
// The server frames bytes and owns sockets; the pipeline owns sessions and state and runs on
// its own thread. Both sides talk through these two interfaces only, so a test can drive the
// pipeline without sockets and the server can be tested against a fake pipeline.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/server_snapshot.h"

namespace paddock::pipeline {

using SnapshotCallback = std::function<void(std::shared_ptr<const ServerSnapshot>)>;

// Called by the server, from its network thread(s). Implementations must be thread-safe and
// must not block: they enqueue for the pipeline thread.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  // A new TCP connection (the handshake has not been read yet). `peer_ip` is the textual
  // address without port, e.g. "127.0.0.1".
  virtual void connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port) = 0;
  // One complete frame, without its 4-byte length prefix. The first frame of a connection is
  // its ConnectRequest; every later frame is RequestHeader + record.
  virtual void frame_received(ConnectionId conn, std::string frame) = 0;
  // Asks for a consistent copy of the server's state and counters, for four-letter words,
  // the admin endpoint and metrics. `done` runs on the pipeline thread and must only post
  // the snapshot elsewhere (for example with asio::post), never block.
  virtual void request_snapshot(SnapshotCallback done) = 0;
  // srst (reset server statistics) and crst (reset connection statistics).
  virtual void reset_statistics(bool connections) = 0;
  // The socket is gone (peer closed, error, or the server closed it). No more frames follow.
  virtual void connection_closed(ConnectionId conn) = 0;
};

// One frame for one connection, already including its 4-byte length prefix.
struct OutboundFrame {
  ConnectionId conn = 0;
  std::string bytes;
};

// Called by the pipeline thread. Implementations hand the work to the network thread.
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  // Frames are written in the order given, per connection. A batch is delivered at once so
  // that a connection flushes once per batch, not once per reply.
  virtual void send(std::vector<OutboundFrame> frames) = 0;
  // Flush what was sent to `conn` so far, then close it.
  virtual void close_after_flush(ConnectionId conn) = 0;
  // Back-pressure: stop (false) or resume (true) reading frames from `conn`, as ZooKeeper
  // does when too many requests are outstanding. Frames already read are still delivered.
  virtual void set_reading(ConnectionId conn, bool enabled) = 0;
};

}  // namespace paddock::pipeline
