#include "console/session_pool.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace paddock::console {
namespace {

bool usable(const client::Client& c) {
  const client::SessionState s = c.state();
  return s == client::SessionState::kConnecting || s == client::SessionState::kConnected;
}

}  // namespace

Result<std::shared_ptr<client::Client>> SessionPool::session_for(const ConsoleIdentity& identity) {
  const Key key{identity.scheme, identity.credential};
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<client::Client>> closing;
  {
    std::lock_guard lock(mu_);
    evict_locked(now, /*making_room=*/false, closing);
    if (auto it = sessions_.find(key); it != sessions_.end()) {
      it->second.last_used = now;
      return it->second.client;
    }
  }
  closing.clear();  // closes them, outside the lock
  // Opened outside the lock: a slow connection must not hold up other identities.
  Result<std::shared_ptr<client::Client>> opened = open(identity);
  if (!opened) return opened;
  std::lock_guard lock(mu_);
  if (!sessions_.contains(key)) evict_locked(now, /*making_room=*/true, closing);
  auto [it, inserted] = sessions_.try_emplace(key, Entry{*opened, now});
  if (!inserted) closing.push_back(*opened);  // another request opened one meanwhile
  it->second.last_used = now;
  return it->second.client;
}

Result<std::shared_ptr<client::Client>> SessionPool::open(const ConsoleIdentity& identity) const {
  client::ClientOptions options;
  options.connect_string = options_.connect_string;
  options.session_timeout = options_.session_timeout;
  auto opened = client::Client::open(std::move(options));
  if (!opened) return Status::error("bad connect string: " + opened.error());
  std::shared_ptr<client::Client> c = std::move(*opened);
  if (!c->wait_connected(options_.connect_timeout)) {
    return Status::error("the client port " + options_.connect_string +
                         " did not accept a session in time (is the server serving?)");
  }
  if (!identity.anonymous()) {
    auto f = c->add_auth(identity.scheme, identity.credential);
    if (f.wait_for(options_.connect_timeout) != std::future_status::ready) {
      return Status::error("the server did not answer the authentication in time");
    }
    if (client::Result<client::Empty> r = f.get(); !r) {
      return Status::error(std::string("authentication failed: ") + proto::err_name(r.code()));
    }
  }
  spdlog::info("event=console_session_opened identity={} session=0x{:x}",
               identity.display_name(), c->session_id());
  return c;
}

void SessionPool::evict_locked(std::chrono::steady_clock::time_point now, bool making_room,
                               std::vector<std::shared_ptr<client::Client>>& out) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!usable(*it->second.client) || now - it->second.last_used > options_.idle_close) {
      out.push_back(std::move(it->second.client));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  while (making_room && sessions_.size() >= options_.max_sessions && !sessions_.empty()) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    out.push_back(std::move(oldest->second.client));
    sessions_.erase(oldest);
  }
}

void SessionPool::close_all() {
  std::map<Key, Entry> all;
  {
    std::lock_guard lock(mu_);
    all.swap(sessions_);
  }
  for (auto& [key, entry] : all) entry.client->close(std::chrono::milliseconds(1000));
}

size_t SessionPool::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace paddock::console
