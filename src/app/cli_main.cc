// Entry point of the `paddock` tool: parses the command line and runs one subcommand.
#include "app/cli_command.h"

namespace {

constexpr paddock::app::CommandFamily kCommandFamilies[] = {
    paddock::app::add_server_commands,
    paddock::app::add_bench_commands,
    paddock::app::add_log_commands,
    paddock::app::add_snapshot_commands,
    paddock::app::add_import_commands,
    paddock::app::add_shell_commands,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"paddock: tools for the Paddock coordination server (ZooKeeper compatible)"};
  app.require_subcommand(1);
  paddock::app::CommandAction action;
  for (paddock::app::CommandFamily add : kCommandFamilies) add(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return action ? action() : 0;
}
