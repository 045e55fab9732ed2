#include "peer/quorum_auth_codec.h"

#include <fmt/format.h>

#include "proto/jute.h"

namespace paddock::peer {
namespace {

uint64_t read_be(std::string_view b, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

}  // namespace

std::string_view quorum_auth_status_name(int32_t status) {
  switch (status) {
    case 0:
      return "IN_PROGRESS";
    case 1:
      return "SUCCESS";
    case -1:
      return "ERROR";
    default:
      return "UNKNOWN";
  }
}

void append_quorum_auth_packet(QuorumAuthStatus status, const std::optional<std::string>& token,
                               std::string& out) {
  proto::JuteWriter w(out);
  w.i64(kQuorumAuthMagic);
  w.i32(static_cast<int32_t>(status));
  w.nullable_buffer(token);
}

std::string encode_quorum_auth_packet(QuorumAuthStatus status,
                                      const std::optional<std::string>& token) {
  std::string out;
  append_quorum_auth_packet(status, token, out);
  return out;
}

bool is_quorum_auth_magic(std::string_view first8) {
  return first8.size() >= kQuorumAuthMagicBytes &&
         static_cast<int64_t>(read_be(first8, 0, 8)) == kQuorumAuthMagic;
}

Result<std::optional<QuorumAuthPacket>> decode_quorum_auth_packet(std::string_view bytes,
                                                                  size_t max_token,
                                                                  size_t* consumed,
                                                                  size_t* needed) {
  *consumed = 0;
  *needed = kQuorumAuthHeaderBytes;
  if (bytes.size() < kQuorumAuthHeaderBytes) return std::optional<QuorumAuthPacket>();
  QuorumAuthPacket p;
  p.magic = static_cast<int64_t>(read_be(bytes, 0, 8));
  p.status = static_cast<int32_t>(read_be(bytes, 8, 4));
  const auto length = static_cast<int32_t>(read_be(bytes, 12, 4));
  if (length < -1 || (length > 0 && static_cast<size_t>(length) > max_token)) {
    return Status::error(fmt::format("Unreasonable length = {} (a SASL token of at most {} bytes)",
                                     length, max_token));
  }
  const size_t token_bytes = length > 0 ? static_cast<size_t>(length) : 0;
  *needed = kQuorumAuthHeaderBytes + token_bytes;
  if (bytes.size() < *needed) return std::optional<QuorumAuthPacket>();
  if (length >= 0) p.token = std::string(bytes.substr(kQuorumAuthHeaderBytes, token_bytes));
  *consumed = *needed;
  return std::optional<QuorumAuthPacket>(std::move(p));
}

}  // namespace paddock::peer
