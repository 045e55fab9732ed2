#pragma once
// A distributed shared/exclusive lock (ZooKeeper's shared-lock recipe; Curator's
// InterProcessReadWriteLock without reentrancy or upgrade). Readers and writers queue in one
// sequence under `dir` ("read-" and "write-" nodes):
// - a writer holds it when no node of either kind precedes its own, and waits for its
//   immediate predecessor;
// - a reader holds it when no write node precedes its own, and waits for the closest write
//   node before it. Readers never wait for readers.
// So a read release wakes at most the one writer behind it, and a write release wakes the
// one node behind it (a writer, or the readers that waited for that write).
//
//   ReadWriteLock rw(client, "/locks/table");
//   if (rw.read().acquire(1s).value()) { ...; rw.read().release(); }
#include <string>

#include "client/recipes/lock_core.h"

namespace paddock::client::recipes {

class ReadWriteLock {
 public:
  ReadWriteLock(Client& client, const std::string& dir);
  // Each is one contender: a thread that wants both makes two ReadWriteLock objects.
  LockCore& read() { return read_; }
  LockCore& write() { return write_; }

 private:
  LockCore read_;
  LockCore write_;
};

}  // namespace paddock::client::recipes
