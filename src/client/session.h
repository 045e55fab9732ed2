#pragma once
// The session core behind client::Client: one I/O thread (asio) that owns the connection,
// the session state, the watch table and the calls in flight; one event thread that runs
// completions and watch events from a bounded EventQueue. Internal: users see client.h.
//
// Life of a connection: resolve -> connect -> ConnectRequest (lastZxidSeen, session id and
// password when resuming) -> ConnectResponse -> auth packets (xid -4) -> SetWatches2 (xid -8)
// -> the calls that waited. A server that refuses (closes: it has seen less than our
// lastZxidSeen) or does not answer within connect_timeout (session timeout / number of
// hosts) is skipped for the next host of the shuffled list; after a whole pass failed the
// next pass starts after a random 50-500 ms. A ConnectResponse with timeout 0 means the
// session expired. Read timeout = 2/3 of the negotiated session timeout; a ping goes out
// when nothing was sent for a third of the read timeout.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "client/connect_string.h"
#include "client/event_queue.h"
#include "client/types.h"

namespace paddock::client {

// A reply as the I/O thread got it: the ReplyHeader's err and zxid and the undecoded body.
struct Reply {
  Err err = Err::kOk;
  int64_t zxid = 0;
  std::string body;
};
// Runs once per call, on the I/O thread (or on the caller's thread when the call is rejected
// before it was queued). It must not block.
using Completion = std::function<void(Reply&&)>;

// What a reply does to the client's watch table (on the I/O thread, before the completion).
struct WatchAction {
  enum class Kind { kNone, kRegister, kRegisterExists, kRemove } kind = Kind::kNone;
  int watch_kind = 0;  // WatchKind, for kRegister
  WatcherType type = WatcherType::kAny;  // for kRemove
  Watcher watcher;
};

struct Call {
  OpCode op = OpCode::kPing;
  std::string body;   // the request record, paths already under the chroot
  std::string path;   // the client path, for errors and the watch table
  WatchAction watch;
  Completion done;
};

class Session {
 public:
  Session(ClientOptions options, ConnectString connect);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Queues a call (any thread). Past max_pending_requests it completes at once with
  // kThrottledOp; after close/expiry with kSessionExpired (kAuthFailed after an auth
  // failure).
  void submit(Call call);
  // addAuth: kept and re-sent on every reconnect; completes when the server answers.
  void add_auth(std::string scheme, std::string auth, Completion done);
  // Removes watches from the local table only (no server round trip).
  void remove_watches_local(std::string path, WatcherType type, Completion done);
  // Sends closeSession, waits for its reply (at most `wait`), stops the I/O thread, then
  // the event thread once it ran what is queued (unless called on the event thread).
  void close(std::chrono::milliseconds wait);

  SessionState state() const;
  bool wait_connected(std::chrono::milliseconds timeout) const;
  int64_t session_id() const;
  std::string session_password() const;
  std::chrono::milliseconds negotiated_timeout() const;
  const std::string& chroot() const { return chroot_; }
  EventQueue& events() { return events_; }
  const EventQueue& events() const { return events_; }
  bool on_event_thread() const { return std::this_thread::get_id() == event_thread_id_; }
  // A blocking call waits on the event thread: the I/O thread must keep reading past the
  // event queue's bound (up to twice it) or the reply it waits for could never be read.
  void begin_event_thread_wait();
  void end_event_thread_wait();

 private:
  struct Impl;  // everything asio: kept out of this header
  std::unique_ptr<Impl> impl_;
  const std::string chroot_;
  EventQueue events_;
  std::thread event_thread_;
  std::thread::id event_thread_id_;
  std::thread io_thread_;

  friend struct Impl;
  mutable std::mutex state_mu_;
  mutable std::condition_variable state_cv_;
  SessionState state_ = SessionState::kConnecting;
  int64_t session_id_ = 0;
  std::string password_;
  int32_t negotiated_ms_ = 0;

  // The submit gate: once closed, calls are rejected with dead_err_.
  std::mutex submit_mu_;
  bool accepting_ = true;
  bool close_started_ = false;
  Err dead_err_ = Err::kSessionExpired;
  std::atomic<size_t> pending_{0};
  std::atomic<int> event_thread_waits_{0};
  const size_t max_pending_;

  void set_state(SessionState s);
  void reject(Call& call, Err err);
};

}  // namespace paddock::client
