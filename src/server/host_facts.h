#pragma once
// What the four-letter words and the admin endpoint report beyond the pipeline's snapshot:
// facts about this process and host (clock, uptime, file descriptors, directory sizes,
// environment). Collected by the server with real I/O, then handed to the pure formatters.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace paddock::server {

// ZooKeeper's default trace mask (gtmk answers 306 until stmk changes it).
inline constexpr int64_t kDefaultTraceMask = 306;

struct HostFacts {
  int64_t now_ms = 0;     // wall clock, ms since epoch (dump prints expiry dates)
  int64_t uptime_ms = 0;  // since the client port started
  int64_t open_file_descriptors = -1;  // -1 when unknown
  int64_t max_file_descriptors = -1;
  int64_t resident_bytes = -1;  // the process's resident set (/proc/self/statm); -1 unknown
  int64_t data_dir_bytes = 0;
  int64_t data_log_dir_bytes = 0;
  int64_t trace_mask = kDefaultTraceMask;
  // The last snapshot file's modification time, s since epoch (the admin last_snapshot
  // command); 0 when the file is gone, as Java's File.lastModified() says.
  int64_t last_snapshot_modified_s = 0;
  // envi lines after zookeeper.version, in order: host.name, java.version, os.*, user.*.
  std::vector<std::pair<std::string, std::string>> environment;
};

// Reads the clock, /proc/self/fd, getrlimit, uname, the user database and the working
// directory. Directory sizes (a walk of both directories) only when `with_dir_sizes`.
HostFacts collect_host_facts(int64_t started_ms, const std::string& data_dir,
                             const std::string& data_log_dir, bool with_dir_sizes);

// Sum of the sizes of the regular files directly in `dir` and below; 0 if it is missing.
int64_t directory_bytes(const std::string& dir);

// A file's modification time in s since epoch; 0 if it cannot be read (File.lastModified).
int64_t file_modified_seconds(const std::string& path);

int64_t wall_clock_ms();

}  // namespace paddock::server
