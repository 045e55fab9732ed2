#include "client/event_queue.h"

#include <utility>

namespace paddock::client {

void EventQueue::push(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

bool EventQueue::pop(Task& out) {
  std::function<void()> notifier;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !tasks_.empty() || closed_; });
    if (tasks_.empty()) return false;
    out = std::move(tasks_.front());
    tasks_.pop_front();
    if (notifier_ && tasks_.size() <= capacity_ / 2) notifier = std::exchange(notifier_, {});
  }
  if (notifier) notifier();
  return true;
}

void EventQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t EventQueue::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_.size();
}

bool EventQueue::has_room(size_t extra) const {
  std::lock_guard<std::mutex> lock(mu_);
  return tasks_.size() < capacity_ + extra;
}

void EventQueue::notify_when_room(std::function<void()> notifier) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tasks_.size() > capacity_ / 2) {
      notifier_ = std::move(notifier);
      return;
    }
    notifier_ = {};
  }
  notifier();
}

}  // namespace paddock::client
