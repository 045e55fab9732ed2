#pragma once
// The shell's commands as zkCli.sh 3.8 lists them: name, option letters and the usage text
// zkCli prints (in its help and when a command is given too few arguments).
#include <string>
#include <vector>

#include "shell/command_line.h"

namespace paddock::shell {

struct CommandSpec {
  std::string name;
  std::string usage_args;  // after the name, e.g. "[-s] [-w] path"
  std::vector<OptionSpec> options;
  bool needs_connection = true;  // history, redo, printwatches, connect, quit do not
  std::string usage() const { return name + " " + usage_args; }
};

// Every command, sorted by name.
const std::vector<CommandSpec>& command_specs();
// The spec of `name`, or nullptr.
const CommandSpec* find_command(const std::string& name);
// The sorted command names (for tab completion).
std::vector<std::string> command_names();
// zkCli's usage(): a first line, then "\t<name> <usage>" for each command.
std::string usage_text();

}  // namespace paddock::shell
