#include "peer/election_codec.h"

#include <fmt/format.h>

#include "proto/jute.h"

namespace paddock::peer {
namespace {

// "host:port" or "[v6 host]:port", port decimal 0..65535, host non-empty: what ZooKeeper's
// acceptor can turn into a socket address.
bool is_host_port(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size()) return false;
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
  }
  if (port.size() > 5) return false;
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value <= 65535;
}

std::vector<std::string> split_addresses(std::string_view text, bool multi) {
  std::vector<std::string> out;
  if (!multi) {
    out.emplace_back(text);
    return out;
  }
  size_t start = 0;
  for (;;) {
    const size_t bar = text.find('|', start);
    out.emplace_back(text.substr(start, bar - start));
    if (bar == std::string_view::npos) return out;
    start = bar + 1;
  }
}

int64_t read_i64(std::string_view b, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return static_cast<int64_t>(v);
}

int32_t read_i32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return static_cast<int32_t>(v);
}

}  // namespace

std::string encode_connection_init(quorum::Sid sid, std::string_view address) {
  std::string out;
  proto::JuteWriter w(out);
  w.i64(kElectionProtocolV1);
  w.i64(sid);
  w.buffer(address);
  return out;
}

Result<std::optional<ConnectionInit>> decode_connection_init(std::string_view bytes,
                                                             size_t* consumed) {
  *consumed = 0;
  if (bytes.size() < 8) return std::optional<ConnectionInit>();
  ConnectionInit init;
  init.protocol_version = read_i64(bytes, 0);
  if (init.protocol_version >= 0) {  // a bare sid
    init.sid = init.protocol_version;
    *consumed = 8;
    return std::optional<ConnectionInit>(std::move(init));
  }
  if (init.protocol_version != kElectionProtocolV1 &&
      init.protocol_version != kElectionProtocolV2) {
    return Status::error(
        fmt::format("unknown election protocol version {}", init.protocol_version));
  }
  if (bytes.size() < 20) return std::optional<ConnectionInit>();
  init.sid = read_i64(bytes, 8);
  const int32_t length = read_i32(bytes, 16);
  if (length < 1 || static_cast<size_t>(length) > kMaxInitAddressBytes) {
    return Status::error(fmt::format("connection init from sid {}: address length {} outside 1..{}",
                                     init.sid, length, kMaxInitAddressBytes));
  }
  if (bytes.size() < 20 + static_cast<size_t>(length)) return std::optional<ConnectionInit>();
  std::string_view text = bytes.substr(20, static_cast<size_t>(length));
  init.addresses = split_addresses(text, init.protocol_version == kElectionProtocolV2);
  for (const std::string& a : init.addresses) {
    if (!is_host_port(a)) {
      return Status::error(
          fmt::format("connection init from sid {}: address '{}' is not host:port", init.sid, a));
    }
  }
  *consumed = 20 + static_cast<size_t>(length);
  return std::optional<ConnectionInit>(std::move(init));
}

std::string encode_notification(const quorum::Notification& n) {
  std::string out;
  out.reserve(kNotificationFixedBytes + n.config.size());
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(n.state));
  w.i64(n.leader);
  w.i64(n.zxid);
  w.i64(n.election_epoch);
  w.i64(n.peer_epoch);
  w.i32(n.version);
  w.buffer(n.config);
  return out;
}

std::string encode_notification_frame(const quorum::Notification& n) {
  const std::string message = encode_notification(n);
  std::string out;
  out.reserve(4 + message.size());
  proto::JuteWriter w(out);
  w.buffer(message);
  return out;
}

Result<std::optional<quorum::Notification>> decode_notification(std::string_view message) {
  const size_t size = message.size();
  if (size < kNotificationNoPeerEpochBytes) return std::optional<quorum::Notification>();
  proto::JuteReader r(message, kMaxElectionFrameBytes);
  const int32_t state = r.i32();
  quorum::Notification n;
  n.leader = r.i64();
  n.zxid = r.i64();
  n.election_epoch = r.i64();
  n.version = 0;
  if (size == kNotificationNoPeerEpochBytes) {
    n.peer_epoch = quorum::zxid_epoch(n.zxid);
  } else {
    n.peer_epoch = r.i64();
    if (size != kNotificationNoVersionBytes) n.version = r.i32();
  }
  if (r.ok() && n.version > 1) {
    // Not r.string(): a length of -1 is an error here, not a null string.
    const int32_t length = r.i32();
    if (r.ok() && (length < 0 || static_cast<size_t>(length) > r.remaining())) {
      return Status::error(
          fmt::format("notification config length {} with {} bytes left", length, r.remaining()));
    }
    n.config = std::string(r.raw(static_cast<size_t>(length)));
  }
  if (!r.ok()) {
    return Status::error(fmt::format("malformed notification of {} bytes: {} at offset {}", size,
                                     r.failure(), r.failure_offset()));
  }
  if (state < 0 || state > 3) return std::optional<quorum::Notification>();
  n.state = static_cast<quorum::ServerState>(state);
  return std::optional<quorum::Notification>(std::move(n));
}

void ElectionFrameDecoder::feed(std::string_view bytes) {
  if (!error_.empty()) return;
  if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

Result<std::optional<std::string>> ElectionFrameDecoder::next() {
  if (!error_.empty()) return Status::error(error_);
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  if (rest.size() < 4) return std::optional<std::string>();
  const int32_t length = read_i32(rest, 0);
  if (length < 1 || static_cast<size_t>(length) > kMaxElectionFrameBytes) {
    error_ = fmt::format("election frame length {} outside 1..{}", length, kMaxElectionFrameBytes);
    return Status::error(error_);
  }
  if (rest.size() < 4 + static_cast<size_t>(length)) return std::optional<std::string>();
  std::string message(rest.substr(4, static_cast<size_t>(length)));
  consumed_ += 4 + static_cast<size_t>(length);
  return std::optional<std::string>(std::move(message));
}

std::string ElectionFrameDecoder::take_buffered() {
  std::string rest = buffer_.substr(consumed_);
  buffer_.clear();
  consumed_ = 0;
  return rest;
}

void ElectionStreamDecoder::feed(std::string_view bytes) {
  if (init_) {
    frames_.feed(bytes);
  } else {
    pending_.append(bytes.data(), bytes.size());
  }
}

Result<std::optional<ConnectionInit>> ElectionStreamDecoder::init() {
  if (init_) return init_;
  size_t consumed = 0;
  auto decoded = decode_connection_init(pending_, &consumed);
  if (!decoded) return decoded.status();
  if (!*decoded) return std::optional<ConnectionInit>();
  init_ = std::move(**decoded);
  frames_.feed(std::string_view(pending_).substr(consumed));
  pending_.clear();
  pending_.shrink_to_fit();
  return init_;
}

Result<std::optional<std::string>> ElectionStreamDecoder::next_message() {
  if (!init_) return std::optional<std::string>();
  return frames_.next();
}

}  // namespace paddock::peer
