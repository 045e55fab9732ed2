#include "shell/command_table.h"

#include <algorithm>

namespace paddock::shell {

const std::vector<CommandSpec>& command_specs() {
  // Usage texts as ZooKeeper 3.8's zkCli prints them (trailing blanks included).
  static const std::vector<CommandSpec> specs = [] {
    std::vector<CommandSpec> v = {
        {"addWatch",
         "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is "
         "PERSISTENT_RECURSIVE",
         {{'m', true}}},
        {"addauth", "scheme auth", {}},
        {"close", "", {}},
        {"config", "[-c] [-w] [-s]", {{'c'}, {'w'}, {'s'}}},
        {"connect", "host:port", {}, false},
        {"create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]", {{'s'}, {'e'}, {'c'}, {'t', true}}},
        {"delete", "[-v version] path", {{'v', true}}},
        {"deleteall", "path [-b batch size]", {{'b', true}}},
        {"delquota", "[-n|-b|-N|-B] path", {{'n'}, {'b'}, {'N'}, {'B'}}},
        {"get", "[-s] [-w] path", {{'s'}, {'w'}}},
        {"getAcl", "[-s] path", {{'s'}}},
        {"getAllChildrenNumber", "path", {}},
        {"getEphemerals", "path", {}},
        {"history", "", {}, false},
        {"listquota", "path", {}},
        {"ls", "[-s] [-w] [-R] path", {{'s'}, {'w'}, {'R'}, {'?'}}},
        {"printwatches", "on|off", {}, false},
        {"quit", "", {}, false},
        {"redo", "cmdno", {}, false},
        {"removewatches", "path [-c|-d|-a] [-l]", {{'c'}, {'d'}, {'a'}, {'l'}}},
        {"set", "[-s] [-v version] path data", {{'s'}, {'v', true}}},
        {"setAcl", "[-s] [-v version] [-R] path acl", {{'s'}, {'v', true}, {'R'}}},
        {"setquota", "-n|-b|-N|-B val path", {{'n', true}, {'b', true}, {'N', true}, {'B', true}}},
        {"stat", "[-w] path", {{'w'}}},
        {"sync", "path", {}},
        {"whoami", "", {}},
    };
    std::sort(v.begin(), v.end(),
              [](const CommandSpec& a, const CommandSpec& b) { return a.name < b.name; });
    return v;
  }();
  return specs;
}

const CommandSpec* find_command(const std::string& name) {
  for (const auto& s : command_specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> command_names() {
  std::vector<std::string> out;
  for (const auto& s : command_specs()) out.push_back(s.name);
  return out;
}

std::string usage_text() {
  std::string out = "paddock shell -server host:port [-timeout ms] [--json] cmd args\n";
  for (const auto& s : command_specs()) out += "\t" + s.usage() + "\n";
  return out;
}

}  // namespace paddock::shell
