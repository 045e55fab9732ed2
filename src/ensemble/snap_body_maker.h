#pragma once
// SnapBodyMaker: the bodies a leader sends after SNAP, made without stopping the state
// thread for the whole tree.
//
// A SNAP must carry the state exactly as it stands when the core's Ready is carried out
// (src/quorum/README.md, step 6). Serializing a million znodes takes about 2 s, and the
// state thread is the one that serves every client, so for a large tree the state thread
// fork()s: the child holds a copy-on-write image of the tree frozen at that instant,
// serializes it into a pipe and exits, while the parent goes on serving. A reader thread
// collects the bytes into the SnapBody the quorum connection waits for. The state thread
// stops only for the fork (page tables: milliseconds per GiB of heap).
//
// The child runs the one thread that forked; it touches the tree, the allocator (fork-safe
// in glibc and jemalloc) and the pipe, closes every other descriptor at once (so a
// connection the parent closes really closes), logs nothing and leaves with _exit. It dies
// with the thread that forked it (PR_SET_PDEATHSIG). The bytes end with their own length,
// so a child that died part-way is told from one that finished.
//
// Small trees, and any fork that fails, are serialized on the spot as before.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "peer/snap_body.h"
#include "state/data_tree.h"

namespace paddock::ensemble {

class SnapBodyMaker {
 public:
  // Trees with fewer nodes than this are serialized on the calling thread (0: always fork).
  explicit SnapBodyMaker(size_t fork_min_nodes) : fork_min_nodes_(fork_min_nodes) {}
  ~SnapBodyMaker();  // stop()
  SnapBodyMaker(const SnapBodyMaker&) = delete;
  SnapBodyMaker& operator=(const SnapBodyMaker&) = delete;

  // The state thread: the body of `tree` as it stands now (ready, or pending while a child
  // serializes it).
  std::shared_ptr<peer::SnapBody> make(const state::DataTree& tree);
  // Kills children still serializing (their bodies fail) and joins the readers. Idempotent;
  // make() serializes on the spot afterwards.
  void stop();

  struct Stats {
    uint64_t forked = 0;        // bodies made by a child
    uint64_t made_inline = 0;   // on the calling thread (small tree, or fork failed)
    uint64_t failed = 0;        // children that did not deliver a whole body
    int64_t last_pause_us = 0;  // the state thread's stop for the last body (fork or inline)
  };
  Stats stats() const;

 private:
  struct Job {
    pid_t pid = -1;
    std::shared_ptr<peer::SnapBody> body;
    std::thread reader;
    std::atomic<bool> finished{false};  // the body is set or failed
    std::mutex mu;
    bool reaped = false;  // under mu: the pid is gone and must not be signalled
  };
  std::shared_ptr<peer::SnapBody> make_inline(const state::DataTree& tree);
  void reap_finished();  // joins readers that are done (state thread)
  // Reader thread: the child's bytes into job.body, then waits for the child.
  void read_child(Job& job, int fd, size_t reserve);

  const size_t fork_min_nodes_;
  mutable std::mutex mu_;  // guards the fields below
  std::vector<std::unique_ptr<Job>> jobs_;
  bool stopped_ = false;
  Stats stats_;
};

}  // namespace paddock::ensemble
