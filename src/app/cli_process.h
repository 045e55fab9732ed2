#pragma once
// Process control for `paddock server`: starting paddockd as a daemon, pid files, and
// watching a process that is not our child.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace paddock::app {

// Starts argv (argv[0] is a path) as a daemon: double fork, setsid, stdin from /dev/null,
// stdout and stderr appended to `log_path`, current directory kept. Returns the daemon's
// pid once exec has succeeded; an exec failure is returned as an error.
Result<pid_t> spawn_daemon(const std::vector<std::string>& argv, const std::string& log_path);

// Replaces this process with argv (for start-foreground). Returns only on failure.
Status exec_foreground(const std::vector<std::string>& argv);

// The pid in `path`, nullopt if the file does not exist; an error if it is unreadable or
// does not hold a pid.
Result<std::optional<pid_t>> read_pid_file(const std::string& path);
Status write_pid_file(const std::string& path, pid_t pid);

// True while `pid` exists and is not a zombie.
bool process_alive(pid_t pid);

// Waits until `pid` is gone or the deadline passes; true if it is gone.
bool wait_for_exit(pid_t pid, std::chrono::steady_clock::time_point deadline);

// The NUL-separated command line of `pid`, nullopt if it cannot be read.
std::optional<std::vector<std::string>> process_command_line(pid_t pid);

// The last `lines` lines of a text file ("" if it cannot be read).
std::string tail_of_file(const std::string& path, int lines);

// `argv` quoted for a POSIX shell.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace paddock::app
