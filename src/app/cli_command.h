#pragma once
// The `paddock` tool is a set of command families (server, and later bench, log, snapshot,
// import-zk), each in its own cli_<family>.cc. A family adds its subcommands to the CLI11
// app; the callback of the subcommand that gets parsed stores what to run in `action`, and
// main runs it after parsing. To add a family: write cli_<family>.cc with an add_*_commands
// function, declare it here and list it in kCommandFamilies in cli_main.cc.
#include <CLI/CLI.hpp>
#include <functional>

namespace paddock::app {

// Runs the parsed command; returns the process exit code.
using CommandAction = std::function<int()>;
using CommandFamily = void (*)(CLI::App& app, CommandAction& action);

// `paddock server start|stop|restart|status|start-foreground|print-cmd [zoo.cfg]`.
void add_server_commands(CLI::App& app, CommandAction& action);
// `paddock bench [--servers ..] [--mix ..] [--watchers N|--storm N|--fill N] [--json]`.
void add_bench_commands(CLI::App& app, CommandAction& action);
// `paddock log dump FILE [--json] [--limit N]` (Paddock or ZooKeeper log files).
void add_log_commands(CLI::App& app, CommandAction& action);
// `paddock snapshot dump FILE [--json]`, `paddock snapshot verify DIR`.
void add_snapshot_commands(CLI::App& app, CommandAction& action);
// `paddock import-zk ZK_DATA_DIR DEST_DIR`.
void add_import_commands(CLI::App& app, CommandAction& action);
// `paddock shell [-server HOST:PORT] [-timeout MS] [--json] [cmd args]` (zkCli.sh's commands).
void add_shell_commands(CLI::App& app, CommandAction& action);

}  // namespace paddock::app
