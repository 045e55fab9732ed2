#include "ensemble/snap_body_maker.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "peer/zk_snapshot_stream.h"
#include "util/clock.h"

namespace paddock::ensemble {
namespace {

constexpr size_t kTrailerBytes = sizeof(uint64_t);

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// The child: only the thread that forked lives on here. It must not log, lock anything but
// the allocator, or return into the parent's code.
[[noreturn]] void serialize_in_child(const state::DataTree& tree, int fd, pid_t parent) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE}) {
    ::signal(sig, SIG_DFL);  // not the parent's handlers, which write to the parent's pipes
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(3);  // the parent went before PDEATHSIG was set
  // Sockets and files stay the parent's alone: a connection it closes must not linger here.
  if (fd > 3) ::close_range(3, static_cast<unsigned>(fd) - 1, 0);
  ::close_range(static_cast<unsigned>(fd) + 1, ~0U, 0);
  int code = 0;
  try {
    const std::string body = peer::encode_zk_snapshot_body(tree);
    const uint64_t n = body.size();
    char trailer[kTrailerBytes];
    std::memcpy(trailer, &n, kTrailerBytes);
    if (!write_all(fd, body.data(), body.size()) || !write_all(fd, trailer, kTrailerBytes)) {
      code = 2;
    }
  } catch (...) {
    code = 1;
  }
  ::_exit(code);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("wait status {}", status);
}

}  // namespace

SnapBodyMaker::~SnapBodyMaker() { stop(); }

std::shared_ptr<peer::SnapBody> SnapBodyMaker::make(const state::DataTree& tree) {
  reap_finished();
  bool fork_it = false;
  {
    std::lock_guard lock(mu_);
    fork_it = !stopped_ && tree.node_count() >= fork_min_nodes_;
  }
  if (!fork_it) return make_inline(tree);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    spdlog::warn("event=snap_fork_failed error=\"pipe: {}\" (serializing here)",
                 std::strerror(errno));
    return make_inline(tree);
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    serialize_in_child(tree, fds[1], parent);
  }
  const int64_t pause_us = static_cast<int64_t>(elapsed_us(start));
  ::close(fds[1]);
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    spdlog::warn("event=snap_fork_failed error=\"fork: {}\" (serializing here)",
                 std::strerror(err));
    return make_inline(tree);
  }
  auto job = std::make_unique<Job>();
  job->pid = pid;
  job->body = peer::SnapBody::pending();
  std::shared_ptr<peer::SnapBody> body = job->body;
  // Room for the whole body up front: growing a string of hundreds of MiB by doubling
  // would copy it and hold twice its size for a moment.
  // approximate_data_size() is paths plus data; per node the stream adds a stat (60 B), an
  // ACL id (8) and two lengths (8).
  const size_t reserve =
      static_cast<size_t>(std::max<int64_t>(0, tree.approximate_data_size())) +
      tree.node_count() * 80 + (size_t{1} << 20);
  Job& j = *job;
  {
    std::lock_guard lock(mu_);
    ++stats_.forked;
    stats_.last_pause_us = pause_us;
    j.reader = std::thread([this, &j, fd = fds[0], reserve] { read_child(j, fd, reserve); });
    jobs_.push_back(std::move(job));
  }
  spdlog::info("event=snap_forked pid={} nodes={} pause_us={}", pid, tree.node_count(), pause_us);
  return body;
}

std::shared_ptr<peer::SnapBody> SnapBodyMaker::make_inline(const state::DataTree& tree) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<peer::SnapBody> body = peer::SnapBody::ready(peer::encode_zk_snapshot_body(tree));
  std::lock_guard lock(mu_);
  ++stats_.made_inline;
  stats_.last_pause_us = static_cast<int64_t>(elapsed_us(start));
  return body;
}

void SnapBodyMaker::read_child(Job& job, int fd, size_t reserve) {
  std::string bytes;
  bytes.reserve(reserve);
  std::string read_error;
  constexpr size_t kChunk = size_t{1} << 20;
  for (;;) {
    const size_t old = bytes.size();
    bytes.resize(old + kChunk);
    const ssize_t n = ::read(fd, bytes.data() + old, kChunk);
    if (n < 0 && errno == EINTR) {
      bytes.resize(old);
      continue;
    }
    bytes.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n == 0) break;
    if (n < 0) {
      read_error = std::strerror(errno);
      break;
    }
  }
  ::close(fd);
  // Wait for the end without reaping, so that stop() may still signal this pid (it cannot
  // be reused until reaped), then reap under the job's lock.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(job.pid), &info, WEXITED | WNOWAIT) < 0 &&
         errno == EINTR) {
  }
  int status = 0;
  pid_t waited;
  {
    std::lock_guard lock(job.mu);
    do {
      waited = ::waitpid(job.pid, &status, 0);
    } while (waited < 0 && errno == EINTR);
    job.reaped = true;
  }

  uint64_t declared = UINT64_MAX;
  if (bytes.size() >= kTrailerBytes) {
    std::memcpy(&declared, bytes.data() + bytes.size() - kTrailerBytes, kTrailerBytes);
  }
  const bool whole = read_error.empty() && declared == bytes.size() - kTrailerBytes &&
                     (waited < 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
  if (whole) {
    bytes.resize(bytes.size() - kTrailerBytes);
    spdlog::info("event=snap_body_made pid={} bytes={}", job.pid, bytes.size());
    job.body->set(std::move(bytes));
  } else {
    std::string why =
        fmt::format("the child serializing it ({}) gave {} bytes and ended with {}{}", job.pid,
                    bytes.size(), waited < 0 ? "an unknown status" : describe_status(status),
                    read_error.empty() ? "" : "; read: " + read_error);
    spdlog::warn("event=snap_body_failed {}", why);
    {
      std::lock_guard lock(mu_);
      ++stats_.failed;
    }
    job.body->fail(std::move(why));
  }
  // The links that send it hold the body now; a leader that lost its learners meanwhile
  // must not keep a tree's worth of bytes until the next SNAP.
  job.body.reset();
  job.finished.store(true);
}

void SnapBodyMaker::reap_finished() {
  std::vector<std::unique_ptr<Job>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if ((*it)->finished.load()) {
        done.push_back(std::move(*it));
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& job : done) job->reader.join();
}

void SnapBodyMaker::stop() {
  std::vector<std::unique_ptr<Job>> jobs;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    jobs.swap(jobs_);
  }
  // A killed child closes its end of the pipe: its reader sees the end, reaps it and fails
  // the body, so a connection waiting for it closes instead of waiting for ever.
  for (auto& job : jobs) {
    std::lock_guard lock(job->mu);
    if (!job->reaped) ::kill(job->pid, SIGKILL);
  }
  for (auto& job : jobs) job->reader.join();
}

SnapBodyMaker::Stats SnapBodyMaker::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace paddock::ensemble
