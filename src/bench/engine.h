#pragma once
// The load generator's engine: one thread, one epoll set, many non-blocking ZooKeeper
// sessions. Each loop turn a session reads everything the kernel has for it (one read()
// unless the buffer fills), hands every complete reply to the Driver, lets the Driver fill
// its window of outstanding requests, and writes all of them with one write(). Requests
// are encoded (proto records, the client library's framing: requests.h) straight into a
// per-session buffer whose capacity is set up front, and the
// send time of each outstanding request sits in a fixed ring: the hot path allocates
// nothing. Replies come back in request order on a connection, so the ring's head is always
// the request a reply answers.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/endpoint.h"
#include "bench/op_mix.h"
#include "bench/requests.h"
#include "client/framing.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"
#include "util/result.h"

namespace paddock::bench {

using client::ReplyView;  // a reply's header and undecoded body (the client's framing)

// Monotonic time in nanoseconds.
uint64_t now_ns();

struct SessionOptions {
  int32_t timeout_ms = 30000;   // requested session timeout; idle sessions ping at a third
  uint32_t window = 32;         // the most requests a driver keeps outstanding per session
  size_t read_buffer = 65536;   // initial input buffer; grows for larger frames
  size_t write_reserve = 8192;  // output buffer capacity reserved up front
  tls::SslCtxPtr tls;           // --tls: every session speaks TLS (client context)
};

class Engine;

class Session {
 public:
  enum class State : uint8_t { kConnecting, kHandshake, kReady, kClosing, kClosed, kFailed };

  uint32_t index() const { return index_; }
  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  int64_t session_id() const { return session_id_; }
  uint32_t in_flight() const { return static_cast<uint32_t>(ring_tail_ - ring_head_); }
  // Room left in the window for the driver's requests.
  uint32_t room() const;
  uint64_t connect_started_ns() const { return connect_started_ns_; }

  // Request builders: each appends one frame and remembers (kind, send time) in the ring.
  void get_data(OpKind kind, std::string_view path, bool watch);
  void exists(OpKind kind, std::string_view path, bool watch);
  void get_children(OpKind kind, std::string_view path, bool watch);
  void set_data(OpKind kind, std::string_view path, std::string_view data);
  void create(OpKind kind, std::string_view path, std::string_view data, int32_t flags);
  void delete_node(OpKind kind, std::string_view path);
  void multi_set_two(OpKind kind, std::string_view a, std::string_view b, std::string_view data);

 private:
  friend class Engine;
  struct InFlight {
    uint64_t sent_ns;
    int32_t xid;
    OpKind kind;
  };

  int32_t push(OpKind kind);
  const InFlight& front() const { return ring_[ring_head_ & ring_mask_]; }
  void pop() { ++ring_head_; }

  uint32_t index_ = 0;
  uint32_t window_ = 0;
  int fd_ = -1;
  State state_ = State::kConnecting;
  bool want_write_ = false;  // EPOLLOUT is registered
  bool woken_ = false;       // queued for a driver fill this turn
  int64_t session_id_ = 0;
  int32_t next_xid_ = 1;
  uint64_t connect_started_ns_ = 0;
  uint64_t last_send_ns_ = 0;
  uint64_t stamp_ns_ = 0;  // the send time given to requests queued this turn

  RequestRecords requests_;  // encodes into out_
  std::string out_;
  size_t out_sent_ = 0;
  std::unique_ptr<char[]> in_;
  size_t in_cap_ = 0;
  size_t in_len_ = 0;
  // TLS (--tls): out_ is encrypted into cipher_out_ once the handshake is done.
  std::unique_ptr<tls::TlsStream> tls_;
  std::string cipher_out_;
  size_t cipher_sent_ = 0;

  std::vector<InFlight> ring_;
  uint64_t ring_head_ = 0;
  uint64_t ring_tail_ = 0;
  uint64_t ring_mask_ = 0;
};

// What a mode plugs into the engine. Called on the engine's thread only.
class Driver {
 public:
  virtual ~Driver() = default;
  // The session's ConnectResponse arrived.
  virtual void on_ready(Session& s, uint64_t now) { (void)s, (void)now; }
  // The session may send: issue requests while s.room() > 0 (or none).
  virtual void fill(Session& s, uint64_t now) { (void)s, (void)now; }
  // A reply to a request the driver issued.
  virtual void on_reply(Session& s, OpKind kind, const ReplyView& reply, uint64_t sent,
                        uint64_t now) = 0;
  // A watch notification (xid -1).
  virtual void on_event(Session& s, const ReplyView& event, uint64_t now) {
    (void)s, (void)event, (void)now;
  }
  // The connection failed or was closed by the server before the engine closed it.
  virtual void on_failed(Session& s, std::string_view why) { (void)s, (void)why; }
};

class Engine {
 public:
  Engine(std::vector<Endpoint> servers, SessionOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts `count` more non-blocking connects (round robin over the servers); the sessions
  // are established as run() turns. Raises RLIMIT_NOFILE when it has to.
  Status open(size_t count);
  // Turns the loop until stop() is true (checked every turn) or `deadline` (now_ns() based)
  // passes. Returns false on the deadline.
  bool run(Driver& driver, const std::function<bool()>& stop, uint64_t deadline);
  // Asks for driver.fill(s) in the current (or next) turn.
  void wake(Session& s);
  // Sends closeSession on every established session (after what is already in flight) and
  // waits, until `deadline`, for the server to answer or close; then closes every socket.
  void close_all(uint64_t deadline);

  size_t size() const { return sessions_.size(); }
  Session& session(size_t i) { return *sessions_[i]; }
  size_t ready_count() const { return ready_; }
  size_t failed_count() const { return failed_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void on_events(Driver& driver, Session& s, uint32_t events);
  void finish_connect(Driver& driver, Session& s);
  void read_available(Driver& driver, Session& s);
  void on_server_closed(Driver& driver, Session& s);
  void read_available_tls(Driver& driver, Session& s);
  // Cuts and handles the complete frames in s.in_; false once the session failed.
  bool parse_input(Driver& driver, Session& s, uint64_t now);
  void start_session(Session& s);
  void flush_tls(Session& s);
  bool handle_frame(Driver& driver, Session& s, std::string_view frame, uint64_t now);
  void flush(Session& s);
  void fail(Driver& driver, Session& s, std::string why);
  void set_write_interest(Session& s, bool on);
  void ping_idle(uint64_t now);
  void fill_and_flush(Driver& driver, Session& s, uint64_t now);

  std::vector<Endpoint> servers_;
  std::vector<std::vector<char>> addresses_;  // sockaddr bytes per server
  SessionOptions options_;
  int epoll_fd_ = -1;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<Session*> woken_;
  size_t ready_ = 0;
  size_t failed_ = 0;
  uint64_t next_ping_check_ = 0;
  std::string first_error_;
  std::vector<char> cipher_in_;  // TLS: ciphertext read from one socket
};

}  // namespace paddock::bench
