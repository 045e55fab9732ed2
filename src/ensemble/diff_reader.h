#pragma once
// DiffReader: a leader's DIFF for a learner far behind, read from its log files on a thread
// of its own.
//
// A learner past the leader's in-memory committed log (500 txns) is sent the txns it lacks
// from the log files. Reading 100,000 of them took 50-60 ms, and the thread that would read
// them is the pipeline thread, the one that answers every client (docs/benchmarks.md, "A
// DIFF of 100,000 txns"). The core asks for the read (quorum::Ready::log_reads) and goes on;
// the plan is made on the pipeline thread (DurableDatabase::plan_committed_read), the files
// are read here, and the answer is handed back to the core with QuorumPeer::log_read.
//
// One worker, started on first use; reads run in the order given. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "durable/durable_database.h"
#include "quorum/ready.h"
#include "util/result.h"

namespace paddock::ensemble {

class DiffReader {
 public:
  // A DIFF from the log stops after this many txns (the rest is sent by SNAP).
  static constexpr size_t kMaxTxns = 1'000'000;

  using Done = std::function<void(uint64_t id, Result<std::vector<quorum::LoggedTxn>> txns)>;

  // `durable` outlives this object. `done` is called on the worker thread, once per read
  // that runs (not for reads dropped by stop()).
  DiffReader(const durable::DurableDatabase& durable, Done done);
  ~DiffReader();  // stop()
  DiffReader(const DiffReader&) = delete;
  DiffReader& operator=(const DiffReader&) = delete;

  // The core's read, planned on the state-owning thread.
  void read(const quorum::LogRead& read, const durable::DurableDatabase::CommittedRead& plan);
  // Drops the reads not started and waits for the one running. Idempotent.
  void stop();
  size_t queued() const;  // reads not started (tests)

  // What one read of `plan` gives the core: the txns, or why a SNAP must be sent instead.
  // Any thread.
  static Result<std::vector<quorum::LoggedTxn>> run(
      const durable::DurableDatabase& durable, const quorum::LogRead& read,
      const durable::DurableDatabase::CommittedRead& plan);

 private:
  struct Job {
    quorum::LogRead read;
    durable::DurableDatabase::CommittedRead plan;
  };
  void loop();

  const durable::DurableDatabase& durable_;
  const Done done_;
  mutable std::mutex mu_;  // guards the fields below
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  std::thread worker_;
  bool stopped_ = false;
};

}  // namespace paddock::ensemble
