#pragma once
// What every example shares: `program HOST:PORT[,HOST:PORT...][/chroot] [--name value ...]`,
// and opening a client on that connection string.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "client/client.h"
#include "client/recipes/session_events.h"

namespace examples {

struct Args {
  std::string connect;
  std::map<std::string, std::string> options;

  std::string get(const std::string& name, const std::string& fallback) const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
  long number(const std::string& name, long fallback) const {
    auto it = options.find(name);
    return it == options.end() ? fallback : std::strtol(it->second.c_str(), nullptr, 10);
  }
};

// Exits with a usage line when the arguments do not parse.
inline Args parse_args(int argc, char** argv, const char* usage) {
  Args a;
  if (argc < 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: %s HOST:PORT %s\n", argv[0], usage);
    std::exit(2);
  }
  a.connect = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s HOST:PORT %s\n", argv[0], usage);
      std::exit(2);
    }
    a.options[key.substr(2)] = argv[++i];
  }
  return a;
}

// Opens a client and waits for its session; exits with a message when there is none.
inline std::unique_ptr<paddock::client::Client> connect(
    const Args& args, paddock::client::recipes::SessionEvents* events = nullptr) {
  paddock::client::ClientOptions o;
  o.connect_string = args.connect;
  o.session_timeout = std::chrono::milliseconds(args.number("session-timeout-ms", 10000));
  if (events) o.session_watcher = events->watcher();
  auto c = paddock::client::Client::open(std::move(o));
  if (!c) {
    std::fprintf(stderr, "bad connection string: %s\n", c.error().c_str());
    std::exit(2);
  }
  if (!(*c)->wait_connected(std::chrono::seconds(15))) {
    std::fprintf(stderr, "no session with %s\n", args.connect.c_str());
    std::exit(1);
  }
  return std::move(*c);
}

}  // namespace examples
