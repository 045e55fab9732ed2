#pragma once
// SessionTracker: session liveness the way ZooKeeper's SessionTrackerImpl/ExpiryQueue keep it.
// A session's deadline is rounded up to the next multiple of tickTime, so sessions fall into
// per-tick buckets and expiry is one bucket at a time. Expired sessions are marked closing
// (touches are then refused) and stay known until remove() -- after their closeSession txn
// is applied. Pure: the time comes in as an argument (a monotonic clock in ms).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace paddock::state {

class SessionTracker {
 public:
  explicit SessionTracker(int32_t tick_ms);

  // Tracks a session (or updates its timeout) and sets its deadline from now_ms.
  void add(int64_t session_id, int32_t timeout_ms, int64_t now_ms);
  // Moves the deadline on; false if the session is unknown or closing.
  bool touch(int64_t session_id, int64_t now_ms);
  // Marks a session closing (closeSession asked for): no more touches, not expired again.
  void set_closing(int64_t session_id);
  void remove(int64_t session_id);

  // Sessions whose bucket time is <= now_ms, in bucket then id order; they are marked closing
  // and leave the buckets (they stay known until remove()).
  std::vector<int64_t> expire(int64_t now_ms);

  bool contains(int64_t session_id) const { return sessions_.count(session_id) > 0; }
  bool is_closing(int64_t session_id) const;
  size_t size() const { return sessions_.size(); }
  std::optional<int32_t> timeout_of(int64_t session_id) const;
  // The bucket time a session expires at (nullopt if unknown or closing).
  std::optional<int64_t> deadline_of(int64_t session_id) const;
  // The earliest bucket time, for the caller's timer (nullopt if no live session).
  std::optional<int64_t> next_expiration() const;

  // (now + timeout) rounded up to the next tick multiple, strictly after it as ZooKeeper does.
  int64_t bucket_for(int64_t deadline_ms) const { return (deadline_ms / tick_ms_ + 1) * tick_ms_; }

  // The timeout a client gets: requested, clamped to [min_ms, max_ms].
  static int32_t negotiate_timeout(int32_t requested_ms, int32_t min_ms, int32_t max_ms);
  // The first session id of a server: ((now << 24) >>> 8) | (server_id << 56), so ids from
  // different servers and restarts do not collide; later ids count up from it.
  static int64_t initial_session_id(int64_t server_id, int64_t now_ms);
  // The 16-byte session password as ZooKeeper makes it (java.util.Random seeded with
  // id ^ secret; ZooKeeper's secret is 0xB3415C00), so any server of an ensemble, Paddock or
  // ZooKeeper, can check it without storing it.
  static std::string password_for(int64_t session_id, uint64_t secret);

 private:
  struct Session {
    int32_t timeout_ms = 0;
    int64_t bucket = 0;  // 0 while closing (not in any bucket)
    bool closing = false;
  };
  void unbucket(int64_t session_id, Session& s);

  int32_t tick_ms_;
  std::unordered_map<int64_t, Session> sessions_;
  std::map<int64_t, std::set<int64_t>> buckets_;  // bucket time -> sessions due then
};

}  // namespace paddock::state
