// The session's I/O thread: connection, handshake, framing, replies, pings, reconnects.
// clang-format off
#include <cstddef>  // a standard header before asio (see CMakeLists.txt, the asio target)
// clang-format on
#include "client/session.h"

#include <algorithm>
#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <random>
#include <vector>

#include "client/framing.h"
#include "client/watch_registry.h"
#include "proto/jute.h"
#include "proto/records.h"

namespace paddock::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// SetWatches2 packets are split at about this many bytes of paths (as the Java client does).
constexpr size_t kSetWatchesBatchBytes = 128 * 1024;
constexpr size_t kInitialReadBuffer = 64 * 1024;

void push_watch_event(EventQueue& q, std::vector<Watcher> watchers, WatchEvent ev) {
  if (watchers.empty()) return;
  q.push([ws = std::move(watchers), ev = std::move(ev)] {
    for (const auto& w : ws) {
      if (w) w(ev);
    }
  });
}

}  // namespace

// One TCP connection attempt and its buffers; handlers hold it alive, and a handler whose
// connection is no longer the current one does nothing.
struct Connection {
  explicit Connection(asio::io_context& io) : socket(io), resolver(io) {}
  asio::ip::tcp::socket socket;
  asio::ip::tcp::resolver resolver;
  std::vector<char> rbuf = std::vector<char>(kInitialReadBuffer);
  size_t rbeg = 0, rend = 0;
  bool reading = false;
  bool writing = false;
  std::string out;  // frames waiting for the write in flight to finish
};

struct Session::Impl {
  Impl(Session& s, ClientOptions options, ConnectString connect)
      : self(s),
        opts(std::move(options)),
        hosts(std::move(connect.hosts)),
        work(asio::make_work_guard(io)),
        tick_timer(io),
        retry_timer(io) {
    std::mt19937_64 rng(opts.shuffle_seed ? opts.shuffle_seed : std::random_device{}());
    std::shuffle(hosts.begin(), hosts.end(), rng);
    this->rng = rng;
    session_id = opts.session_id;
    password = opts.session_password;
    set_timeouts(static_cast<int32_t>(opts.session_timeout.count()));
  }

  Session& self;
  const bool debug = std::getenv("PADDOCK_CLIENT_DEBUG") != nullptr;
  ClientOptions opts;
  std::vector<HostPort> hosts;
  std::mt19937_64 rng;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer tick_timer;
  asio::steady_timer retry_timer;

  // --- owned by the I/O thread --------------------------------------------------------------
  enum class Phase { kIdle, kConnecting, kHandshake, kConnected, kDead };
  Phase phase = Phase::kIdle;
  std::shared_ptr<Connection> conn;
  size_t host_index = 0;
  size_t failed_attempts = 0;  // since the last successful handshake
  int64_t session_id = 0;
  std::string password;
  int64_t last_zxid = 0;
  int32_t next_xid = 1;
  milliseconds read_timeout{0}, ping_interval{0}, connect_timeout{0}, tick{0};
  Clock::time_point attempt_deadline, last_recv, last_send, close_deadline;
  bool read_paused = false;
  bool room_notice_pending = false;
  struct Sent {
    int32_t xid;
    Call call;
  };
  std::deque<Call> waiting;   // not sent yet (connecting)
  std::deque<Sent> sent;      // sent, awaiting their reply in xid order
  struct Auth {
    std::string scheme, auth;
    Completion waiter;  // the addAuth call, until its packet is sent
  };
  std::vector<Auth> auths;
  std::deque<Completion> auth_waiters;  // one per auth packet sent (empty: a re-send)
  WatchRegistry watches;
  bool closing = false;
  std::promise<void>* close_done = nullptr;

  void set_timeouts(int32_t session_ms) {
    read_timeout = milliseconds(session_ms * 2 / 3);
    ping_interval = read_timeout / 3;
    connect_timeout = milliseconds(std::max<int64_t>(session_ms / static_cast<int64_t>(hosts.size()), 100));
    tick = std::clamp(read_timeout / 10, milliseconds(10), milliseconds(200));
  }

  void complete(Call& call, Reply&& reply) {
    if (!call.done) return;
    self.pending_.fetch_sub(1);
    auto done = std::move(call.done);
    call.done = nullptr;
    done(std::move(reply));
  }
  void fail(Call& call, Err err) { complete(call, Reply{err, 0, {}}); }

  void session_event(KeeperState state) {
    if (!opts.session_watcher) return;
    self.events_.push([w = opts.session_watcher, state] { w(WatchEvent{EventType::kNone, state, ""}); });
  }

  // --- connecting ---------------------------------------------------------------------------
  void start() {
    schedule_tick();
    connect_next();
  }

  void connect_next() {
    if (phase == Phase::kDead) return;
    const HostPort& hp = hosts[host_index % hosts.size()];
    auto c = std::make_shared<Connection>(io);
    conn = c;
    phase = Phase::kConnecting;
    attempt_deadline = Clock::now() + connect_timeout;
    c->resolver.async_resolve(
        hp.host, std::to_string(hp.port),
        [this, c](const asio::error_code& ec, asio::ip::tcp::resolver::results_type results) {
          if (c != conn) return;
          if (ec) return drop("resolve failed: " + ec.message());
          asio::async_connect(c->socket, results,
                              [this, c](const asio::error_code& ec2, const asio::ip::tcp::endpoint&) {
                                if (c != conn) return;
                                if (ec2) return drop("connect failed: " + ec2.message());
                                on_connected();
                              });
        });
  }

  void on_connected() {
    asio::error_code ignored;
    conn->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    phase = Phase::kHandshake;
    proto::ConnectRequest req{0, last_zxid, static_cast<int32_t>(opts.session_timeout.count()),
                              session_id, password.empty() ? std::string(16, '\0') : password,
                              false};
    append_connect(conn->out, req);
    flush();
    start_read();
  }

  // The connection is gone (or the attempt failed): fail what was in flight, tell the user
  // once, and try the next host.
  void drop(const std::string& reason) {
    if (debug) std::fprintf(stderr, "paddock client: connection dropped: %s\n", reason.c_str());
    bool was_connected = phase == Phase::kConnected;
    close_socket();
    // The state changes before the in-flight calls fail: a caller woken by ConnectionLoss
    // that asks state() (as a recipe waiting for the reconnect does) must not see Connected.
    if (was_connected && !closing) self.set_state(SessionState::kConnecting);
    fail_in_flight(Err::kConnectionLoss);
    if (closing) return finish_close();
    if (phase == Phase::kDead) return;
    phase = Phase::kIdle;
    if (was_connected) {
      // After the failed calls' callbacks, as the Java client orders them.
      session_event(KeeperState::kDisconnected);
      failed_attempts = 0;
    }
    ++failed_attempts;
    ++host_index;
    milliseconds delay(0);
    if (failed_attempts >= hosts.size()) {
      delay = milliseconds(std::uniform_int_distribution<int>(50, 500)(rng));
    }
    retry_timer.expires_after(delay);
    retry_timer.async_wait([this](const asio::error_code& ec) {
      if (!ec && phase == Phase::kIdle) connect_next();
    });
  }

  void close_socket() {
    if (!conn) return;
    asio::error_code ignored;
    conn->resolver.cancel();
    conn->socket.close(ignored);
    conn.reset();
    read_paused = false;
  }

  void fail_in_flight(Err err) {
    auto s = std::move(sent);
    sent.clear();
    for (auto& e : s) fail(e.call, err);
    auto w = std::move(waiting);
    waiting.clear();
    for (auto& c : w) fail(c, err);
    auto a = std::move(auth_waiters);
    auth_waiters.clear();
    for (auto& done : a) {
      if (done) {
        self.pending_.fetch_sub(1);
        done(Reply{err, 0, {}});
      }
    }
  }

  void fail_unsent_auths(Err err) {
    for (Auth& a : auths) {
      if (auto done = std::exchange(a.waiter, nullptr)) {
        self.pending_.fetch_sub(1);
        done(Reply{err, 0, {}});
      }
    }
  }

  // --- timers -------------------------------------------------------------------------------
  void schedule_tick() {
    tick_timer.expires_after(tick);
    tick_timer.async_wait([this](const asio::error_code& ec) {
      if (ec || phase == Phase::kDead) return;
      on_tick();
      schedule_tick();
    });
  }

  void on_tick() {
    auto now = Clock::now();
    if (closing && now >= close_deadline) return drop("closeSession not answered");
    if (phase == Phase::kConnecting || phase == Phase::kHandshake) {
      if (now >= attempt_deadline) drop("connect timeout");
      return;
    }
    if (phase != Phase::kConnected) return;
    if (!read_paused && now - last_recv >= read_timeout) return drop("read timeout");
    if (now - last_send >= ping_interval) {
      append_request(conn->out, proto::xid::kPing, OpCode::kPing);
      last_send = now;
      flush();
    }
  }

  // --- writing ------------------------------------------------------------------------------
  void flush() {
    auto c = conn;
    if (!c || c->writing || c->out.empty()) return;
    c->writing = true;
    auto buf = std::make_shared<std::string>(std::move(c->out));
    c->out.clear();
    asio::async_write(c->socket, asio::buffer(*buf),
                      [this, c, buf](const asio::error_code& ec, size_t) {
                        if (c != conn) return;
                        c->writing = false;
                        if (ec) return drop("write failed: " + ec.message());
                        flush();
                      });
  }

  void send(Call call) {
    int32_t xid = next_xid++;
    append_encoded_request(conn->out, xid, call.op, call.body);
    sent.push_back(Sent{xid, std::move(call)});
    last_send = Clock::now();
    flush();
  }

  void send_auth(const Auth& a, Completion done) {
    append_request(conn->out, proto::xid::kAuth, OpCode::kAuth,
                   proto::AuthPacket{0, a.scheme, a.auth});
    auth_waiters.push_back(std::move(done));
    last_send = Clock::now();
  }

  void send_set_watches() {
    if (watches.empty()) return;
    WatchRegistry::Paths p = watches.paths();
    const std::string& chroot = self.chroot_;
    proto::SetWatches2 batch{last_zxid, {}, {}, {}, {}, {}};
    size_t bytes = 0;
    auto emit = [&] {
      append_request(conn->out, proto::xid::kSetWatches, OpCode::kSetWatches2, batch);
      batch = proto::SetWatches2{last_zxid, {}, {}, {}, {}, {}};
      bytes = 0;
    };
    auto add = [&](const std::vector<std::string>& from, std::vector<std::string> proto::SetWatches2::*to) {
      for (const auto& path : from) {
        (batch.*to).push_back(prepend_chroot(chroot, path));
        bytes += (batch.*to).back().size() + 4;
        if (bytes >= kSetWatchesBatchBytes) emit();
      }
    };
    add(p.data, &proto::SetWatches2::data_watches);
    add(p.exist, &proto::SetWatches2::exist_watches);
    add(p.child, &proto::SetWatches2::child_watches);
    add(p.persistent, &proto::SetWatches2::persistent_watches);
    add(p.recursive, &proto::SetWatches2::persistent_recursive_watches);
    if (bytes > 0) emit();
  }

  // --- reading ------------------------------------------------------------------------------
  void start_read() {
    auto c = conn;
    if (!c || c->reading || read_paused) return;
    if (c->rend == c->rbuf.size()) {
      // Make room: move the unread bytes to the front, or grow for a large frame.
      if (c->rbeg > 0) {
        std::memmove(c->rbuf.data(), c->rbuf.data() + c->rbeg, c->rend - c->rbeg);
        c->rend -= c->rbeg;
        c->rbeg = 0;
      } else {
        c->rbuf.resize(c->rbuf.size() * 2);
      }
    }
    c->reading = true;
    c->socket.async_read_some(
        asio::buffer(c->rbuf.data() + c->rend, c->rbuf.size() - c->rend),
        [this, c](const asio::error_code& ec, size_t n) {
          if (c != conn) return;
          c->reading = false;
          if (ec) return drop(ec == asio::error::eof ? "closed by server" : "read failed: " + ec.message());
          c->rend += n;
          last_recv = Clock::now();
          process_frames();
          start_read();
        });
  }

  // Whether the next frame may be decoded (see EventQueue for the back-pressure policy).
  bool room_for_frame() {
    if (phase != Phase::kConnected) return true;
    if (self.events_.has_room()) return true;
    if (self.event_thread_waits_.load() > 0) {
      if (self.events_.has_room(self.events_.capacity())) return true;
      drop("event queue overflow while the event thread waits in a blocking call");
      return false;
    }
    read_paused = true;
    if (!room_notice_pending) {
      room_notice_pending = true;
      self.events_.notify_when_room([this] { asio::post(io, [this] { resume_reading(); }); });
    }
    return false;
  }

  void resume_reading() {
    room_notice_pending = false;
    if (!read_paused || !conn) return;
    read_paused = false;
    last_recv = Clock::now();
    process_frames();
    start_read();
  }

  void process_frames() {
    auto c = conn;
    while (c == conn && c->rend - c->rbeg >= 4) {
      const uint32_t len =
          *frame_length(std::string_view(c->rbuf.data() + c->rbeg, c->rend - c->rbeg));
      if (len > opts.limits.max_frame_bytes) return drop("reply frame too large");
      if (c->rend - c->rbeg < 4 + size_t{len}) {
        if (c->rbuf.size() < 4 + size_t{len}) {
          std::memmove(c->rbuf.data(), c->rbuf.data() + c->rbeg, c->rend - c->rbeg);
          c->rend -= c->rbeg;
          c->rbeg = 0;
          c->rbuf.resize(4 + size_t{len});
        }
        break;
      }
      if (!room_for_frame()) return;
      std::string_view frame(c->rbuf.data() + c->rbeg + 4, len);
      c->rbeg += 4 + size_t{len};
      on_frame(frame);
    }
    if (c == conn && c->rbeg == c->rend) c->rbeg = c->rend = 0;
  }

  void on_frame(std::string_view frame) {
    if (phase == Phase::kHandshake) return on_connect_response(frame);
    ReplyView reply;
    if (!parse_reply(frame, reply)) return drop("malformed reply header");
    const proto::ReplyHeader& h = reply.header;
    switch (h.xid) {
      case proto::xid::kPing:
      case proto::xid::kSetWatches: return;
      case proto::xid::kNotification: return on_notification(reply.body);
      case proto::xid::kAuth: return on_auth_reply(static_cast<Err>(h.err));
      default: break;
    }
    if (sent.empty() || sent.front().xid != h.xid) return drop("xid out of order");
    Call call = std::move(sent.front().call);
    sent.pop_front();
    if (h.zxid > 0) last_zxid = h.zxid;
    Err err = static_cast<Err>(h.err);
    apply_watch_action(call, err);
    if (call.op == OpCode::kCloseSession) {
      complete(call, Reply{err, h.zxid, {}});
      return;
    }
    complete(call, Reply{err, h.zxid, std::string(reply.body)});
  }

  void apply_watch_action(Call& call, Err err) {
    WatchAction& a = call.watch;
    switch (a.kind) {
      case WatchAction::Kind::kNone: return;
      case WatchAction::Kind::kRegister:
        if (err == Err::kOk) watches.add(static_cast<WatchKind>(a.watch_kind), call.path, std::move(a.watcher));
        return;
      case WatchAction::Kind::kRegisterExists:
        if (err == Err::kOk) watches.add(WatchKind::kData, call.path, std::move(a.watcher));
        if (err == Err::kNoNode) watches.add(WatchKind::kExist, call.path, std::move(a.watcher));
        return;
      case WatchAction::Kind::kRemove:
        if (err == Err::kOk) deliver_removed(call.path, watches.remove(call.path, a.type));
        return;
    }
  }

  void deliver_removed(const std::string& path, WatchRegistry::Removed removed) {
    push_watch_event(self.events_, std::move(removed.data),
                     WatchEvent{EventType::kDataWatchRemoved, KeeperState::kSyncConnected, path});
    push_watch_event(self.events_, std::move(removed.child),
                     WatchEvent{EventType::kChildWatchRemoved, KeeperState::kSyncConnected, path});
    push_watch_event(self.events_, std::move(removed.persistent),
                     WatchEvent{EventType::kPersistentWatchRemoved, KeeperState::kSyncConnected, path});
  }

  void on_notification(std::string_view body) {
    proto::WatcherEvent ev;
    if (!proto::decode(body, ev)) return drop("malformed watch event");
    std::string path = strip_chroot(self.chroot_, ev.path);
    auto type = static_cast<EventType>(ev.type);
    push_watch_event(self.events_, watches.materialize(type, path),
                     WatchEvent{type, static_cast<KeeperState>(ev.state), path});
  }

  void on_auth_reply(Err err) {
    Completion done;
    if (!auth_waiters.empty()) {
      done = std::move(auth_waiters.front());
      auth_waiters.pop_front();
    }
    if (err == Err::kAuthFailed) {
      if (done) {
        self.pending_.fetch_sub(1);
        done(Reply{err, 0, {}});
      }
      return die(Err::kAuthFailed, SessionState::kAuthFailed, KeeperState::kAuthFailed);
    }
    if (done) {
      self.pending_.fetch_sub(1);
      done(Reply{err, 0, {}});
    }
  }

  void on_connect_response(std::string_view frame) {
    proto::ConnectResponse resp;
    if (!proto::decode(frame, resp)) return drop("malformed ConnectResponse");
    if (resp.timeout_ms <= 0) {
      return die(Err::kSessionExpired, SessionState::kExpired, KeeperState::kExpired);
    }
    session_id = resp.session_id;
    password = resp.passwd;
    set_timeouts(resp.timeout_ms);
    phase = Phase::kConnected;
    failed_attempts = 0;
    last_recv = last_send = Clock::now();
    {
      std::lock_guard<std::mutex> lock(self.state_mu_);
      self.session_id_ = session_id;
      self.password_ = password;
      self.negotiated_ms_ = resp.timeout_ms;
    }
    self.set_state(SessionState::kConnected);
    session_event(KeeperState::kSyncConnected);
    // The Java client's order: auth packets, then SetWatches, then the queued calls.
    for (Auth& a : auths) send_auth(a, std::exchange(a.waiter, nullptr));
    send_set_watches();
    auto w = std::move(waiting);
    waiting.clear();
    for (auto& c : w) send(std::move(c));
    flush();
  }

  // The session is over for good (expired, or authentication failed).
  void die(Err err, SessionState state, KeeperState event) {
    {
      std::lock_guard<std::mutex> lock(self.submit_mu_);
      self.accepting_ = false;
      self.dead_err_ = err;
    }
    phase = Phase::kDead;
    close_socket();
    fail_in_flight(err);
    fail_unsent_auths(err);
    self.set_state(state);
    session_event(event);
    if (event == KeeperState::kExpired) {
      // Watches will never fire now: each gets the Expired event once, as in the Java client.
      push_watch_event(self.events_, watches.clear(), WatchEvent{EventType::kNone, event, ""});
    }
    retry_timer.cancel();
    tick_timer.cancel();
    if (closing) finish_close();
  }

  // --- calls from other threads (posted) ------------------------------------------------------
  void enqueue(Call call) {
    if (phase == Phase::kDead) return fail(call, self.dead_err_);
    if (phase == Phase::kConnected) return send(std::move(call));
    waiting.push_back(std::move(call));
  }

  void add_auth(Auth a, Completion done) {
    if (phase == Phase::kDead) {
      self.pending_.fetch_sub(1);
      return done(Reply{self.dead_err_, 0, {}});
    }
    if (phase == Phase::kConnected) {
      send_auth(a, std::move(done));
      flush();
    } else {
      a.waiter = std::move(done);  // sent with the others once connected
    }
    auths.push_back(std::move(a));
  }

  void begin_close(std::promise<void>* done) {
    close_done = done;
    if (phase != Phase::kConnected) return finish_close();
    closing = true;
    close_deadline = Clock::now() + std::min(read_timeout, milliseconds(3000));
    Call c;
    c.op = OpCode::kCloseSession;
    c.done = [this](Reply&&) { finish_close(); };
    self.pending_.fetch_add(1);
    send(std::move(c));
  }

  void finish_close() {
    closing = false;
    bool was_dead = phase == Phase::kDead;
    phase = Phase::kDead;
    close_socket();
    fail_in_flight(Err::kSessionExpired);
    fail_unsent_auths(Err::kSessionExpired);
    retry_timer.cancel();
    tick_timer.cancel();
    if (!was_dead) {
      self.set_state(SessionState::kClosed);
      session_event(KeeperState::kClosed);
    }
    if (close_done) std::exchange(close_done, nullptr)->set_value();
  }
};

Session::Session(ClientOptions options, ConnectString connect)
    : chroot_(connect.chroot),
      events_(options.limits.max_queued_events),
      max_pending_(options.limits.max_pending_requests) {
  impl_ = std::make_unique<Impl>(*this, std::move(options), std::move(connect));
  session_id_ = impl_->session_id;
  password_ = impl_->password;
  event_thread_ = std::thread([this] {
    EventQueue::Task task;
    while (events_.pop(task)) {
      try {
        task();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "paddock client: a callback threw: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "paddock client: a callback threw\n");
      }
      task = nullptr;
    }
  });
  event_thread_id_ = event_thread_.get_id();
  asio::post(impl_->io, [this] { impl_->start(); });
  io_thread_ = std::thread([this] { impl_->io.run(); });
}

Session::~Session() {
  PADDOCK_ASSERT(!on_event_thread());
  close(std::chrono::milliseconds(3000));
  if (event_thread_.joinable()) {
    events_.close();
    event_thread_.join();
  }
}

void Session::reject(Call& call, Err err) {
  pending_.fetch_sub(1);
  auto done = std::move(call.done);
  if (done) done(Reply{err, 0, {}});
}

void Session::submit(Call call) {
  if (pending_.fetch_add(1) >= max_pending_) return reject(call, Err::kThrottledOp);
  std::lock_guard<std::mutex> lock(submit_mu_);
  if (!accepting_) return reject(call, dead_err_);
  asio::post(impl_->io, [this, c = std::move(call)]() mutable { impl_->enqueue(std::move(c)); });
}

void Session::add_auth(std::string scheme, std::string auth, Completion done) {
  if (pending_.fetch_add(1) >= max_pending_) {
    pending_.fetch_sub(1);
    return done(Reply{Err::kThrottledOp, 0, {}});
  }
  std::lock_guard<std::mutex> lock(submit_mu_);
  if (!accepting_) {
    pending_.fetch_sub(1);
    return done(Reply{dead_err_, 0, {}});
  }
  asio::post(impl_->io, [this, a = Impl::Auth{std::move(scheme), std::move(auth), nullptr},
                         d = std::move(done)]() mutable { impl_->add_auth(std::move(a), std::move(d)); });
}

void Session::remove_watches_local(std::string path, WatcherType type, Completion done) {
  std::lock_guard<std::mutex> lock(submit_mu_);
  if (!accepting_) return done(Reply{dead_err_, 0, {}});
  asio::post(impl_->io, [this, path = std::move(path), type, d = std::move(done)]() mutable {
    if (!impl_->watches.contains(path, type)) return d(Reply{Err::kNoWatcher, 0, {}});
    impl_->deliver_removed(path, impl_->watches.remove(path, type));
    d(Reply{});
  });
}

void Session::close(std::chrono::milliseconds wait) {
  {
    std::lock_guard<std::mutex> lock(submit_mu_);
    if (close_started_) return;
    close_started_ = true;
    accepting_ = false;
    if (dead_err_ != Err::kAuthFailed) dead_err_ = Err::kSessionExpired;
  }
  std::promise<void> done;
  auto fut = done.get_future();
  bool event_thread = on_event_thread();
  if (event_thread) begin_event_thread_wait();
  asio::post(impl_->io, [this, &done] { impl_->begin_close(&done); });
  if (fut.wait_for(wait + std::chrono::milliseconds(500)) != std::future_status::ready) {
    // The I/O thread did not finish in time: make it finish now, then wait for it.
    asio::post(impl_->io, [this] { impl_->finish_close(); });
    fut.wait();
  }
  if (event_thread) end_event_thread_wait();
  impl_->work.reset();
  impl_->io.stop();
  io_thread_.join();
  if (!event_thread) {
    events_.close();
    event_thread_.join();
  }
}

void Session::begin_event_thread_wait() {
  if (event_thread_waits_.fetch_add(1) == 0) {
    asio::post(impl_->io, [this] { impl_->resume_reading(); });
  }
}
void Session::end_event_thread_wait() { event_thread_waits_.fetch_sub(1); }

void Session::set_state(SessionState s) {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    state_ = s;
  }
  state_cv_.notify_all();
}

SessionState Session::state() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return state_;
}

bool Session::wait_connected(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_mu_);
  state_cv_.wait_for(lock, timeout, [&] {
    return state_ == SessionState::kConnected || state_ == SessionState::kExpired ||
           state_ == SessionState::kAuthFailed || state_ == SessionState::kClosed;
  });
  return state_ == SessionState::kConnected;
}

int64_t Session::session_id() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return session_id_;
}
std::string Session::session_password() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return password_;
}
std::chrono::milliseconds Session::negotiated_timeout() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return std::chrono::milliseconds(negotiated_ms_);
}

}  // namespace paddock::client
