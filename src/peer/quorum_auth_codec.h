#pragma once
// ZooKeeper 3.8's QuorumAuthPacket (quorum SASL between servers), pure: no I/O.
//   {long magic = 0x5F2435013501EDCC, int status, buffer token}
// big-endian jute, no outer length, nothing between packets. Status 0 IN_PROGRESS,
// 1 SUCCESS, -1 ERROR; a token of length -1 is null, 0 empty. The learner's (dialing side's)
// first packet is the first thing on the quorum port and follows the connection initiation
// on the election port; an accepting side with quorum.auth.enableSasl reads 8 bytes there and
// compares them with the magic (QuorumSaslDriver in quorum_sasl.h).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace paddock::peer {

// Written in Java as -0xa0dbcafecafe1234L, which is positive: 5f 24 35 01 35 01 ed cc.
inline constexpr int64_t kQuorumAuthMagic = 0x5F2435013501EDCC;
inline constexpr size_t kQuorumAuthMagicBytes = 8;
inline constexpr size_t kQuorumAuthHeaderBytes = 16;  // magic, status, token length

enum class QuorumAuthStatus : int32_t { kInProgress = 0, kSuccess = 1, kError = -1 };
std::string_view quorum_auth_status_name(int32_t status);  // "IN_PROGRESS", ..., "UNKNOWN"

struct QuorumAuthPacket {
  int64_t magic = kQuorumAuthMagic;
  int32_t status = 0;                // a QuorumAuthStatus, or anything a peer sent
  std::optional<std::string> token;  // nullopt: null (-1)
  friend bool operator==(const QuorumAuthPacket&, const QuorumAuthPacket&) = default;
};

std::string encode_quorum_auth_packet(QuorumAuthStatus status,
                                      const std::optional<std::string>& token);
void append_quorum_auth_packet(QuorumAuthStatus status, const std::optional<std::string>& token,
                               std::string& out);

// Whether 8 bytes are the magic (the accepting side's peek).
bool is_quorum_auth_magic(std::string_view first8);

// Reads one packet from the start of `bytes`, as ZooKeeper's BinaryInputArchive does: a token
// length below -1 or above `max_token` is an error ("Unreasonable length = N"). The magic and
// status are not checked (ZooKeeper checks the magic once, in the peek). nullopt: more bytes
// are needed -- `*needed` gets how many the packet needs in all, so far as known.
Result<std::optional<QuorumAuthPacket>> decode_quorum_auth_packet(std::string_view bytes,
                                                                  size_t max_token,
                                                                  size_t* consumed, size_t* needed);

}  // namespace paddock::peer
