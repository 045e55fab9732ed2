// Watch ops: addWatch, checkWatches/removeWatches, setWatches(2). No ACL checks (as in
// ZooKeeper 3.8.0), no existence checks except where setWatches decides to fire at once.
#include "state/reads.h"

namespace paddock::state {
namespace {

using proto::Err;
using proto::EventType;

}  // namespace

// addWatch(path, mode): persistent or persistent-recursive, on any path (existing or not).
// The reply is ErrorResponse{0}; a bad mode is MARSHALLINGERROR.
Reply Reader::add_watch(proto::JuteReader& r) {
  proto::AddWatchRequest req;
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  WatchKind kind;
  if (req.mode == static_cast<int32_t>(proto::AddWatchMode::kPersistent)) {
    kind = WatchKind::kPersistent;
  } else if (req.mode == static_cast<int32_t>(proto::AddWatchMode::kPersistentRecursive)) {
    kind = WatchKind::kPersistentRecursive;
  } else {
    return error_reply(Err::kMarshallingError);
  }
  tree_.watches().add(req.path, request_.watcher, kind);
  return Reply{Err::kOk, proto::encode(proto::ErrorResponse{0})};
}

// checkWatches / removeWatches(path, type): NOWATCHER when nothing matches; an unknown
// WatcherType is MARSHALLINGERROR. ZooKeeper 3.8.0 also answers MARSHALLINGERROR to a
// checkWatches of a non-empty path without any '/' (its parent-path walk fails on it).
Reply Reader::check_watches(proto::JuteReader& r, bool remove) {
  proto::CheckWatchesRequest req;  // RemoveWatchesRequest has the same fields
  read(r, req);
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  if (req.type < 1 || req.type > 3) return error_reply(Err::kMarshallingError);
  if (!remove && !req.path.empty() && req.path.find('/') == std::string::npos) {
    return error_reply(Err::kMarshallingError);
  }
  const auto type = static_cast<proto::WatcherType>(req.type);
  if (!tree_.watches().remove(req.path, request_.watcher, type, remove)) {
    return error_reply(Err::kNoWatcher);
  }
  return Reply{Err::kOk, {}};
}

// setWatches re-arms the watches of a reconnecting client. A one-shot watch whose event
// already happened after relativeZxid fires at once (and is not re-armed): data watch ->
// NodeDeleted if the node is gone, NodeDataChanged if mzxid > relativeZxid; exist watch ->
// NodeCreated if the node exists; child watch -> NodeDeleted if gone, NodeChildrenChanged if
// pzxid > relativeZxid. Persistent watches are re-armed without firing. Events come in the
// order data, exist, child.
Reply Reader::set_watches(proto::JuteReader& r, bool v2, std::vector<WatchEvent>& events) {
  proto::SetWatches2 req;
  if (v2) {
    read(r, req);
  } else {
    proto::SetWatches v1;
    read(r, v1);
    req = proto::SetWatches2{v1.relative_zxid,
                             std::move(v1.data_watches),
                             std::move(v1.exist_watches),
                             std::move(v1.child_watches),
                             {},
                             {}};
  }
  if (!r.ok()) return error_reply(Err::kMarshallingError);
  const WatcherId watcher = request_.watcher;
  auto fire = [&](EventType type, const std::string& path) {
    events.push_back(WatchEvent{watcher, type, proto::KeeperState::kSyncConnected, path});
  };
  WatchRegistry& watches = tree_.watches();
  for (const std::string& path : req.data_watches) {
    const Znode* node = find(path);
    if (node == nullptr) {
      fire(EventType::kNodeDeleted, path);
    } else if (node->stat.mzxid > req.relative_zxid) {
      fire(EventType::kNodeDataChanged, path);
    } else {
      watches.add(path, watcher, WatchKind::kData);
    }
  }
  for (const std::string& path : req.exist_watches) {
    if (find(path) != nullptr) {
      fire(EventType::kNodeCreated, path);
    } else {
      watches.add(path, watcher, WatchKind::kData);
    }
  }
  for (const std::string& path : req.child_watches) {
    const Znode* node = find(path);
    if (node == nullptr) {
      fire(EventType::kNodeDeleted, path);
    } else if (node->stat.pzxid > req.relative_zxid) {
      fire(EventType::kNodeChildrenChanged, path);
    } else {
      watches.add(path, watcher, WatchKind::kChild);
    }
  }
  for (const std::string& path : req.persistent_watches) {
    watches.add(path, watcher, WatchKind::kPersistent);
  }
  for (const std::string& path : req.persistent_recursive_watches) {
    watches.add(path, watcher, WatchKind::kPersistentRecursive);
  }
  return Reply{Err::kOk, {}};
}

}  // namespace paddock::state
