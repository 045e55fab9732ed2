#include "pipeline/sasl_worker.h"

#include <utility>

#include "util/assert.h"
#include "util/thread_name.h"

namespace paddock::pipeline {

SaslWorker::SaslWorker(size_t threads, Deliver deliver)
    : thread_count_(threads), deliver_(std::move(deliver)) {
  PADDOCK_ASSERT(thread_count_ > 0);
}

SaslWorker::~SaslWorker() { stop(); }

void SaslWorker::run(ConnectionId conn, std::shared_ptr<SaslExchange> exchange,
                     std::string client_token) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(Job{conn, std::move(exchange), std::move(client_token)});
    if (threads_.empty()) {
      for (size_t i = 0; i < thread_count_; ++i) {
        threads_.emplace_back([this] {
          set_thread_name("sasl");
          work();
        });
      }
    }
  }
  cv_.notify_one();
}

void SaslWorker::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) t.join();
}

size_t SaslWorker::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void SaslWorker::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    SaslExchange::Step step = job.exchange->step(job.token);
    job.exchange.reset();  // the exchange dies here if its connection is gone
    deliver_(job.conn, std::move(step));
  }
}

}  // namespace paddock::pipeline
