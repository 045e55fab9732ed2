#pragma once
// SessionAuthority: who decides whether a session lives. The pipeline tells it what its
// clients do (a session created or closed by a committed txn, a request on a session, a
// client resuming a session) and asks it which sessions have expired. Standalone and on an
// ensemble's leader the decision is local (LocalSessionAuthority: ZooKeeper's tick buckets);
// on a learner it belongs to the leader: touches are relayed in ping replies, expiry is the
// leader's closeSession txn, and a session that moves here is revalidated with the leader
// (REVALIDATE), whose answer arrives later -- hence the callback.
#include <cstdint>
#include <functional>
#include <vector>

#include "state/session_tracker.h"

namespace paddock::pipeline {

class SessionAuthority {
 public:
  virtual ~SessionAuthority() = default;
  // A createSession txn was applied (any server's), or recovery found the session.
  virtual void session_added(int64_t session_id, int32_t timeout_ms, int64_t now_ms) = 0;
  // Its closeSession txn was applied.
  virtual void session_removed(int64_t session_id) = 0;
  // A client request (or ping) arrived on the session. False if it is unknown or closing.
  virtual bool touch(int64_t session_id, int64_t now_ms) = 0;
  // A client resumes `session_id` on this server: `done(alive)` runs on the pipeline thread,
  // at once or later. The password has been checked already.
  virtual void revalidate(int64_t session_id, int32_t timeout_ms, int64_t now_ms,
                          std::function<void(bool alive)> done) = 0;
  // Sessions to close now (a closeSession txn each). Learners never expire sessions.
  virtual std::vector<int64_t> expire(int64_t now_ms) = 0;
  // The log failed and the closeSession txns of these sessions were lost: they live again.
  virtual void revive(int64_t session_id, int32_t timeout_ms, int64_t now_ms) = 0;
};

// The authority of a standalone server and of an ensemble's leader: liveness from the
// session tracker's tick buckets.
class LocalSessionAuthority final : public SessionAuthority {
 public:
  explicit LocalSessionAuthority(int32_t tick_ms) : tracker_(tick_ms) {}

  void session_added(int64_t session_id, int32_t timeout_ms, int64_t now_ms) override {
    tracker_.add(session_id, timeout_ms, now_ms);
  }
  void session_removed(int64_t session_id) override { tracker_.remove(session_id); }
  bool touch(int64_t session_id, int64_t now_ms) override {
    return tracker_.touch(session_id, now_ms);
  }
  void revalidate(int64_t session_id, int32_t, int64_t now_ms,
                  std::function<void(bool)> done) override {
    done(tracker_.touch(session_id, now_ms));
  }
  std::vector<int64_t> expire(int64_t now_ms) override { return tracker_.expire(now_ms); }
  void revive(int64_t session_id, int32_t timeout_ms, int64_t now_ms) override {
    if (tracker_.contains(session_id) && !tracker_.is_closing(session_id)) return;
    tracker_.remove(session_id);
    tracker_.add(session_id, timeout_ms, now_ms);
  }

  const state::SessionTracker& tracker() const { return tracker_; }

 private:
  state::SessionTracker tracker_;
};

}  // namespace paddock::pipeline
