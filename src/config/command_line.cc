// paddockd's command line: -D system properties and either a config file or
// ZooKeeperServerMain's `PORT DATADIR [TICKTIME [MAXCLIENTCNXNS]]`.
#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "config/server_config.h"

namespace paddock::config {
namespace {

constexpr std::string_view kInlineSource = "<command line>";

// Escapes a value for java.util.Properties text, so the inline form goes through the same
// parser (and the same checks) as a file.
std::string escape_value(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (i == 0 && (c == ' ' || c == '\t' || c == '\f')) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string inline_config(const std::vector<std::string>& args) {
  std::string text =
      fmt::format("clientPort={}\ndataDir={}\n", escape_value(args[0]), escape_value(args[1]));
  if (args.size() >= 3) text += fmt::format("tickTime={}\n", escape_value(args[2]));
  if (args.size() >= 4) text += fmt::format("maxClientCnxns={}\n", escape_value(args[3]));
  return text;
}

}  // namespace

std::string paddockd_usage(std::string_view program) {
  return fmt::format(
      "Usage: {0} [-Dname=value ...] CONFIG\n"
      "       {0} [-Dname=value ...] PORT DATADIR [TICKTIME [MAXCLIENTCNXNS]]\n"
      "Runs a Paddock server (ZooKeeper 3.8 compatible). CONFIG is a ZooKeeper zoo.cfg.\n"
      "-D sets a system property, as for the Java server (e.g. -Djute.maxbuffer=4194304,\n"
      "-Dzookeeper.snapCount=50000); it overrides the same property set from CONFIG.\n",
      program);
}

Result<CommandLine> parse_paddockd_command_line(int argc, const char* const* argv) {
  CommandLine cl;
  std::vector<std::string> positional;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!options_done && (arg == "-h" || arg == "--help")) {
      cl.help = true;
    } else if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg.starts_with("-D")) {
      std::string_view def = arg.substr(2);
      size_t eq = def.find('=');
      std::string name(def.substr(0, eq));
      if (name.empty()) return Status::error(fmt::format("'{}': missing property name", arg));
      cl.system_properties[name] =
          eq == std::string_view::npos ? std::string() : std::string(def.substr(eq + 1));
    } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
      return Status::error(fmt::format("unknown option '{}'", arg));
    } else {
      positional.emplace_back(arg);
    }
  }
  if (cl.help) return cl;
  if (positional.size() == 1) {
    cl.config_path = positional[0];
  } else if (positional.size() >= 2 && positional.size() <= 4) {
    cl.inline_config = inline_config(positional);
  } else if (positional.empty()) {
    return Status::error("missing the config file argument");
  } else {
    return Status::error(fmt::format("too many arguments ({})", positional.size()));
  }
  return cl;
}

Result<LoadedConfig> load_server_config(const CommandLine& command_line) {
  if (command_line.config_path.empty()) {
    std::error_code ec;
    std::string cwd = std::filesystem::current_path(ec).string();
    Result<LoadedConfig> loaded = parse_server_config(command_line.inline_config, kInlineSource,
                                                      command_line.system_properties, cwd);
    if (!loaded) return loaded;
    loaded->config.config_path.clear();
    if (Status s = apply_my_id(*loaded, std::nullopt, ""); !s) return s;
    return loaded;
  }
  return load_server_config(command_line.config_path, command_line.system_properties);
}

}  // namespace paddock::config
