#include "durable/log_outage.h"
#include "util/thread_name.h"

#include <spdlog/spdlog.h>

namespace paddock::durable {

Status probe_free_space(storage::Env& env, const std::string& dir, uint64_t bytes) {
  const std::string path = storage::join_path(dir, ".paddock-space-probe");
  auto file = env.open_writable(path, storage::OpenMode::kCreateOrTruncate);
  if (!file) return file.status();
  Status st = bytes > 0 ? (*file)->allocate(0, bytes) : Status::ok();
  (void)(*file)->close();
  file->reset();
  (void)env.remove(path);
  return st;
}

LogOutageHandler::LogOutageHandler(storage::TxnLogWriter& writer, storage::Env& env,
                                   LogOutageOptions options, LogOutageHooks hooks)
    : writer_(writer), env_(env), options_(std::move(options)), hooks_(std::move(hooks)) {
  thread_ = std::thread([this] {
    set_thread_name("log-outage");
    run();
  });
}

LogOutageHandler::~LogOutageHandler() { stop(); }

void LogOutageHandler::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t LogOutageHandler::outages() const {
  std::lock_guard lock(mu_);
  return outages_;
}

bool LogOutageHandler::in_outage() const {
  std::lock_guard lock(mu_);
  return in_outage_;
}

void LogOutageHandler::on_log_error(const Status& error) {
  {
    std::lock_guard lock(mu_);
    if (in_outage_ || stopping_) return;
    in_outage_ = true;
    armed_ = false;
    ++outages_;
  }
  spdlog::error("event=log_outage_begins {} (writes are refused until the log works again)",
                error.message());
  hooks_.set_log_failed(true, error.message());
  // Queued behind the pipeline's own handling of the failure, so nothing is proposed
  // between the reset and the refusal.
  hooks_.run_on_pipeline([this] {
    hooks_.reset_orderer(writer_.durable_zxid());
    armed();
  });
}

void LogOutageHandler::armed() {
  {
    std::lock_guard lock(mu_);
    armed_ = true;
  }
  cv_.notify_all();
}

Status LogOutageHandler::try_resume() {
  if (Status st = probe_free_space(env_, options_.log_dir, options_.probe_bytes); !st) return st;
  return writer_.resume();
}

void LogOutageHandler::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || (in_outage_ && armed_); });
    if (stopping_) return;
    if (cv_.wait_for(lock, options_.retry_interval, [this] { return stopping_; })) return;
    lock.unlock();
    const Status st = try_resume();
    if (!st) {
      spdlog::warn("event=log_still_failing {}", st.message());
      lock.lock();
      continue;
    }
    spdlog::info("event=log_outage_ends durable_zxid=0x{:x}", writer_.durable_zxid());
    lock.lock();
    in_outage_ = false;
    armed_ = false;
    lock.unlock();
    hooks_.set_log_failed(false, "");
    lock.lock();
  }
}

}  // namespace paddock::durable
