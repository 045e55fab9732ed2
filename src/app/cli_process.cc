#include "app/cli_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

namespace paddock::app {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

bool read_exact(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void write_all(int fd, const void* buf, size_t n) {
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Runs in the grandchild, between fork and exec: only async-signal-safe calls.
[[noreturn]] void become_daemon(char* const* argv, int null_fd, int log_fd, int status_fd) {
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  ::execv(argv[0], argv);
  int err = errno;
  write_all(status_fd, &err, sizeof err);
  ::_exit(127);
}

// Runs in the first child: a new session, then the daemon as its child, so the daemon is
// not a session leader and can never take a controlling terminal.
[[noreturn]] void fork_daemon(char* const* argv, int null_fd, int log_fd, int status_fd) {
  ::setsid();
  pid_t pid = ::fork();
  if (pid == 0) become_daemon(argv, null_fd, log_fd, status_fd);
  if (pid < 0) {
    int err = errno;
    pid_t none = -1;
    write_all(status_fd, &none, sizeof none);
    write_all(status_fd, &err, sizeof err);
    ::_exit(1);
  }
  write_all(status_fd, &pid, sizeof pid);
  ::_exit(0);
}

}  // namespace

Result<pid_t> spawn_daemon(const std::vector<std::string>& argv, const std::string& log_path) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return Status::error(
        fmt::format("cannot open log file {}: {}", log_path, std::strerror(errno)));
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int status[2];
  if (null_fd < 0 || ::pipe2(status, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Status::error(fmt::format("cannot prepare to start: {}", std::strerror(err)));
  }
  std::vector<char*> args = c_argv(argv);
  pid_t child = ::fork();
  if (child == 0) fork_daemon(args.data(), null_fd, log_fd, status[1]);
  int fork_errno = errno;
  ::close(status[1]);
  ::close(log_fd);
  ::close(null_fd);
  if (child < 0) {
    ::close(status[0]);
    return Status::error(fmt::format("fork failed: {}", std::strerror(fork_errno)));
  }
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_t daemon = -1;
  int err = 0;
  bool got_pid = read_exact(status[0], &daemon, sizeof daemon);
  bool exec_failed = read_exact(status[0], &err, sizeof err);  // EOF: exec succeeded
  ::close(status[0]);
  if (!got_pid) return Status::error("the starter process died");
  if (daemon < 0) return Status::error(fmt::format("fork failed: {}", std::strerror(err)));
  if (exec_failed) {
    return Status::error(fmt::format("cannot run {}: {}", argv[0], std::strerror(err)));
  }
  return daemon;
}

Status exec_foreground(const std::vector<std::string>& argv) {
  std::vector<char*> args = c_argv(argv);
  ::execv(args[0], args.data());
  return Status::error(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
}

Result<std::optional<pid_t>> read_pid_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::optional<pid_t>();
    return Status::error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  long long pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return Status::error(fmt::format("{} does not hold a process id", path));
  }
  return std::optional<pid_t>(static_cast<pid_t>(pid));
}

Status write_pid_file(const std::string& path, pid_t pid) {
  std::ofstream out(path, std::ios::trunc);
  out << pid << '\n';
  out.close();
  if (!out) return Status::error(fmt::format("cannot write {}", path));
  return Status::ok();
}

bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A daemon whose parent does not reap it stays a zombie: it is gone all the same.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

bool wait_for_exit(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  while (process_alive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::optional<std::vector<std::string>> process_command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

std::string tail_of_file(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const std::string& l : last) out += l + "\n";
  return out;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace paddock::app
