#include "shell/shell_main.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <mutex>

#include "shell/command_table.h"
#include "shell/line_editor.h"
#include "shell/shell.h"

namespace paddock::shell {

namespace {

// Standard output and error, one writer at a time (commands and the event thread).
class StdOutput : public Output {
 public:
  void write(Stream stream, const std::string& text) override {
    std::lock_guard<std::mutex> lock(mu_);
    FILE* f = stream == Stream::kOut ? stdout : stderr;
    std::fwrite(text.data(), 1, text.size(), f);
    std::fflush(f);
  }

 private:
  std::mutex mu_;
};

int read_terminal(Shell& shell) {
  LineEditor editor(
      "paddock", [&] { return shell.prompt(); },
      [&](std::string_view before) {
        return complete(before, command_names(),
                        [&](const std::string& p) { return shell.children_for_completion(p); });
      });
  while (!shell.quit_requested()) {
    std::optional<std::string> line = editor.read_line();
    if (!line) break;
    if (line->find_first_not_of(" \t") != std::string::npos) editor.add_history(*line);
    shell.execute_line(*line);
  }
  return shell.exit_code();
}

int read_stdin(Shell& shell) {
  std::string line;
  while (!shell.quit_requested() && std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    shell.execute_line(line);
  }
  return shell.exit_code();
}

}  // namespace

int run_shell(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_shell_args(argv, &error);
  StdOutput output;
  if (!args) {
    output.write(Stream::kErr, error + "\n" + usage_text());
    return kExitFailed;
  }
  if (args->help) {
    output.write(Stream::kOut, usage_text());
    return kExitOk;
  }
  if (args->read_only) {  // zkCli's -r asks for a read-only session, which Paddock lacks
    output.write(Stream::kErr,
                 "Warning: -r (read-only mode) is not supported; the session is read-write\n");
  }
  ShellConfig config;
  config.server = args->server;
  config.session_timeout = std::chrono::milliseconds(args->timeout_ms);
  config.json = args->json;
  Shell shell(config, output);
  if (!args->json) output.write(Stream::kOut, "Connecting to " + args->server + "\n");
  shell.connect(args->server);
  const bool terminal = args->command.empty() && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
  if (args->command.empty() && !args->json) {
    output.write(Stream::kOut, std::string("Welcome to Paddock!\nlibedit support is ") +
                                   (terminal ? "enabled" : "disabled") + "\n");
  }
  // zkCli does not wait; waiting puts the SyncConnected event before the first output.
  shell.wait_connected(config.session_timeout);
  if (!args->command.empty()) return shell.execute(args->command);
  return terminal ? read_terminal(shell) : read_stdin(shell);
}

}  // namespace paddock::shell
