// `paddock server ...`: what zkServer.sh does for ZooKeeper, for paddockd.
//   start            run paddockd in the background, write the pid file, wait until it
//                    answers `srvr` on its client port, print STARTED
//   stop             SIGTERM the pid in the pid file, wait for it to exit, print STOPPED
//   restart          stop, then start
//   status           ask the server for `srvr` and print its Mode line
//   start-foreground run paddockd in this process (exec)
//   print-cmd        print the command start would run
// Files, chosen like zkServer.sh's:
//   config    argument, else $PADDOCK_CONF, else conf/zoo.cfg (relative to the current dir)
//   paddockd  $PADDOCKD, else `paddockd` next to this binary (/proc/self/exe)
//   pid file  $PADDOCK_PIDFILE, else <dataDir>/paddock_server.pid
//   output    $PADDOCK_LOG_DIR/paddock-$USER-server-$HOSTNAME.out; $PADDOCK_LOG_DIR
//             defaults to dataDir (not a shared logs/ dir: several servers on one host each
//             keep their own). Appended to, so a crash's output survives a restart.
//   extra paddockd flags: -D on this command line, and $PADDOCKD_OPTS (split on blanks)
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "app/cli_command.h"
#include "app/cli_four_letter.h"
#include "app/cli_process.h"
#include "config/server_config.h"

namespace paddock::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct ServerOptions {
  std::string config;
  std::vector<std::string> defines;
  double timeout_s = 0;  // 0: $PADDOCK_START_TIMEOUT / $PADDOCK_STOP_TIMEOUT, else 30
  bool force = false;
};

struct ServerSetup {
  std::string config_path;  // absolute
  config::ServerConfig config;
  std::vector<std::string> warnings;
  std::vector<std::string> paddockd_argv;
  std::string pid_file;
  std::string log_file;
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string paddockd_path() {
  if (std::string p = env("PADDOCKD"); !p.empty()) return p;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("paddockd") : (self.parent_path() / "paddockd").string();
}

std::vector<std::string> split_blanks(const std::string& s) {
  std::vector<std::string> words;
  std::string word;
  for (char c : s + " ") {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  return words;
}

std::string log_file_in(const std::string& dir) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string user = env("USER");
  if (user.empty()) user = std::to_string(::getuid());
  return fmt::format("{}/paddock-{}-server-{}.out", dir, user, host);
}

// The paddockd flags and the properties they set (for reading the config as paddockd will).
void collect_flags(const ServerOptions& opts, ServerSetup& setup,
                   std::map<std::string, std::string>& properties) {
  std::vector<std::string> flags = split_blanks(env("PADDOCKD_OPTS"));
  for (const std::string& d : opts.defines) flags.push_back("-D" + d);
  setup.paddockd_argv = {paddockd_path()};
  for (const std::string& f : flags) {
    setup.paddockd_argv.push_back(f);
    if (!f.starts_with("-D")) continue;
    size_t eq = f.find('=');
    properties[f.substr(2, eq == std::string::npos ? eq : eq - 2)] =
        eq == std::string::npos ? "" : f.substr(eq + 1);
  }
}

// Reads the config as paddockd will. `lenient` (for stop) falls back to the file alone
// when myid or the dynamic config file is wrong: stopping needs only dataDir.
Result<config::LoadedConfig> read_config(const std::string& path,
                                         const std::map<std::string, std::string>& properties,
                                         bool lenient) {
  Result<config::LoadedConfig> loaded = config::load_server_config(path, properties);
  if (loaded || !lenient) return loaded;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  Result<config::LoadedConfig> bare =
      config::parse_server_config(text.str(), path, properties, fs::current_path(ec).string());
  return bare ? std::move(bare) : std::move(loaded);
}

Result<ServerSetup> prepare(const ServerOptions& opts, bool lenient) {
  ServerSetup setup;
  std::string path = !opts.config.empty() ? opts.config : env("PADDOCK_CONF");
  if (path.empty()) path = "conf/zoo.cfg";
  std::error_code ec;
  setup.config_path = fs::absolute(path, ec).lexically_normal().string();
  std::cerr << "Using config: " << setup.config_path << "\n";
  std::map<std::string, std::string> properties;
  collect_flags(opts, setup, properties);
  setup.paddockd_argv.push_back(setup.config_path);
  Result<config::LoadedConfig> loaded = read_config(setup.config_path, properties, lenient);
  if (loaded) {
    setup.config = loaded->config;
    setup.warnings = loaded->warnings;
  } else if (!lenient || env("PADDOCK_PIDFILE").empty()) {
    return loaded.status();
  }
  setup.pid_file = env("PADDOCK_PIDFILE");
  if (setup.pid_file.empty()) setup.pid_file = setup.config.data_dir + "/paddock_server.pid";
  std::string log_dir = env("PADDOCK_LOG_DIR");
  setup.log_file = log_file_in(log_dir.empty() ? setup.config.data_dir : log_dir);
  return setup;
}

double timeout_seconds(const ServerOptions& opts, const char* env_name) {
  if (opts.timeout_s > 0) return opts.timeout_s;
  std::string v = env(env_name);
  char* end = nullptr;
  double s = v.empty() ? 0 : std::strtod(v.c_str(), &end);
  return s > 0 ? s : 30.0;
}

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Where to reach the server from this host: its client address, with the wildcard
// addresses replaced by loopback.
std::string connect_host(const std::string& address) {
  if (address.empty() || address == "0.0.0.0") return "127.0.0.1";
  if (address == "::") return "::1";
  return address;
}

// True if `pid` runs with our config file among its arguments, or if that cannot be told.
// Guards against signalling an unrelated process that reused a stale pid.
bool runs_config(pid_t pid, const std::string& config_path) {
  std::optional<std::vector<std::string>> args = process_command_line(pid);
  if (!args) return true;
  struct stat want {};
  if (::stat(config_path.c_str(), &want) != 0) return true;
  for (const std::string& a : *args) {
    struct stat got {};
    if (::stat(a.c_str(), &got) == 0 && got.st_dev == want.st_dev && got.st_ino == want.st_ino) {
      return true;
    }
  }
  return false;
}

int fail(std::string_view headline, std::string_view detail) {
  std::cout << headline << std::endl;
  if (!detail.empty()) std::cerr << detail << (detail.ends_with('\n') ? "" : "\n");
  return 1;
}

enum class Readiness { kAnswering, kExited, kTimedOut };

// True when a srvr reply shows the server is up: a standalone server must be serving
// (report its Mode); an ensemble member may answer that it is not serving yet, since it
// cannot serve before a quorum of its peers is started too.
bool is_ready_reply(const config::ServerConfig& c, const std::string& reply) {
  return c.is_distributed() || reply.find("Mode:") != std::string::npos;
}

// Waits until the server answers srvr as is_ready_reply wants, or exits, or the deadline.
Readiness wait_until_answering(const ServerSetup& setup, pid_t pid, Clock::time_point deadline) {
  const config::ServerConfig& c = setup.config;
  // With no client port there is nothing to ask: give the process a moment to fail.
  Clock::time_point quiet_until = std::min(deadline, Clock::now() + std::chrono::seconds(1));
  while (true) {
    if (!process_alive(pid)) return Readiness::kExited;
    if (c.client_port == 0) {
      if (Clock::now() >= quiet_until) return Readiness::kAnswering;
    } else if (Result<std::string> reply =
                   send_four_letter_word(connect_host(c.client_port_address), c.client_port, "srvr",
                                         std::chrono::milliseconds(1000));
               reply && is_ready_reply(c, *reply)) {
      return Readiness::kAnswering;
    }
    if (Clock::now() >= deadline) return Readiness::kTimedOut;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace
}  // namespace paddock::app

namespace paddock::app {
namespace {

int start(const ServerOptions& opts) {
  Result<ServerSetup> setup = prepare(opts, false);
  if (!setup) return fail("paddock: invalid config, not starting", setup.error());
  for (const std::string& w : setup->warnings) std::cerr << "warning: " << w << "\n";
  std::cout << "Starting paddock ... " << std::flush;
  Result<std::optional<pid_t>> old = read_pid_file(setup->pid_file);
  if (!old) return fail("FAILED TO START", old.error());
  if (*old && process_alive(**old)) {
    std::cout << "already running as process " << **old << "." << std::endl;
    return 1;
  }
  std::error_code ec;
  fs::create_directories(setup->config.data_dir, ec);
  fs::create_directories(fs::path(setup->pid_file).parent_path(), ec);
  fs::create_directories(fs::path(setup->log_file).parent_path(), ec);
  Result<pid_t> pid = spawn_daemon(setup->paddockd_argv, setup->log_file);
  if (!pid) return fail("FAILED TO START", pid.error());
  if (Status s = write_pid_file(setup->pid_file, *pid); !s) {
    return fail("FAILED TO WRITE PID",
                fmt::format("{} (paddockd runs as process {})", s.message(), *pid));
  }
  double seconds = timeout_seconds(opts, "PADDOCK_START_TIMEOUT");
  switch (wait_until_answering(*setup, *pid, deadline_after(seconds))) {
    case Readiness::kAnswering:
      std::cout << "STARTED" << std::endl;
      return 0;
    case Readiness::kExited:
      fs::remove(setup->pid_file, ec);
      return fail("FAILED TO START",
                  fmt::format("paddockd exited; the end of {}:\n{}", setup->log_file,
                              tail_of_file(setup->log_file, 20)));
    case Readiness::kTimedOut:
      break;
  }
  return fail("FAILED TO START",
              fmt::format("paddockd (process {}) is running but did not answer on {}:{} within "
                          "{}s; see {}",
                          *pid, connect_host(setup->config.client_port_address),
                          setup->config.client_port, seconds, setup->log_file));
}

int stop(const ServerOptions& opts) {
  Result<ServerSetup> setup = prepare(opts, true);
  if (!setup) return fail("paddock: cannot find the pid file (set PADDOCK_PIDFILE)", setup.error());
  std::cout << "Stopping paddock ... " << std::flush;
  Result<std::optional<pid_t>> pid = read_pid_file(setup->pid_file);
  if (!pid) return fail("FAILED", pid.error());
  std::error_code ec;
  if (!*pid) {
    std::cout << "no paddock server to stop (could not find file " << setup->pid_file << ")"
              << std::endl;
    return 0;
  }
  if (!process_alive(**pid)) {
    fs::remove(setup->pid_file, ec);
    std::cout << "STOPPED (process " << **pid << " was not running; removed " << setup->pid_file
              << ")" << std::endl;
    return 0;
  }
  if (!runs_config(**pid, setup->config_path)) {
    return fail("FAILED", fmt::format("process {} from {} does not run {}; not signalling it "
                                      "(remove the pid file if it is stale)",
                                      **pid, setup->pid_file, setup->config_path));
  }
  if (::kill(**pid, SIGTERM) != 0) {
    return fail("FAILED", fmt::format("cannot signal process {}: {}", **pid, std::strerror(errno)));
  }
  double seconds = timeout_seconds(opts, "PADDOCK_STOP_TIMEOUT");
  if (!wait_for_exit(**pid, deadline_after(seconds))) {
    if (!opts.force) {
      return fail("FAILED", fmt::format("paddockd (process {}) did not exit within {}s after "
                                        "SIGTERM; it is still running (--force kills it)",
                                        **pid, seconds));
    }
    ::kill(**pid, SIGKILL);
    if (!wait_for_exit(**pid, deadline_after(10))) {
      return fail("FAILED", fmt::format("process {} survived SIGKILL", **pid));
    }
  }
  fs::remove(setup->pid_file, ec);
  std::cout << "STOPPED" << std::endl;
  return 0;
}

int status(const ServerOptions& opts) {
  Result<ServerSetup> setup = prepare(opts, false);
  if (!setup) return fail("paddock: invalid config", setup.error());
  const config::ServerConfig& c = setup->config;
  if (c.client_port == 0) {
    return fail("Unable to find a client port in the config. Terminating.", "");
  }
  std::string host = connect_host(c.client_port_address);
  std::cout << "Client port found: " << c.client_port << ". Client address: " << host
            << ". Client SSL: false." << std::endl;
  Result<std::string> reply =
      send_four_letter_word(host, c.client_port, "srvr", std::chrono::seconds(5));
  if (!reply) {
    return fail("Error contacting service. It is probably not running.",
                fmt::format("{}:{}: {}", host, c.client_port, reply.error()));
  }
  std::istringstream lines(*reply);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Mode:")) {
      std::cout << line << std::endl;
      return 0;
    }
  }
  return fail(
      "Error contacting service. It is running but not serving requests.",
      fmt::format("{}:{} answered: {}", host, c.client_port, reply->substr(0, reply->find('\n'))));
}

int start_foreground(const ServerOptions& opts) {
  Result<ServerSetup> setup = prepare(opts, false);
  if (!setup) return fail("paddock: invalid config, not starting", setup.error());
  Status s = exec_foreground(setup->paddockd_argv);
  return fail("FAILED TO START", s.message());
}

int print_cmd(const ServerOptions& opts) {
  Result<ServerSetup> setup = prepare(opts, true);
  if (!setup) return fail("paddock: invalid config", setup.error());
  std::cout << shell_quote(setup->paddockd_argv) << " >> " << shell_quote({setup->log_file})
            << " 2>&1 < /dev/null" << std::endl;
  return 0;
}

struct Subcommand {
  const char* name;
  const char* help;
  int (*run)(const ServerOptions&);
};

constexpr Subcommand kSubcommands[] = {
    {"start", "Start paddockd in the background and wait until it answers", start},
    {"stop", "Stop the paddockd named by the pid file (SIGTERM) and wait for it", stop},
    {"restart", "Stop, then start",
     [](const ServerOptions& o) {
       int rc = stop(o);
       return rc != 0 ? rc : start(o);
     }},
    {"status", "Print the server's Mode (srvr on the client port); exit 1 if not running", status},
    {"start-foreground", "Run paddockd in this process", start_foreground},
    {"print-cmd", "Print the command start runs", print_cmd},
};

}  // namespace

void add_server_commands(CLI::App& app, CommandAction& action) {
  CLI::App* server = app.add_subcommand(
      "server", "Control a paddockd server like zkServer.sh (pid file in dataDir)");
  server->require_subcommand(1);
  auto opts = std::make_shared<ServerOptions>();
  for (const Subcommand& sub : kSubcommands) {
    CLI::App* cmd = server->add_subcommand(sub.name, sub.help);
    cmd->add_option("config", opts->config, "zoo.cfg (default: $PADDOCK_CONF, else conf/zoo.cfg)");
    cmd->add_option("-D,--define", opts->defines,
                    "name=value system property passed to paddockd (repeatable)");
    std::string name = sub.name;
    if (name == "start" || name == "stop" || name == "restart") {
      cmd->add_option("--timeout", opts->timeout_s,
                      "seconds to wait (default: $PADDOCK_START_TIMEOUT / "
                      "$PADDOCK_STOP_TIMEOUT, else 30)");
    }
    if (name == "stop" || name == "restart") {
      cmd->add_flag("--force", opts->force, "SIGKILL paddockd if it does not exit in time");
    }
    auto run = sub.run;
    cmd->callback([opts, run, &action] { action = [opts, run] { return run(*opts); }; });
  }
}

}  // namespace paddock::app
