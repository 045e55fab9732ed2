#pragma once
// LogOutageHandler: what happens between a failed txn log write (disk full, EIO) and the
// log taking writes again, without a restart.
//
// 1. The log writer reports the failure (on_log_error, writer thread): the pipeline is told
//    to refuse writes (it answers every write that was not logged), then -- in order on the
//    pipeline thread, so no txn is proposed in between -- the orderer is reset to the
//    writer's durable zxid.
// 2. This handler's thread then retries every `retry_interval`: it checks that the log
//    directory has room again (reserving `probe_bytes` in a scratch file), then calls
//    TxnLogWriter::resume(), which cuts whatever the failed batch left after the last
//    durable record.
// 3. On success the pipeline accepts writes again; the next zxid follows the durable one.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "storage/env.h"
#include "storage/log_writer.h"
#include "util/result.h"

namespace paddock::durable {

struct LogOutageHooks {
  // PipelineThread::set_log_failed.
  std::function<void(bool failed, std::string reason)> set_log_failed;
  // PipelineThread::run_task.
  std::function<void(std::function<void()>)> run_on_pipeline;
  // LocalOrderer::reset (called on the pipeline thread).
  std::function<void(int64_t durable_zxid)> reset_orderer;
};

struct LogOutageOptions {
  std::string log_dir;
  uint64_t probe_bytes = 1 << 20;  // room the log needs to go on (its preallocation chunk)
  std::chrono::milliseconds retry_interval{2000};
};

class LogOutageHandler {
 public:
  LogOutageHandler(storage::TxnLogWriter& writer, storage::Env& env, LogOutageOptions options,
                   LogOutageHooks hooks);
  ~LogOutageHandler();  // stop()
  LogOutageHandler(const LogOutageHandler&) = delete;
  LogOutageHandler& operator=(const LogOutageHandler&) = delete;

  // The writer's on_error callback (writer thread).
  void on_log_error(const Status& error);
  void stop();

  uint64_t outages() const;
  bool in_outage() const;

 private:
  void run();
  void armed();  // pipeline thread: the pipeline refuses writes and the orderer is reset
  Status try_resume();

  storage::TxnLogWriter& writer_;
  storage::Env& env_;
  const LogOutageOptions options_;
  const LogOutageHooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool in_outage_ = false;  // from the failure until writes are accepted again
  bool armed_ = false;      // the pipeline side is done: resuming is safe
  bool stopping_ = false;
  uint64_t outages_ = 0;
  std::thread thread_;
};

// Reserves `bytes` in a scratch file in `dir` and removes it: whether the file system has
// that much room now.
Status probe_free_space(storage::Env& env, const std::string& dir, uint64_t bytes);

}  // namespace paddock::durable
