#include "ensemble/diff_reader.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "util/clock.h"
#include "util/thread_name.h"

namespace paddock::ensemble {

DiffReader::DiffReader(const durable::DurableDatabase& durable, Done done)
    : durable_(durable), done_(std::move(done)) {}

DiffReader::~DiffReader() { stop(); }

void DiffReader::read(const quorum::LogRead& read,
                      const durable::DurableDatabase::CommittedRead& plan) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  jobs_.push_back(Job{read, plan});
  if (!worker_.joinable()) worker_ = std::thread([this] { loop(); });
  wake_.notify_one();
}

void DiffReader::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    jobs_.clear();
    wake_.notify_all();
  }
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

size_t DiffReader::queued() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void DiffReader::loop() {
  set_thread_name("diff-reader");
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
    if (stopped_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    done_(job.read.id, run(durable_, job.read, job.plan));
    lock.lock();
  }
}

Result<std::vector<quorum::LoggedTxn>> DiffReader::run(
    const durable::DurableDatabase& durable, const quorum::LogRead& read,
    const durable::DurableDatabase::CommittedRead& plan) {
  const auto started = std::chrono::steady_clock::now();
  auto range = durable.read_planned(plan);
  const uint64_t ms = elapsed_ms(started);
  if (!range) {
    spdlog::warn("event=diff_read_failed id={} from=0x{:x} {}", read.id, read.from, range.error());
    return range.status();
  }
  spdlog::info(
      "event=diff_read id={} from=0x{:x} through=0x{:x} max_bytes={} txns={} over_limit={} "
      "contiguous={} weighed_first={} ms={}",
      read.id, read.from, read.through, read.max_bytes, range->txns.size(), range->over_limit,
      range->contiguous, range->weighed_first, ms);
  if (!range->contiguous) {
    return Status::error(fmt::format("the log no longer reaches back to 0x{:x}", read.from));
  }
  if (range->over_limit) return Status::error("a DIFF from the log would exceed the limit");
  if (range->txns.size() >= kMaxTxns) return Status::error("too many txns for a DIFF");
  if (range->txns.empty() || range->txns.back().zxid < read.through) {
    return Status::error(fmt::format("the log ends before 0x{:x}", read.through));
  }
  std::vector<quorum::LoggedTxn> out;
  out.reserve(range->txns.size());
  for (storage::LoggedTxn& txn : range->txns) {
    out.push_back(quorum::LoggedTxn{txn.zxid, std::move(txn.bytes)});
  }
  return out;
}

}  // namespace paddock::ensemble
