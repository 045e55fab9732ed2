#include "client/watch_registry.h"

namespace paddock::client {

WatchRegistry::Table& WatchRegistry::table(WatchKind kind) {
  switch (kind) {
    case WatchKind::kData: return data_;
    case WatchKind::kExist: return exist_;
    case WatchKind::kChild: return child_;
    case WatchKind::kPersistent: return persistent_;
    case WatchKind::kPersistentRecursive: return recursive_;
  }
  return data_;
}

void WatchRegistry::add(WatchKind kind, const std::string& path, Watcher watcher) {
  table(kind)[path].push_back(std::move(watcher));
}

void WatchRegistry::take(Table& t, const std::string& path, std::vector<Watcher>& out) {
  auto it = t.find(path);
  if (it == t.end()) return;
  for (auto& w : it->second) out.push_back(std::move(w));
  t.erase(it);
}

void WatchRegistry::copy(const Table& t, const std::string& path, std::vector<Watcher>& out) {
  auto it = t.find(path);
  if (it == t.end()) return;
  out.insert(out.end(), it->second.begin(), it->second.end());
}

std::vector<Watcher> WatchRegistry::materialize(EventType type, const std::string& path) {
  std::vector<Watcher> out;
  switch (type) {
    case EventType::kNodeCreated:
    case EventType::kNodeDataChanged:
      take(data_, path, out);
      take(exist_, path, out);
      break;
    case EventType::kNodeChildrenChanged:
      take(child_, path, out);
      break;
    case EventType::kNodeDeleted:
      take(data_, path, out);
      take(exist_, path, out);
      take(child_, path, out);
      break;
    default:
      return out;
  }
  copy(persistent_, path, out);
  if (type == EventType::kNodeChildrenChanged || recursive_.empty()) return out;
  // The path itself and every ancestor up to "/".
  std::string prefix = path;
  while (true) {
    copy(recursive_, prefix, out);
    if (prefix == "/") break;
    size_t slash = prefix.rfind('/');
    prefix.resize(slash == 0 ? 1 : slash);
  }
  return out;
}

WatchRegistry::Removed WatchRegistry::remove(const std::string& path, WatcherType type) {
  Removed r;
  if (type == WatcherType::kChildren || type == WatcherType::kAny) take(child_, path, r.child);
  if (type == WatcherType::kData || type == WatcherType::kAny) {
    take(data_, path, r.data);
    take(exist_, path, r.data);
  }
  take(persistent_, path, r.persistent);
  if (type != WatcherType::kChildren) take(recursive_, path, r.persistent);
  return r;
}

bool WatchRegistry::contains(const std::string& path, WatcherType type) const {
  auto has = [&](const Table& t) { return t.find(path) != t.end(); };
  bool children = type == WatcherType::kChildren || type == WatcherType::kAny;
  bool data = type == WatcherType::kData || type == WatcherType::kAny;
  return (children && has(child_)) || (data && (has(data_) || has(exist_))) ||
         has(persistent_) || (type != WatcherType::kChildren && has(recursive_));
}

WatchRegistry::Paths WatchRegistry::paths() const {
  Paths p;
  auto keys = [](const Table& t, std::vector<std::string>& out) {
    for (const auto& [k, v] : t) out.push_back(k);
  };
  keys(data_, p.data);
  keys(exist_, p.exist);
  keys(child_, p.child);
  keys(persistent_, p.persistent);
  keys(recursive_, p.recursive);
  return p;
}

std::vector<Watcher> WatchRegistry::clear() {
  std::vector<Watcher> out;
  for (Table* t : {&data_, &exist_, &child_, &persistent_, &recursive_}) {
    for (auto& [k, v] : *t) {
      for (auto& w : v) out.push_back(std::move(w));
    }
    t->clear();
  }
  return out;
}

size_t WatchRegistry::size() const {
  size_t n = 0;
  for (const Table* t : {&data_, &exist_, &child_, &persistent_, &recursive_}) {
    for (const auto& [k, v] : *t) n += v.size();
  }
  return n;
}

}  // namespace paddock::client
