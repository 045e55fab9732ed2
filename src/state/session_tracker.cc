#include "state/session_tracker.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>

#include "proto/types.h"
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
  // Java: (now << 24) >>> 8 (logical shift), then | (sid << 56).
  uint64_t id = (static_cast<uint64_t>(now_ms) << 24) >> 8;
  id |= static_cast<uint64_t>(server_id) << 56;
  int64_t result = static_cast<int64_t>(id);
  // The container marker is not a session id (ZooKeeper skips it too).
  if (result == proto::kContainerOwner) ++result;
  return result;
}

std::string SessionTracker::password_for(int64_t session_id, uint64_t secret) {
  std::array<unsigned char, 8> key{};
  std::array<unsigned char, 8> msg{};
  for (int i = 0; i < 8; ++i) {
    key[i] = static_cast<unsigned char>(secret >> (56 - 8 * i));
    msg[i] = static_cast<unsigned char>(static_cast<uint64_t>(session_id) >> (56 - 8 * i));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(), md.data(),
       &md_len);
  PADDOCK_ASSERT(md_len >= 16);
  return std::string(reinterpret_cast<const char*>(md.data()), 16);
}

}  // namespace paddock::state
