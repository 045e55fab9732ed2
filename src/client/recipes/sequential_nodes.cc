#include "client/recipes/sequential_nodes.h"

#include <algorithm>
#include <memory>
#include <random>

namespace paddock::client::recipes {

Deadline deadline_after(std::chrono::milliseconds timeout) {
  if (timeout.count() < 0) return Clock::now() + std::chrono::hours(24 * 365);
  return Clock::now() + timeout;
}

std::chrono::milliseconds until(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

bool await_reconnect(Client& client, Deadline deadline, const StopPredicate& stop) {
  while (Clock::now() < deadline) {
    if (stop && stop()) return false;
    SessionState s = client.state();
    if (s != SessionState::kConnecting && s != SessionState::kConnected) return false;
    // In slices, so a session that ends (or a stop) meanwhile is noticed.
    if (client.wait_connected(std::min(until(deadline), std::chrono::milliseconds(100))))
      return true;
  }
  return false;
}

std::string random_guid() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   static_cast<uint64_t>(Clock::now().time_since_epoch().count())};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int word = 0; word < 2; ++word) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4) out.push_back(kHex[v & 0xf]);
  }
  return out;
}

std::string join_path(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

Result<Empty> ensure_path(Client& client, const std::string& path, Deadline deadline,
                          const StopPredicate& stop) {
  if (path.empty() || path == "/") return Empty{};
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    auto r = retry_on_loss(
        client, deadline, [&] { return client.create(prefix, std::string()).get(); }, stop);
    if (!r.ok() && r.code() != Err::kNodeExists) return Result<Empty>(r.code(), r.path());
  }
  return Empty{};
}

namespace {
Result<std::string> create_marked(Client& client, const std::string& dir, const std::string& mark,
                                  const std::string& prefix, NodeData data, CreateMode mode,
                                  Deadline deadline, bool maybe_created,
                                  const StopPredicate& stop);
}  // namespace

Result<std::string> protected_create(Client& client, const std::string& dir,
                                     const std::string& prefix, NodeData data, CreateMode mode,
                                     Deadline deadline, const StopPredicate& stop) {
  return create_marked(client, dir, "_c_" + random_guid() + "-", prefix, std::move(data), mode,
                       deadline, false, stop);
}

Result<std::string> resume_protected_create(Client& client, const std::string& dir,
                                            const std::string& mark, const std::string& prefix,
                                            NodeData data, CreateMode mode, Deadline deadline) {
  return create_marked(client, dir, mark, prefix, std::move(data), mode, deadline, true, {});
}

namespace {

Result<std::string> create_marked(Client& client, const std::string& dir, const std::string& mark,
                                  const std::string& prefix, NodeData data, CreateMode mode,
                                  Deadline deadline, bool maybe_created,
                                  const StopPredicate& stop) {
  while (true) {
    if (maybe_created) {
      auto kids = client.get_children(dir).get();
      if (kids.code() == Err::kConnectionLoss) {
        if (!await_reconnect(client, deadline, stop)) {
          delete_marked_in_background(client, dir, mark);
          return Result<std::string>(kids.code(), dir);
        }
        continue;
      }
      if (kids.ok()) {
        for (const auto& k : kids.value()) {
          if (k.rfind(mark, 0) == 0) return join_path(dir, k);
        }
      }
      maybe_created = false;
    }
    auto r = client.create(join_path(dir, mark + prefix), data, {.mode = mode}).get();
    if (r.ok()) return r.value().path;
    if (r.code() == Err::kConnectionLoss) {
      maybe_created = true;
      if (!await_reconnect(client, deadline, stop)) {
        delete_marked_in_background(client, dir, mark);
        return Result<std::string>(r.code(), r.path());
      }
      continue;
    }
    if (r.code() == Err::kNoNode) {
      if (auto made = ensure_path(client, dir, deadline, stop); !made.ok()) {
        return Result<std::string>(made.code(), made.path());
      }
      continue;
    }
    return Result<std::string>(r.code(), r.path());
  }
}

// One background deletion: a chain of callbacks, each holding the job alive.
struct BackgroundDelete : std::enable_shared_from_this<BackgroundDelete> {
  BackgroundDelete(Client& c, std::string d, std::string m)
      : client(c), dir(std::move(d)), mark(std::move(m)) {}

  // Lists `dir` for the child carrying `mark`.
  void find() {
    client.get_children(dir, {}, [self = shared_from_this()](Result<std::vector<std::string>> r) {
      // A call made while disconnected waits for the next connection, so this retries once
      // per connection attempt, not in a busy loop.
      if (r.code() == Err::kConnectionLoss) return self->find();
      if (!r.ok()) return;  // NoNode: nothing left; otherwise the session is over
      for (const auto& k : r.value()) {
        if (k.rfind(self->mark, 0) == 0) return self->remove(join_path(self->dir, k));
      }
    });
  }
  void remove(const std::string& victim) {
    client.remove(victim, -1, [self = shared_from_this(), victim](Result<Empty> r) {
      if (r.code() != Err::kConnectionLoss) return;  // deleted, absent, or the session is over
      if (self->mark.empty()) return self->remove(victim);
      self->find();  // look again: there may be one more (or none)
    });
  }

  Client& client;
  const std::string dir, mark;  // mark empty: delete one known path
};

}  // namespace

void delete_marked_in_background(Client& client, const std::string& dir, const std::string& mark) {
  std::make_shared<BackgroundDelete>(client, dir, mark)->find();
}

void delete_in_background(Client& client, const std::string& path) {
  auto job = std::make_shared<BackgroundDelete>(client, std::string(), std::string());
  job->remove(path);
}

bool delete_own_node(Client& client, const std::string& path, Deadline deadline) {
  auto r = retry_on_loss(client, deadline, [&] { return client.remove(path).get(); });
  if (r.code() != Err::kConnectionLoss) return true;
  delete_in_background(client, path);
  return false;
}

int64_t sequence_of(const std::string& name) {
  if (name.size() < 10) return -1;
  int64_t v = 0;
  for (size_t i = name.size() - 10; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

std::vector<std::string> sort_by_sequence(const std::vector<std::string>& children,
                                          const std::vector<std::string>& markers) {
  std::vector<std::string> out;
  for (const auto& c : children) {
    if (sequence_of(c) < 0) continue;
    for (const auto& m : markers) {
      if (c.find(m) != std::string::npos) {
        out.push_back(c);
        break;
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return sequence_of(a) < sequence_of(b);
  });
  return out;
}

}  // namespace paddock::client::recipes
