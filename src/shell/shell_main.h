#pragma once
// `paddock shell`: the process around a Shell. With a command after the options it runs that
// one and returns its status; on a terminal it reads lines with libedit (editing, history,
// completion); otherwise it reads commands from standard input, one a line, and returns the
// status of the last one, as zkCli.sh does.
#include <string>
#include <vector>

namespace paddock::shell {

// argv: the arguments after `shell`. Returns the process exit status.
int run_shell(const std::vector<std::string>& argv);

}  // namespace paddock::shell
