#pragma once
// SnapBody: the body a leader writes after a SNAP packet, which may still be in the making
// when the packet is queued. A leader with a large tree has a child process serialize it
// (ensemble/forked_snapshot.h) while the state thread goes on; the quorum connection queues
// the SNAP and everything after it, and writes them once the body is ready -- or closes the
// connection if it could not be made. One body may go to several learners; it is written
// from here without a copy.
//
// Thread-safe: made ready or failed once, from any thread; read by the io threads.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paddock::peer {

class SnapBody {
 public:
  // A body that is ready now.
  static std::shared_ptr<SnapBody> ready(std::string bytes);
  // A body another thread will finish with set() or fail().
  static std::shared_ptr<SnapBody> pending();

  // Exactly one of these, once; callbacks registered with when_done() then run on this thread.
  void set(std::string bytes);
  void fail(std::string reason);

  // Runs `done` once the body is set or failed: at once (on this thread) when it already is.
  void when_done(std::function<void()> done);
  bool done() const;
  // After done(): the bytes (empty when failed) and why it failed (empty when it did not).
  // The bytes never change once set.
  const std::string& bytes() const;
  std::string failure() const;

 private:
  SnapBody() = default;
  mutable std::mutex mu_;
  bool done_ = false;
  std::string bytes_;
  std::string failure_;
  std::vector<std::function<void()>> waiters_;
};

}  // namespace paddock::peer
