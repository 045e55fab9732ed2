#pragma once
// Barriers.
//
// Barrier (Curator's DistributedBarrier): one node `path`; set() raises the barrier, remove()
// lowers it, wait() blocks while it is raised (a data watch on the node).
//
// DoubleBarrier (ZooKeeper's double-barrier recipe; Curator's DistributedDoubleBarrier):
// `member_count` participants enter() and each blocks until all have entered; at the end of
// the work each leave()s and blocks until all have left. Each participant is an ephemeral
// node `dir/<guid>`; the last to enter creates `dir/ready`, which every waiting participant
// watches. Leaving follows the recipe: the lowest node waits for the highest, every other
// participant deletes its node and waits for the lowest, so a departure wakes few.
#include <chrono>
#include <memory>
#include <string>

#include "client/client.h"
#include "client/recipes/wake_signal.h"

namespace paddock::client::recipes {

class Barrier {
 public:
  Barrier(Client& client, std::string path);
  Result<Empty> set();
  Result<Empty> remove();
  // True once the barrier is down (not raised, or removed), false at the timeout.
  Result<bool> wait(std::chrono::milliseconds timeout);

 private:
  Client& client_;
  const std::string path_;
  std::shared_ptr<WakeSignal> signal_ = WakeSignal::make();
};

class DoubleBarrier {
 public:
  DoubleBarrier(Client& client, std::string dir, int member_count);
  // True once `member_count` participants have entered; false at the timeout (this
  // participant's node is then removed again).
  Result<bool> enter(std::chrono::milliseconds timeout);
  // True once every participant has left; false at the timeout.
  Result<bool> leave(std::chrono::milliseconds timeout);

 private:
  Client& client_;
  const std::string dir_, ready_, mine_;
  const int member_count_;
  std::shared_ptr<WakeSignal> signal_ = WakeSignal::make();
};

}  // namespace paddock::client::recipes
