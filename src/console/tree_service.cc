#include "console/tree_service.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <future>
#include <vector>

namespace paddock::console {
namespace {

using proto::Err;
using Clock = std::chrono::steady_clock;

// The call's result, or OPERATIONTIMEOUT once `deadline` passed (the late reply is dropped
// with its future).
template <typename T>
client::Result<T> await(std::future<client::Result<T>> f, Clock::time_point deadline,
                        const std::string& path) {
  if (f.wait_until(deadline) != std::future_status::ready) {
    return client::Result<T>(Err::kOperationTimeout, path);
  }
  return f.get();
}

ApiAnswer failed(Err code, const std::string& path) {
  // A timeout here is the server's silence, not the user's mistake: 504.
  return {code == Err::kOperationTimeout ? 504 : http_status_of(code), error_json(code, path)};
}

std::string child_path(const std::string& parent, const std::string& child) {
  return parent == "/" ? "/" + child : parent + "/" + child;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

}  // namespace

ApiAnswer TreeService::read(client::Client& c, const std::string& path) const {
  const auto deadline = Clock::now() + timeout_;
  // Three reads in flight at once: one round trip, not three.
  auto data_f = c.get_data(path);
  auto children_f = c.get_children(path);
  auto acl_f = c.get_acl(path);
  client::Result<client::DataResult> data = await(std::move(data_f), deadline, path);
  if (!data) return failed(data.code(), path);
  NodeView node;
  node.path = path;
  node.data = std::move(data.value().data);
  node.stat = data.value().stat;
  client::Result<std::vector<std::string>> children = await(std::move(children_f), deadline, path);
  if (!children && children.code() != Err::kNoNode) return failed(children.code(), path);
  if (children) node.children = std::move(children).value();
  client::Result<client::AclResult> acl = await(std::move(acl_f), deadline, path);
  if (acl) {
    node.acl = std::move(acl.value().acl);
  } else {
    node.acl_error = acl.code();
  }
  return {200, node_json(node)};
}

ApiAnswer TreeService::create(client::Client& c, const WriteRequest& w) const {
  client::CreateOptions options;
  options.mode = w.mode;
  options.acl = w.creator_acl ? client::creator_all_acl() : client::open_acl_unsafe();
  auto r = await(c.create(w.path, w.data, options), Clock::now() + timeout_, w.path);
  if (!r) return failed(r.code(), w.path);
  return {201, Json{{"path", r.value().path}, {"stat", stat_json(r.value().stat)}}};
}

ApiAnswer TreeService::set(client::Client& c, const WriteRequest& w) const {
  auto r = await(c.set_data(w.path, w.data, w.version), Clock::now() + timeout_, w.path);
  if (!r) return failed(r.code(), w.path);
  return {200, Json{{"path", w.path}, {"stat", stat_json(r.value())}}};
}

ApiAnswer TreeService::remove(client::Client& c, const std::string& path, int32_t version) const {
  auto r = await(c.remove(path, version), Clock::now() + timeout_, path);
  if (!r) return failed(r.code(), path);
  return {200, Json{{"path", path}, {"deleted", true}}};
}

ApiAnswer TreeService::search(client::Client& c, const std::string& root, const std::string& query,
                              const SearchLimits& limits) const {
  const auto deadline = Clock::now() + timeout_;
  const std::string needle = lower(query);
  std::deque<std::string> frontier{root};
  std::vector<std::string> matches;
  size_t visited = 0;
  size_t unreadable = 0;
  bool truncated = false;
  while (!frontier.empty() && !truncated) {
    // One wave: up to max_in_flight listings sent before the first reply is awaited.
    std::vector<std::pair<std::string, std::future<client::Result<std::vector<std::string>>>>> wave;
    while (!frontier.empty() && wave.size() < limits.max_in_flight) {
      std::string path = std::move(frontier.front());
      frontier.pop_front();
      auto f = c.get_children(path);
      wave.emplace_back(std::move(path), std::move(f));
    }
    for (auto& [path, f] : wave) {
      auto r = await(std::move(f), deadline, path);
      if (r.code() == Err::kOperationTimeout) return failed(r.code(), path);
      ++visited;
      if (!r) {
        unreadable += r.code() == Err::kNoAuth ? 1 : 0;  // NoNode: deleted meanwhile
        continue;
      }
      std::vector<std::string> children = std::move(r).value();
      std::sort(children.begin(), children.end());
      for (const std::string& child : children) {
        std::string p = child_path(path, child);
        if (lower(p).find(needle) != std::string::npos && matches.size() < limits.max_matches) {
          matches.push_back(p);
        }
        frontier.push_back(std::move(p));
      }
      if (visited >= limits.max_visited || matches.size() >= limits.max_matches) truncated = true;
    }
  }
  truncated = truncated && !frontier.empty();
  return {200, Json{{"root", root},
                    {"query", query},
                    {"matches", matches},
                    {"visited", visited},
                    {"unreadable", unreadable},
                    {"truncated", truncated}}};
}

}  // namespace paddock::console
