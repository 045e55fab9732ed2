#pragma once
// The ensemble as the console shows it: every member of zoo.cfg's server.N lines with its
// mode, last zxid and lag behind the leader. Each member is asked over its own client port
// with `srvr` (the one four-letter word every server always answers, ZooKeeper's too), so
// any member's console shows the whole ensemble, whichever kind of server the others are.
// Parsing and the lag are pure; ask_members() does the network I/O.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace paddock::console {

struct MemberAddress {
  int64_t sid = 0;
  std::string role = "participant";  // or "observer", from the server line
  std::string host;                  // where its client port answers
  uint16_t client_port = 0;          // 0: unknown (the page says so)
};

struct SrvrFigures {
  std::string mode;  // leader, follower, observer, standalone
  int64_t zxid = 0;
  uint64_t node_count = 0;
  uint64_t connections = 0;
  uint64_t outstanding = 0;
};

struct MemberStatus {
  MemberAddress address;
  std::optional<SrvrFigures> figures;  // absent: unreachable or not serving
  std::string error;                   // why figures are absent
};

// srvr's answer ("Zxid: 0x...", "Mode: ...", "Node count: ..."); nullopt when it is not
// one (e.g. "This ZooKeeper instance is not currently serving requests").
std::optional<SrvrFigures> parse_srvr(std::string_view text);

// Transactions a member is behind the leader: the counter difference within one epoch;
// nullopt across epochs (the member has not synced with this leader's epoch yet).
std::optional<int64_t> lag_behind(int64_t leader_zxid, int64_t member_zxid);

// The members as the page lists them, each with "lag" counted from the member in mode
// leader (null when none answers or the epochs differ).
nlohmann::ordered_json members_json(const std::vector<MemberStatus>& members);

// Asks every member for srvr at once, each within `timeout`.
std::vector<MemberStatus> ask_members(const std::vector<MemberAddress>& members,
                                      std::chrono::milliseconds timeout);

}  // namespace paddock::console
