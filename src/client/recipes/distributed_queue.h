#pragma once
// A distributed FIFO queue (ZooKeeper's queue recipe; Curator's SimpleDistributedQueue) with
// exactly-once take. Items are persistent sequential "qn-" nodes under `dir`, in the order
// the server numbered them.
//
// take() claims the head item by deleting it: of several takers, the one whose delete
// succeeds owns the item. The delete runs in a multi together with the create of an
// ephemeral claim node `dir/claims/<guid>`, so that a taker whose connection drops before the
// reply can still find out whether the take happened (the claim exists) -- a bare delete
// answering NoNode on the retry could not say who deleted it. offer() uses protected mode, so
// a retried offer does not add the item twice.
//
//   DistributedQueue q(client, "/jobs");
//   q.offer("job 1");
//   auto item = q.take(5s);   // Result<std::optional<std::string>>: nullopt at the timeout
//
// One object is used by one thread at a time (several takers: several objects).
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "client/client.h"
#include "client/recipes/armed_watch.h"
#include "client/recipes/sequential_nodes.h"
#include "client/recipes/wake_signal.h"

namespace paddock::client::recipes {

class DistributedQueue {
 public:
  DistributedQueue(Client& client, std::string dir);

  // Appends an item; answers its node's path.
  Result<std::string> offer(const std::string& data);
  // Removes and answers the head item, waiting up to `timeout` for one (0: do not wait,
  // negative: forever); nullopt when there was none.
  Result<std::optional<std::string>> take(std::chrono::milliseconds timeout);
  // The head item without removing it.
  Result<std::optional<std::string>> peek();
  Result<size_t> size();

 private:
  // One pass over the items in order; nullopt: the queue was empty.
  Result<std::optional<std::string>> take_one(Deadline deadline);
  // The multi of delete-and-claim for one item; true: taken by us.
  Result<bool> claim(const std::string& item, Deadline deadline);

  Client& client_;
  const std::string dir_;
  const std::string claims_;
  bool claims_ready_ = false;  // `claims_` was made (once per object)
  std::shared_ptr<WakeSignal> signal_ = WakeSignal::make();
  ArmedWatch watch_;  // the child watch take() waits on
};

}  // namespace paddock::client::recipes
