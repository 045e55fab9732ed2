#pragma once
// The connection string "host1:port1,host2:port2/chroot" and the chroot applied to paths
// both ways (prepended to request paths, stripped from reply and event paths).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::client {

struct HostPort {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 2181;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

struct ConnectString {
  std::vector<HostPort> hosts;
  std::string chroot;  // "" for none; else a valid path other than "/"
};

// Parses a connection string. IPv6 addresses are written in brackets ("[::1]:2181"); a
// missing port means 2181; a chroot of "/" means none. Fails on an empty host list, a bad
// port or an invalid chroot path.
paddock::Result<ConnectString> parse_connect_string(std::string_view text);

// "/a" under chroot "/app" -> "/app/a"; "/" -> "/app". No chroot: unchanged.
std::string prepend_chroot(std::string_view chroot, std::string_view client_path);
// "/app/a" -> "/a"; "/app" -> "/". A path outside the chroot is returned unchanged (as the
// Java client does).
std::string strip_chroot(std::string_view chroot, std::string_view server_path);

}  // namespace paddock::client
