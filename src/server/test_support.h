#pragma once
// Test helpers for server/: a RequestSink that records every call, and a blocking TCP
// client with deadlines (plain POSIX sockets, so the tests do not share the code under test).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/client_port.h"
#include "util/test_ports.h"

namespace paddock::server::testing {

using pipeline::ConnectionId;

inline constexpr std::chrono::milliseconds kDeadline{10000};

using test_ports::free_port;  // below the ephemeral range: see util/test_ports.h

// A frame as the wire carries it: 4-byte big-endian length, then the body.
inline std::string frame(std::string_view body) {
  uint32_t n = htonl(static_cast<uint32_t>(body.size()));
  std::string out(reinterpret_cast<const char*>(&n), 4);
  out += body;
  return out;
}
inline std::string length_prefix(int32_t len) {
  uint32_t n = htonl(static_cast<uint32_t>(len));
  return std::string(reinterpret_cast<const char*>(&n), 4);
}

inline std::string read_fixture(const std::string& name) {
  auto path = std::filesystem::path(__FILE__).parent_path() / "testdata" / "zk38" / name;
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FakeSink : public pipeline::RequestSink {
 public:
  struct Opened {
    ConnectionId conn;
    std::string ip;
    uint16_t port;
    bool secure = false;
    std::string x509_subject;
  };

  void connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port) override {
    std::lock_guard<std::mutex> lock(mu_);
    opened_.push_back({conn, std::move(peer_ip), peer_port, false, {}});
    cv_.notify_all();
  }
  void secure_connection_opened(ConnectionId conn, std::string peer_ip, uint16_t peer_port,
                                std::string x509_subject) override {
    std::lock_guard<std::mutex> lock(mu_);
    opened_.push_back({conn, std::move(peer_ip), peer_port, true, std::move(x509_subject)});
    cv_.notify_all();
  }
  void frames_received(pipeline::FrameBatch& batch) override {
    for (const auto& f : batch.records) {
      const ConnectionId conn = f.conn;
      const std::string frame(batch.frame(f));
      std::function<void(ConnectionId, const std::string&)> hook;
      {
        std::lock_guard<std::mutex> lock(mu_);
        frames_[conn].push_back(frame);
        if (closed_.count(conn)) frame_after_close_ = true;
        hook = on_frame;
        cv_.notify_all();
      }
      if (hook) hook(conn, frame);
    }
    batch.clear();
  }
  void request_snapshot(const pipeline::SnapshotRequest& what,
                        pipeline::SnapshotCallback done) override {
    std::shared_ptr<const pipeline::ServerSnapshot> snap;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++snapshot_requests_;
      snapshot_asked.push_back(what);
      snap = snapshot;
    }
    // Answer from another thread, as the pipeline does. The thread is joined (join_answers)
    // before the server under test goes: the answer posts into the server's own threads, as
    // paddockd's pipeline does until Server::stop joins it.
    std::lock_guard<std::mutex> lock(mu_);
    answers_.emplace_back([done = std::move(done), snap] { done(snap); });
  }
  void join_answers() {
    for (;;) {  // an answer may ask for the next piece, which starts another
      std::vector<std::thread> answers;
      {
        std::lock_guard<std::mutex> lock(mu_);
        answers.swap(answers_);
      }
      if (answers.empty()) return;
      for (std::thread& t : answers) t.join();
    }
  }
  ~FakeSink() override { join_answers(); }
  void reset_statistics(bool connections) override {
    std::lock_guard<std::mutex> lock(mu_);
    resets_.push_back(connections);
    cv_.notify_all();
  }
  void connection_closed(ConnectionId conn) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++closed_[conn];
    cv_.notify_all();
  }

  // Waits until `pred` (called under the lock) holds; false at the deadline.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kDeadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, pred);
  }
  bool wait_frames(ConnectionId conn, size_t n) {
    return wait([&] { return frames_[conn].size() >= n; });
  }
  bool wait_opened(size_t n) { return wait([&] { return opened_.size() >= n; }); }
  bool wait_closed(ConnectionId conn) { return wait([&] { return closed_.count(conn) > 0; }); }

  std::vector<std::string> frames(ConnectionId conn) {
    std::lock_guard<std::mutex> lock(mu_);
    return frames_[conn];
  }
  // Only inside wait() predicates (the lock is held there).
  const std::map<ConnectionId, std::vector<std::string>>& frames_locked() const { return frames_; }
  std::vector<Opened> opened() {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  ConnectionId opened_id(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_.at(i).conn;
  }
  std::map<ConnectionId, int> closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  int snapshot_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshot_requests_;
  }
  std::vector<bool> resets() {
    std::lock_guard<std::mutex> lock(mu_);
    return resets_;
  }
  bool frame_after_close() {
    std::lock_guard<std::mutex> lock(mu_);
    return frame_after_close_;
  }

  // Set before connections arrive.
  std::shared_ptr<const pipeline::ServerSnapshot> snapshot;
  std::vector<pipeline::SnapshotRequest> snapshot_asked;  // guarded by mu_
  std::function<void(ConnectionId, const std::string&)> on_frame;

 private:
  std::mutex mu_;
  std::vector<std::thread> answers_;
  std::condition_variable cv_;
  std::vector<Opened> opened_;
  std::map<ConnectionId, std::vector<std::string>> frames_;
  std::map<ConnectionId, int> closed_;
  std::vector<bool> resets_;
  int snapshot_requests_ = 0;
  bool frame_after_close_ = false;
};

// One frame for one connection, length prefix included.
struct OutFrame {
  ConnectionId conn;
  std::string bytes;
};

// Sends frames through a ClientChannel in OutboundBatches it keeps until the channel releases
// them. Must outlive the channel (declare it before the server).
class BatchSender {
 public:
  void send(pipeline::ClientChannel& channel, const std::vector<OutFrame>& frames) {
    pipeline::OutboundBatch* batch = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& b : batches_) {
        if (!b->in_use()) batch = b.get();
      }
      if (batch == nullptr) {
        batches_.push_back(std::make_unique<pipeline::OutboundBatch>());
        batch = batches_.back().get();
      }
      batch->clear();
      for (const OutFrame& f : frames) batch->add(f.conn, f.bytes);
      batch->begin_use();
    }
    channel.send(*batch);
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<pipeline::OutboundBatch>> batches_;
};

class TestClient {
 public:
  explicit TestClient(uint16_t port, bool ipv6 = false) {
    fd_ = ::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int rc;
    if (ipv6) {
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      a.sin6_addr = in6addr_loopback;
      rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    } else {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    }
    connected_ = rc == 0;
  }
  ~TestClient() { close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Exactly n bytes, or nullopt at EOF/error/deadline.
  std::optional<std::string> read_exact(size_t n, std::chrono::milliseconds timeout = kDeadline) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      if (!wait_readable(deadline)) return std::nullopt;
      char buf[65536];
      ssize_t got = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
      if (got <= 0) return std::nullopt;
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  }
  // Everything until the server closes; nullopt if it does not close by the deadline.
  std::optional<std::string> read_until_closed(std::chrono::milliseconds timeout = kDeadline) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (!wait_readable(deadline)) return std::nullopt;
      char buf[65536];
      ssize_t got = ::recv(fd_, buf, sizeof(buf), 0);
      if (got == 0 || (got < 0 && errno == ECONNRESET)) return out;
      if (got < 0) return std::nullopt;
      out.append(buf, static_cast<size_t>(got));
    }
  }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
  }

  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace paddock::server::testing
