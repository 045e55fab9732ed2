#include "server/host_facts.h"

#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace paddock::server {
namespace {

int64_t count_open_fds() {
  std::error_code ec;
  int64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  // The iterator's own descriptor is listed too; ZooKeeper's count does not include it.
  return ec ? -1 : (n > 0 ? n - 1 : 0);
}

int64_t max_fds() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  return lim.rlim_cur == RLIM_INFINITY ? -1 : static_cast<int64_t>(lim.rlim_cur);
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::pair<std::string, std::string> user_and_home() {
  passwd pw{};
  passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) != 0 || found == nullptr) {
    return {std::to_string(getuid()), ""};
  }
  return {pw.pw_name, pw.pw_dir};
}

std::vector<std::pair<std::string, std::string>> environment() {
  std::vector<std::pair<std::string, std::string>> env;
  env.emplace_back("host.name", host_name());
  // Clients only read zookeeper.version; the java.* keys stay so tools that list them find
  // them, with an honest value.
  env.emplace_back("java.version", "n/a (Paddock is a native C++ server)");
  env.emplace_back("java.vendor", "n/a");
  utsname uts{};
  if (uname(&uts) == 0) {
    env.emplace_back("os.name", uts.sysname);
    env.emplace_back("os.arch", uts.machine);
    env.emplace_back("os.version", uts.release);
  }
  auto [user, home] = user_and_home();
  env.emplace_back("user.name", user);
  env.emplace_back("user.home", home);
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  env.emplace_back("user.dir", ec ? std::string() : cwd.string());
  return env;
}

// Resident pages times the page size; the second field of /proc/self/statm.
int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0;
  int64_t resident_pages = -1;
  if (!(statm >> size_pages >> resident_pages)) return -1;
  return resident_pages * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t directory_bytes(const std::string& dir) {
  if (dir.empty()) return 0;
  std::error_code ec;
  int64_t total = 0;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto size = it->file_size(size_ec);
      if (!size_ec) total += static_cast<int64_t>(size);
    }
  }
  return total;
}

int64_t file_modified_seconds(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec);
}

HostFacts collect_host_facts(int64_t started_ms, const std::string& data_dir,
                             const std::string& data_log_dir, bool with_dir_sizes) {
  HostFacts facts;
  facts.now_ms = wall_clock_ms();
  facts.uptime_ms = facts.now_ms - started_ms;
  facts.open_file_descriptors = count_open_fds();
  facts.max_file_descriptors = max_fds();
  facts.resident_bytes = resident_bytes();
  if (with_dir_sizes) {
    facts.data_dir_bytes = directory_bytes(data_dir);
    facts.data_log_dir_bytes =
        data_log_dir.empty() || data_log_dir == data_dir ? facts.data_dir_bytes
                                                         : directory_bytes(data_log_dir);
  }
  facts.environment = environment();
  return facts;
}

}  // namespace paddock::server
