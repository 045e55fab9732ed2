#pragma once
// How the shell reads what the user typed, the way zkCli.sh (ZooKeeperMain in 3.8) does:
// a line is split into words (quotes group words and are stripped), a command's words are
// parsed into options and arguments as Apache commons-cli's DefaultParser does (options may
// come anywhere, "-se" bundles flags, "-t5" or "-t 5" give a value, "--" ends options), and
// the process's own arguments (-server, -timeout, -r, --json, then an optional command).
// Pure: no I/O.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::shell {

// Splits a line into words as zkCli's ARGS_PATTERN does: a word is either a run of
// non-blanks that does not start with a quote, or a whole "..." or '...' string (whose
// quotes are removed). An unterminated quote is skipped, as zkCli skips it.
std::vector<std::string> split_words(std::string_view line);

// One option letter of a command: a flag, or an option that takes a value.
struct OptionSpec {
  char letter;
  bool takes_value = false;
};

// A command's words after option parsing: words[0] is the command name, then the
// non-option arguments in order.
struct ParsedArgs {
  std::vector<std::string> args;
  std::map<char, std::string> options;  // flags map to ""
  bool has(char c) const { return options.count(c) != 0; }
  const std::string& value(char c) const { return options.at(c); }
};

// Parses words (words[0] the command name). On a bad option, returns nullopt and sets
// `error` to commons-cli's message as zkCli prints it, e.g.
// "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x".
std::optional<ParsedArgs> parse_options(const std::vector<std::string>& words,
                                        const std::vector<OptionSpec>& specs, std::string* error);

// `paddock shell [-server HOST:PORT] [-timeout MS] [-r] [--json] [command args...]`.
struct ShellArgs {
  std::string server = "localhost:2181";
  int timeout_ms = 30000;
  // Accepted for zkCli compatibility, with a warning: Paddock has no read-only sessions.
  bool read_only = false;
  bool json = false;
  bool help = false;                 // -h or --help: print the usage and exit
  std::vector<std::string> command;  // empty: read commands (terminal or standard input)
};

// Parses the process arguments after `shell`. Options are read until the first word that
// does not start with '-'; it and everything after it are the command (as zkCli does).
// Returns nullopt with `error` set on a missing or bad option value.
std::optional<ShellArgs> parse_shell_args(const std::vector<std::string>& argv, std::string* error);

}  // namespace paddock::shell
