#pragma once
// Group membership: each member is an ephemeral node `dir/<id>` (its data: whatever the
// member publishes, e.g. its address or progress). The session's pings are the heartbeat:
// a member that dies or is cut off for longer than its session timeout loses its session,
// and the server deletes its node. A GroupMonitor keeps the live members through a children
// watch on `dir`, re-armed at every change.
//
//   GroupMember me(client, "/workers", "w1", "10.0.0.7:9000");  me.join();
//   GroupMonitor monitor(client, events, "/workers", [](const auto& members) { ... });
//   monitor.start();
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/client.h"
#include "client/recipes/session_events.h"

namespace paddock::client::recipes {

class GroupMember {
 public:
  GroupMember(Client& client, std::string dir, std::string id, std::string data = "");
  // Creates the member's node (and `dir` if missing). After a connection loss a node that
  // exists and is owned by this session counts as joined; one owned by another session is
  // kNodeExists (that id is taken).
  Result<Empty> join();
  // Publishes new data (e.g. progress) in the member's node.
  Result<Empty> update(const std::string& data);
  Result<Empty> leave();
  std::string path() const;

 private:
  Client& client_;
  const std::string dir_, id_;
  std::string data_;
};

class GroupMonitor {
 public:
  using Members = std::map<std::string, std::string>;  // id -> data
  using OnChange = std::function<void(const Members&)>;

  // `on_change` runs after each change of the member list: the first time (the first listing)
  // on the thread that calls start(), later on the client's event thread; never two at once,
  // and never after stop() returned. Do not call stop() from on_change.
  GroupMonitor(Client& client, SessionEvents& events, std::string dir, OnChange on_change = {});
  ~GroupMonitor();
  GroupMonitor(const GroupMonitor&) = delete;
  GroupMonitor& operator=(const GroupMonitor&) = delete;

  // Lists the members (creating `dir` if missing) and starts watching.
  Result<Empty> start();
  void stop();
  Members members() const;
  // Waits until `pred(members())` holds; false at the timeout.
  bool wait_for(const std::function<bool(const Members&)>& pred,
                std::chrono::milliseconds timeout) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  SessionEvents& events_;
  uint64_t listener_id_ = 0;
};

}  // namespace paddock::client::recipes
