#pragma once
// SaslWorker: the SaslStepRunner of paddockd's pipeline (pipeline/sasl_authenticator.h).
// SASL steps run on worker threads of their own, started on first use, so that a GSSAPI
// step (keytab read, ticket decryption) never holds up the pipeline thread; each result is
// handed to `deliver`, which posts it back to the pipeline as an event.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/sasl_authenticator.h"

namespace paddock::pipeline {

class SaslWorker final : public SaslStepRunner {
 public:
  using Deliver = std::function<void(ConnectionId conn, SaslExchange::Step step)>;

  // `deliver` is called on a worker thread, once per step run.
  SaslWorker(size_t threads, Deliver deliver);
  ~SaslWorker() override;
  SaslWorker(const SaslWorker&) = delete;
  SaslWorker& operator=(const SaslWorker&) = delete;

  // Any thread. After stop() the step is dropped: nobody is left to answer.
  void run(ConnectionId conn, std::shared_ptr<SaslExchange> exchange,
           std::string client_token) override;
  // Drops the steps not started yet and waits for those running: a step inside Cyrus
  // cannot be interrupted. Idempotent.
  void stop();

  // Steps waiting for a thread (for tests).
  size_t queued() const;

 private:
  struct Job {
    ConnectionId conn;
    std::shared_ptr<SaslExchange> exchange;
    std::string token;
  };
  void work();

  const size_t thread_count_;
  const Deliver deliver_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // started by the first run()
};

}  // namespace paddock::pipeline
