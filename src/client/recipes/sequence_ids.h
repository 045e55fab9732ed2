#pragma once
// Unique names and IDs from sequential nodes (ZooKeeper's naming-service use): the server
// numbers the children of `dir` from one counter, so every sequential create under it gets a
// number no other create got.
// - unique_name(prefix, data): a persistent sequential node `dir/<prefix>NNNNNNNNNN` that
//   stays as the name's record (its data: what the name stands for).
// - next_id(): the number of an ephemeral sequential node made and deleted at once.
// Both create in protected mode, so a create retried after a connection loss does not burn a
// second number or leave a second node. The counter is ZooKeeper's 32-bit one: numbers are
// unique under one `dir` until it passes 2^31 creates.
#include <cstdint>
#include <string>

#include "client/client.h"

namespace paddock::client::recipes {

class SequenceIds {
 public:
  SequenceIds(Client& client, std::string dir);
  // The full path of the new node.
  Result<std::string> unique_name(const std::string& prefix, const std::string& data = "");
  Result<int64_t> next_id();

 private:
  Client& client_;
  const std::string dir_;
};

}  // namespace paddock::client::recipes
