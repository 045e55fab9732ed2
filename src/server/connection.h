#pragma once
// One client TCP connection, owned by one network thread (everything here runs on that
// thread). Reading is readiness-based, in the manner of redis's ae.c: when the socket is
// readable, read everything available into the thread's scratch buffer, cut every complete
// frame (4-byte big-endian length, then the body) and add it to the thread's batch for the
// sink; only the tail of a partial frame is kept per connection. A batch of replies goes out
// in one gathered write straight from the pipeline's buffer; only what the socket does not
// take at once is copied into the connection's queue.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/uio.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "pipeline/client_port.h"
#include "server/four_letter_words.h"
#include "server/outbound_queue.h"
#include "util/rate_limited_log.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"

namespace paddock::server {

class OcspChecker;

class Connection;

// What one network thread lends to the connections it owns.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  // A complete frame (without its length prefix), for the sink.
  virtual void frame_received(Connection& conn, std::string_view frame) = 0;
  // The socket is closed: forget the connection and tell the sink (once per connection,
  // after its last frame) if it was announced.
  virtual void connection_closed(Connection& conn) = 0;
  // A TLS connection finished its handshake (`x509_subject`: the client certificate's
  // subject, "" without one), or a unified-port connection turned out to be plain: announce
  // it to the sink now. Plain-port connections are announced when adopted.
  virtual void connection_ready(Connection& conn, std::string x509_subject) = 0;
  // The connection opened with a four-letter word; answer it (reply_and_close).
  virtual void four_letter_word(const std::shared_ptr<Connection>& conn, FourLetterWord word,
                                int64_t argument) = 0;
};

struct ConnectionLimits {
  int32_t max_frame_bytes = 0xfffff;      // jute.maxbuffer
  size_t max_outbound_bytes = 64 << 20;   // queued + in flight, per connection
  // A TLS handshake (or, on a unified port, the first byte) must arrive within this.
  std::chrono::milliseconds handshake_timeout{5000};
};

// Per-thread resources shared by the thread's connections.
struct ConnectionEnv {
  ConnectionHost& host;
  ConnectionLimits limits;
  std::vector<char>& scratch;  // read buffer, reused for every read on this thread
  ChunkPool& chunks;
  util::RateLimitedLog& bad_input_log;  // the server's, shared by its threads
  std::vector<char>& plain;    // TLS: decrypted bytes, and replies gathered for encryption
  OcspChecker* ocsp = nullptr;  // ssl.ocsp: client certificates checked before announcing
};

// How a connection's bytes travel. Plain connections never touch the TLS code.
enum class Transport : uint8_t {
  kPlain,
  kTls,
  kDetect,  // client.portUnification: TLS when the first byte is a handshake record (0x16)
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ConnectionEnv env, pipeline::ConnectionId id, asio::ip::tcp::socket socket,
             std::string peer_ip, uint16_t peer_port, Transport transport = Transport::kPlain,
             tls::SslCtxPtr tls_context = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts waiting for bytes. The sink has already been told about the connection.
  void start();

  // Adds a frame (length prefix included) to this batch's write; nothing is written until
  // write_staged(), and `frame`'s bytes must stay valid until then.
  void stage(std::string_view frame);
  // Writes what was staged: at once from the caller's bytes when nothing is queued or in
  // flight; what the socket does not take is copied into the queue and written
  // asynchronously (as is everything staged behind earlier bytes).
  void write_staged();
  // Starts a gathered write of everything queued unless one is in flight (then the
  // completion writes the rest).
  void flush();
  void close_after_flush();
  void set_reading(bool enabled);
  // Writes `text` as it is (a four-letter-word answer) and closes once it is out.
  void reply_and_close(std::string text);
  // Closes now; queued bytes are dropped.
  void close(std::string_view reason);

  pipeline::ConnectionId id() const { return id_; }
  const std::string& peer_ip() const { return peer_ip_; }
  uint16_t peer_port() const { return peer_port_; }
  bool closed() const { return closed_; }
  bool secure() const { return tls_ != nullptr; }
  // The client ended the stream (end of stream or reset), rather than the server closing.
  bool closed_by_peer() const { return closed_by_peer_; }
  Transport transport() const { return transport_; }
  // Whether the sink heard connection_opened for it (it then hears connection_closed too).
  bool announced() const { return announced_; }
  void set_announced() { announced_ = true; }
  // Set while the owning thread gathers a batch (see ClientPortServer).
  bool in_batch = false;

 private:
  void arm_read();
  void on_readable();
  // Feeds bytes just read; false once the connection stopped reading frames (closed, or a
  // four-letter word was recognised).
  bool consume(const char* data, size_t n);
  // Cuts complete frames from data[0, n); returns how many bytes were used.
  size_t cut_frames(const char* data, size_t n);
  bool check_four_letter_word(const char* data, size_t n, size_t& used);
  void on_written(std::error_code ec);
  void queue_copy(std::string_view bytes);
  bool over_outbound_limit(size_t bytes);
  bool wants_to_read() const {
    return reading_ && !four_letter_ && !closing_ && !closed_ && !revocation_pending_;
  }
  // TLS path (connection_tls.cc).
  void start_handshake_timer();
  bool on_cipher(const char* data, size_t n);
  bool drain_tls();
  // After the handshake: with ssl.ocsp, ask the responder (off this thread) and announce the
  // connection when it says good; else announce now. False when the connection closed.
  bool announce_after_revocation_check();
  void revocation_checked(const std::string& error);
  void stage_tls(std::string_view frame);
  void write_staged_tls();
  void send_tls_output();
  void ready(std::string x509_subject);

  ConnectionEnv env_;
  pipeline::ConnectionId id_;
  asio::ip::tcp::socket socket_;
  std::string peer_ip_;
  uint16_t peer_port_;
  std::string partial_;        // bytes of a frame not yet complete
  OutboundQueue out_;
  std::vector<iovec> staged_;  // this batch's frames, written straight from the batch
  size_t staged_bytes_ = 0;
  uint64_t frames_in_ = 0;
  bool reading_ = true;        // the pipeline's back-pressure switch
  bool wait_armed_ = false;    // an async_wait for readability is outstanding
  bool four_letter_ = false;   // answering a four-letter word: read nothing more
  bool closed_by_peer_ = false;  // the client ended the stream (connection_drop_count)
  bool revocation_pending_ = false;  // ssl.ocsp: the client certificate is being checked
  bool closing_ = false;       // close once the outbound queue is empty
  bool closed_ = false;
  bool announced_ = false;
  Transport transport_;
  tls::SslCtxPtr tls_context_;              // kDetect: the context to use if TLS comes
  std::unique_ptr<tls::TlsStream> tls_;     // set once the connection is known to be TLS
  std::unique_ptr<asio::steady_timer> handshake_timer_;
};

}  // namespace paddock::server
