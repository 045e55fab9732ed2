#include "state/session_tracker.h"

#include <algorithm>
#include <array>

#include "proto/types.h"
#include "state/zk_session_ids.h"
#include "util/assert.h"

namespace paddock::state {

SessionTracker::SessionTracker(int32_t tick_ms) : tick_ms_(tick_ms) { PADDOCK_ASSERT(tick_ms > 0); }

void SessionTracker::unbucket(int64_t session_id, Session& s) {
  if (s.bucket == 0) return;
  auto it = buckets_.find(s.bucket);
  if (it != buckets_.end()) {
    it->second.erase(session_id);
    if (it->second.empty()) buckets_.erase(it);
  }
  s.bucket = 0;
}

void SessionTracker::add(int64_t session_id, int32_t timeout_ms, int64_t now_ms) {
  Session& s = sessions_[session_id];
  s.timeout_ms = timeout_ms;
  if (s.closing) return;  // as ZooKeeper: re-adding does not revive a closing session
  unbucket(session_id, s);
  s.bucket = bucket_for(now_ms + timeout_ms);
  buckets_[s.bucket].insert(session_id);
}

bool SessionTracker::touch(int64_t session_id, int64_t now_ms) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.closing) return false;
  Session& s = it->second;
  int64_t bucket = bucket_for(now_ms + s.timeout_ms);
  if (bucket != s.bucket) {
    unbucket(session_id, s);
    s.bucket = bucket;
    buckets_[bucket].insert(session_id);
  }
  return true;
}

void SessionTracker::set_closing(int64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  unbucket(session_id, it->second);
  it->second.closing = true;
}

void SessionTracker::remove(int64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  unbucket(session_id, it->second);
  sessions_.erase(it);
}

std::vector<int64_t> SessionTracker::expire(int64_t now_ms) {
  std::vector<int64_t> expired;
  while (!buckets_.empty() && buckets_.begin()->first <= now_ms) {
    for (int64_t id : buckets_.begin()->second) {
      Session& s = sessions_.at(id);
      s.bucket = 0;
      s.closing = true;
      expired.push_back(id);
    }
    buckets_.erase(buckets_.begin());
  }
  return expired;
}

bool SessionTracker::is_closing(int64_t session_id) const {
  auto it = sessions_.find(session_id);
  return it != sessions_.end() && it->second.closing;
}

std::optional<int32_t> SessionTracker::timeout_of(int64_t session_id) const {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return std::nullopt;
  return it->second.timeout_ms;
}

std::optional<int64_t> SessionTracker::deadline_of(int64_t session_id) const {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.closing) return std::nullopt;
  return it->second.bucket;
}

std::optional<int64_t> SessionTracker::next_expiration() const {
  if (buckets_.empty()) return std::nullopt;
  return buckets_.begin()->first;
}

int32_t SessionTracker::negotiate_timeout(int32_t requested_ms, int32_t min_ms, int32_t max_ms) {
  if (requested_ms < min_ms) return min_ms;
  if (requested_ms > max_ms) return max_ms;
  return requested_ms;
}

int64_t SessionTracker::initial_session_id(int64_t server_id, int64_t now_ms) {
  return zk_first_session_id(now_ms, server_id);
}

// As ZooKeeper derives it (java.util.Random seeded with id ^ secret), so that a session made
// by a ZooKeeper server of the same ensemble resumes here and the other way round.
std::string SessionTracker::password_for(int64_t session_id, uint64_t secret) {
  JavaRandom random(session_id ^ static_cast<int64_t>(secret));
  std::string out(kZkPasswordBytes, '\0');
  random.next_bytes(reinterpret_cast<uint8_t*>(out.data()), out.size());
  return out;
}

}  // namespace paddock::state
