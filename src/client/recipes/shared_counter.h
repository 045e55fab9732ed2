#pragma once
// A shared counter kept in one znode as a decimal string, changed only by compare-and-set on
// the node's version (Curator's SharedCount / DistributedAtomicLong in optimistic mode): read
// value and version, write the new value with that version, and on BadVersion (someone wrote
// in between) read again and retry. Concurrent adds therefore never lose an update.
//
//   SharedCounter hits(client, "/stats/hits");
//   auto now = hits.add(1);   // Result<int64_t>: the value after this add
//
// A write whose connection drops before the reply may or may not have been applied: add()
// then answers kConnectionLoss and does not retry (retrying could count twice). Reads and
// compare_and_set failures are retried across connection losses.
#include <cstdint>
#include <string>

#include "client/client.h"

namespace paddock::client::recipes {

class SharedCounter {
 public:
  // The node is created (with `initial`) on first use if it does not exist.
  SharedCounter(Client& client, std::string path, int64_t initial = 0);

  struct Versioned {
    int64_t value = 0;
    int32_t version = 0;
  };
  Result<Versioned> get();
  // Adds `delta`; answers the new value. See above for kConnectionLoss.
  Result<int64_t> add(int64_t delta);
  // Writes `value` if the node still has `version`; false if someone wrote meanwhile.
  Result<bool> compare_and_set(int32_t version, int64_t value);
  // BadVersion conflicts met by add() so far (contention).
  uint64_t conflicts() const { return conflicts_; }

 private:
  Result<Empty> ensure_node();

  Client& client_;
  const std::string path_;
  const int64_t initial_;
  uint64_t conflicts_ = 0;
};

}  // namespace paddock::client::recipes
