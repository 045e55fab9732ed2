// paddockd: the Paddock server. Parses the command line and zoo.cfg, sets up logging
// (paddock.log.*), runs one server::Server until SIGINT or SIGTERM, and tells systemd where
// it is (sd_notify: READY=1 once the client port accepts connections and, standalone, the
// pipeline serves; STOPPING=1 when a signal asks it to stop; nothing when NOTIFY_SOCKET is
// unset, as outside systemd).
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "config/server_config.h"
#include "console/console.h"
#include "logging/log_setup.h"
#include "server/server.h"
#include "storage/posix_env.h"
#include "util/clock.h"

namespace paddock {
namespace {

// How long a standalone server may take to serve once its ports listen before it says
// READY=1 anyway (a pipeline stuck that long has a problem a log line names better).
constexpr std::chrono::milliseconds kServingTimeout{60000};

// Blocks SIGINT/SIGTERM in every thread (threads inherit the mask) so that main can wait
// for them with sigwait.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

Result<config::LoadedConfig> load_config(int argc, char** argv) {
  auto command_line = config::parse_paddockd_command_line(argc, argv);
  if (!command_line) {
    std::fprintf(stderr, "%s\n%s", command_line.error().c_str(),
                 config::paddockd_usage(argv[0]).c_str());
    std::exit(2);
  }
  if (command_line->help) {
    std::printf("%s", config::paddockd_usage(argv[0]).c_str());
    std::exit(0);
  }
  return config::load_server_config(*command_line);
}

// zoo.cfg's text for the admin initial_configuration command, read a second time after
// parsing, as ZooKeeper's QuorumPeerConfig does; none for the PORT DATADIR command line.
std::optional<std::string> read_initial_configuration(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// sd_notify(3) with a log line: sent, not asked for (no NOTIFY_SOCKET), or failed.
void notify_systemd(const std::string& state) {
  int r = sd_notify(0, state.c_str());
  if (r < 0) {
    spdlog::warn("event=sd_notify_failed state=\"{}\" error=\"{}\"", state, std::strerror(-r));
  } else if (r > 0) {
    spdlog::debug("event=sd_notify state=\"{}\"", state);
  }
}

// "serving client_port=N", with " secure_client_port=M" when there is one (and only that
// without a plain client port).
std::string serving_status(const server::Server& server) {
  std::string status = "serving";
  if (server.client_port() != 0) status += fmt::format(" client_port={}", server.client_port());
  if (server.secure_client_port() != 0) {
    status += fmt::format(" secure_client_port={}", server.secure_client_port());
  }
  return status;
}

int run(int argc, char** argv) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
  sigset_t shutdown_signals = block_shutdown_signals();
  Result<config::LoadedConfig> loaded = load_config(argc, argv);
  if (!loaded) {
    spdlog::error("event=bad_config {}", loaded.error());
    return 2;
  }
  // Before any thread starts: every later line goes where paddock.log.* says.
  if (Status s = logging::install_logger(loaded->config.log, "paddockd"); !s) {
    spdlog::error("event=bad_log_config {}", s.message());
    return 2;
  }
  for (const std::string& warning : loaded->warnings)
    spdlog::warn("event=config_warning {}", warning);
  const bool standalone = !loaded->config.is_distributed();
  storage::PosixEnv env;
  SystemClock clock;
  console::ConsoleOptions console_options = console::console_options(loaded->config);
  std::optional<std::string> initial_configuration =
      read_initial_configuration(loaded->config.config_path);
  server::Server server(std::move(loaded->config), env, clock);
  server.set_initial_configuration(std::move(initial_configuration));
  if (console_options.enabled) {
    server.set_admin_extension(std::make_unique<console::Console>(std::move(console_options)));
  }
  if (auto error = server.start()) {
    spdlog::error("event={} exit_code={} {}", error->event, error->exit_code, error->message);
    return error->exit_code;
  }
  // start() returns once the client port listens; a standalone server is ready once its
  // pipeline answers as serving, which it does at its first turn. An ensemble member is
  // ready once its ports listen: it serves only after a quorum forms, which may need the
  // other members' start (until then it tells clients it is not serving, as ZooKeeper does).
  if (standalone && !server.wait_until_serving(kServingTimeout)) {
    spdlog::warn("event=not_serving_after_start port={} timeout_ms={} (notifying ready anyway)",
                 server.client_port(), kServingTimeout.count());
  }
  notify_systemd("READY=1\nSTATUS=" + serving_status(server));
  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  spdlog::info("event=shutdown signal={}", signal_number);
  notify_systemd("STOPPING=1");
  server.stop();
  return 0;
}

}  // namespace
}  // namespace paddock

int main(int argc, char** argv) { return paddock::run(argc, argv); }
