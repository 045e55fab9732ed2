// paddockd: the Paddock server. Parses the command line and zoo.cfg, runs one
// server::Server until SIGINT or SIGTERM.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "config/server_config.h"
#include "console/console.h"
#include "server/server.h"
#include "storage/posix_env.h"
#include "util/clock.h"

namespace paddock {
namespace {

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

Result<config::ServerConfig> load_config(int argc, char** argv) {
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
  auto loaded = config::load_server_config(*command_line);
  if (!loaded) return loaded.status();
  for (const std::string& warning : loaded->warnings)
    spdlog::warn("event=config_warning {}", warning);
  return std::move(loaded->config);
}

int run(int argc, char** argv) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
  sigset_t shutdown_signals = block_shutdown_signals();
  Result<config::ServerConfig> loaded = load_config(argc, argv);
  if (!loaded) {
    spdlog::error("event=bad_config {}", loaded.error());
    return 2;
  }
  storage::PosixEnv env;
  SystemClock clock;
  console::ConsoleOptions console_options = console::console_options(*loaded);
  server::Server server(std::move(*loaded), env, clock);
  if (console_options.enabled) {
    server.set_admin_extension(std::make_unique<console::Console>(std::move(console_options)));
  }
  if (auto error = server.start()) {
    spdlog::error("event={} exit_code={} {}", error->event, error->exit_code, error->message);
    return error->exit_code;
  }
  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  spdlog::info("event=shutdown signal={}", signal_number);
  server.stop();
  return 0;
}

}  // namespace
}  // namespace paddock

int main(int argc, char** argv) { return paddock::run(argc, argv); }
