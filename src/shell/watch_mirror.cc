#include "shell/watch_mirror.h"

namespace paddock::shell {

using client::EventType;
using client::WatcherType;

void WatchMirror::add(Kind kind, const std::string& path) {
  switch (kind) {
    case Kind::kData:
      ++data_[path];
      break;
    case Kind::kChild:
      ++child_[path];
      break;
    case Kind::kPersistent:
      ++persistent_[path];
      break;
    case Kind::kRecursive:
      ++recursive_[path];
      break;
  }
}

void WatchMirror::expect_removal(const std::string&, WatcherType type) { removal_type_ = type; }

int WatchMirror::take(Counts& c, const std::string& path) {
  auto it = c.find(path);
  if (it == c.end()) return 0;
  int n = it->second;
  c.erase(it);
  return n;
}

int WatchMirror::peek(const Counts& c, const std::string& path) {
  auto it = c.find(path);
  return it == c.end() ? 0 : it->second;
}

int WatchMirror::recursive_matches(const std::string& path) const {
  int n = 0;
  std::string prefix = path;
  while (true) {
    n += peek(recursive_, prefix);
    if (prefix == "/" || prefix.empty()) break;
    size_t slash = prefix.rfind('/');
    prefix.resize(slash == 0 ? 1 : slash);
  }
  return n;
}

void WatchMirror::clear() {
  data_.clear();
  child_.clear();
  persistent_.clear();
  recursive_.clear();
}

int WatchMirror::count(Kind kind, const std::string& path) const {
  switch (kind) {
    case Kind::kData:
      return peek(data_, path);
    case Kind::kChild:
      return peek(child_, path);
    case Kind::kPersistent:
      return peek(persistent_, path);
    case Kind::kRecursive:
      return peek(recursive_, path);
  }
  return 0;
}

bool WatchMirror::deliver(const client::WatchEvent& e) {
  if (skip_ > 0) {
    --skip_;
    return false;
  }
  const std::string& p = e.path;
  int n = 0;
  switch (e.type) {
    case EventType::kNone:
      // Expired: every registration gets it once; the session watcher has printed it.
      n = 0;
      for (const Counts* c : {&data_, &child_, &persistent_, &recursive_}) {
        for (const auto& [path, k] : *c) n += k;
      }
      clear();
      skip_ = n > 0 ? n - 1 : 0;
      return false;
    case EventType::kNodeCreated:
    case EventType::kNodeDataChanged:
      n = take(data_, p) + peek(persistent_, p) + recursive_matches(p);
      break;
    case EventType::kNodeChildrenChanged:
      n = take(child_, p) + peek(persistent_, p);
      break;
    case EventType::kNodeDeleted:
      n = take(data_, p) + take(child_, p) + peek(persistent_, p) + recursive_matches(p);
      break;
    case EventType::kDataWatchRemoved:
      n = take(data_, p);
      break;
    case EventType::kChildWatchRemoved:
      n = take(child_, p);
      break;
    case EventType::kPersistentWatchRemoved:
      n = take(persistent_, p);
      if (removal_type_ != WatcherType::kChildren) n += take(recursive_, p);
      break;
  }
  skip_ = n > 0 ? n - 1 : 0;
  return true;
}

}  // namespace paddock::shell
