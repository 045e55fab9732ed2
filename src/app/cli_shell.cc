// `paddock shell [-server HOST:PORT] [-timeout MS] [--json] [command args]`: the
// zkCli.sh-compatible shell (src/shell). Its options are zkCli's single-dash ones, so
// everything after `shell` goes to the shell's own parser untouched.
#include "app/cli_command.h"
#include "shell/shell_main.h"

namespace paddock::app {

void add_shell_commands(CLI::App& app, CommandAction& action) {
  CLI::App* shell = app.add_subcommand("shell",
                                       "zkCli.sh-compatible shell: paddock shell -server HOST:PORT "
                                       "[-timeout MS] [--json] [cmd args]");
  shell->prefix_command();
  shell->allow_extras();
  shell->set_help_flag();  // "-h" and "--help" go to the shell, which prints its usage
  shell->callback([shell, &action] {
    std::vector<std::string> args = shell->remaining();
    action = [args] { return paddock::shell::run_shell(args); };
  });
}

}  // namespace paddock::app
