#include "peer/snap_body.h"

#include "util/assert.h"

namespace paddock::peer {

std::shared_ptr<SnapBody> SnapBody::ready(std::string bytes) {
  std::shared_ptr<SnapBody> body(new SnapBody());
  body->done_ = true;
  body->bytes_ = std::move(bytes);
  return body;
}

std::shared_ptr<SnapBody> SnapBody::pending() { return std::shared_ptr<SnapBody>(new SnapBody()); }

void SnapBody::set(std::string bytes) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard lock(mu_);
    PADDOCK_ASSERT(!done_);
    bytes_ = std::move(bytes);
    done_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) w();
}

void SnapBody::fail(std::string reason) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard lock(mu_);
    PADDOCK_ASSERT(!done_);
    failure_ = reason.empty() ? std::string("failed") : std::move(reason);
    done_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) w();
}

void SnapBody::when_done(std::function<void()> done) {
  {
    std::lock_guard lock(mu_);
    if (!done_) {
      waiters_.push_back(std::move(done));
      return;
    }
  }
  done();
}

bool SnapBody::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

const std::string& SnapBody::bytes() const {
  std::lock_guard lock(mu_);
  PADDOCK_ASSERT(done_);
  return bytes_;  // never written again once done_
}

std::string SnapBody::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

}  // namespace paddock::peer
