#pragma once
// The queue between a session's I/O thread and its event thread: completions of calls made
// with a callback, watch events and session events, run one at a time in queue order.
//
// Bound: `capacity` entries. The queue never refuses a push (refusing would lose an event
// the server already sent); the I/O thread instead asks has_room() before it decodes the
// next reply frame and, when the queue is full, stops reading the socket and calls
// notify_when_room(): the event thread then calls the notifier once the queue has drained
// to half its capacity. Pushes from callers' threads (a call rejected before it was sent)
// add at most one entry per call and are bounded by the caller.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace paddock::client {

class EventQueue {
 public:
  using Task = std::function<void()>;

  explicit EventQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  void push(Task task);
  // Blocks until a task is there; false once close() was called and the queue is empty.
  bool pop(Task& out);
  // No more tasks will be pushed; pop() returns false after the last one.
  void close();

  size_t size() const;
  size_t capacity() const { return capacity_; }
  // size() < capacity + extra.
  bool has_room(size_t extra = 0) const;
  // Calls `notifier` (once, from the popping thread, outside the lock) when the queue has
  // drained to capacity/2 or less; at once if it already has. A later call replaces an
  // earlier notifier that has not run yet.
  void notify_when_room(std::function<void()> notifier);

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  std::function<void()> notifier_;
  bool closed_ = false;
};

}  // namespace paddock::client
