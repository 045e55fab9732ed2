#pragma once
// One `server.N=` line of zoo.cfg (or of a dynamic config file), in ZooKeeper 3.8's forms:
//   host:quorumPort:electionPort
//   host:quorumPort:electionPort:participant|observer
//   ...;clientPort   or   ...;clientHost:clientPort
// IPv6 hosts are written in brackets: [::1]:2888:3888;[::1]:2181.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::config {

struct ServerEntry {
  int64_t id = 0;
  std::string host;  // IPv6 without brackets
  int quorum_port = 0;
  int election_port = 0;
  std::string role = "participant";  // "participant" or "observer"
  // From the line's `;client` part only: empty/0 when the line has none (the server then
  // uses clientPort/clientPortAddress of its own zoo.cfg). A bare `;2181` means 0.0.0.0.
  std::string client_address;
  int client_port = 0;

  bool is_observer() const { return role == "observer"; }
  bool has_client_address() const { return client_port != 0; }
  // The text ZooKeeper uses for this server in election notifications and
  // /zookeeper/config: "host:2888:3888:participant;0.0.0.0:2181" (client part only when
  // the line had one).
  std::string to_config_string() const;
};

// Parses the value of `server.<id>=`. The message of an error names what is wrong but not
// the file or line (the caller adds them).
Result<ServerEntry> parse_server_entry(int64_t id, std::string_view value);

// Parses a whole `server.<id>=<value>` line: the id after "server." (a number >= 0) and
// the value.
Result<ServerEntry> parse_server_line(std::string_view key, std::string_view value);

// "host:port" or "[v6]:port" -> {host, port, ...more fields}, as ZooKeeper's
// ConfigUtils.getHostAndPort splits it (brackets removed). Fails on an unmatched '['.
Result<std::vector<std::string>> split_host_and_ports(std::string_view text);

}  // namespace paddock::config
