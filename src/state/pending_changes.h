#pragma once
// PendingChanges: what the txns prepared but not yet applied will do to the tree, so that a
// write is validated against the tree as it will be when its turn comes (ZooKeeper's
// outstandingChanges). For each path it keeps the latest projected node record (or a
// deletion); a change is dropped once a txn with its zxid (or a later one) is applied.
// A multi adds its changes one op at a time and rolls them back if a later op fails.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proto/types.h"

namespace paddock::state {

// A znode as prep sees it: the fields validation and the next txn need.
struct NodeRecord {
  proto::StatPersisted stat;  // cversion counts child creates, as in the tree
  proto::AclList acl;
  int32_t child_count = 0;
  int64_t data_length = 0;
  friend bool operator==(const NodeRecord&, const NodeRecord&) = default;
};

class PendingChanges {
 public:
  struct Change {
    int64_t zxid = 0;
    std::optional<NodeRecord> node;  // nullopt: the txn deletes the node
  };

  // The latest pending change of `path`, or nullptr when no pending txn touches it.
  const Change* latest(std::string_view path) const;
  void add(int64_t zxid, std::string_view path, std::optional<NodeRecord> node);

  // Multi support: mark(), add some changes, then rollback(mark) undoes them (restoring the
  // changes they shadowed). No apply may happen in between.
  uint64_t mark() const { return dropped_ + log_.size(); }
  void rollback(uint64_t mark);

  // A txn with this zxid was applied: forget every change (and session mark) at or below it.
  void applied(int64_t zxid);
  void clear();
  bool empty() const { return log_.empty() && creating_.empty() && closing_.empty(); }
  size_t change_count() const { return log_.size(); }

  // Sessions whose createSession / closeSession txn is pending.
  void session_created(int64_t session_id, int64_t zxid) {
    creating_[session_id] = zxid;
    creating_order_.emplace_back(zxid, session_id);
  }
  void session_closing(int64_t session_id, int64_t zxid) {
    closing_[session_id] = zxid;
    closing_order_.emplace_back(zxid, session_id);
  }
  bool is_creating(int64_t session_id) const { return creating_.count(session_id) > 0; }
  bool is_closing(int64_t session_id) const { return closing_.count(session_id) > 0; }

  // Visits every pending change in the order added (ZooKeeper's outstandingChanges), a path
  // once per change.
  void for_each_change(const std::function<void(const std::string&, const Change&)>& f) const;

 private:
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A path's latest change and how many log entries name the path: the slot goes once the
  // last of them is applied or rolled back. Entries point at their slot (unordered_map
  // nodes do not move), so a change copies its path once, into the slot.
  struct Latest {
    Change change;
    uint32_t entries = 0;
  };
  using LatestMap = std::unordered_map<std::string, Latest, PathHash, std::equal_to<>>;
  struct Entry {
    int64_t zxid = 0;
    LatestMap::value_type* slot = nullptr;
    std::optional<Change> shadowed;  // the latest change of the path before this one
  };
  void erase_slot(LatestMap::value_type* slot);

  std::deque<Entry> log_;  // in the order added (zxid order, multi ops share one zxid)
  uint64_t dropped_ = 0;   // entries popped from the front of log_ so far
  LatestMap latest_;
  std::map<int64_t, int64_t> creating_;  // session -> zxid of its createSession
  std::map<int64_t, int64_t> closing_;   // session -> zxid of its closeSession
  // The same entries in zxid order, so applied() drops them without scanning the maps.
  std::deque<std::pair<int64_t, int64_t>> creating_order_;  // (zxid, session)
  std::deque<std::pair<int64_t, int64_t>> closing_order_;
};

}  // namespace paddock::state
