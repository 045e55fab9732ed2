#include "peer/quorum_codec.h"

#include <fmt/format.h>

#include <cstring>

#include "proto/jute.h"

namespace paddock::peer {
namespace {

bool known_type(int32_t type) {
  return type >= static_cast<int32_t>(quorum::PacketType::kRequest) &&
         type <= static_cast<int32_t>(quorum::PacketType::kInformAndActivate);
}

void write_header(proto::JuteWriter& w, const quorum::QuorumPacket& p, bool null_data) {
  w.i32(static_cast<int32_t>(p.type));
  w.i64(p.zxid);
  if (null_data) {
    w.null_buffer();
  } else {
    w.nullable_buffer(p.data);
  }
  if (p.authinfo) {
    w.vector(*p.authinfo, [](proto::JuteWriter& ww, const quorum::AuthId& id) {
      ww.string(id.scheme);
      ww.string(id.id);
    });
  } else {
    w.null_vector();
  }
}

bool truncated(const proto::JuteReader& r) {
  return r.failure() != nullptr && std::strcmp(r.failure(), "truncated") == 0;
}

}  // namespace

std::string encode_snap_head(const quorum::QuorumPacket& packet) {
  std::string out;
  proto::JuteWriter w(out);
  write_header(w, packet, /*null_data=*/true);
  return out;
}

std::string encode_snap_tail() {
  std::string out;
  proto::JuteWriter w(out);
  w.string(kZkSnapSignature);
  return out;
}

void append_quorum_packet(const quorum::QuorumPacket& packet, std::string& out) {
  proto::JuteWriter w(out);
  if (packet.type != quorum::PacketType::kSnap) {
    write_header(w, packet, /*null_data=*/false);
    return;
  }
  PADDOCK_ASSERT(packet.data.has_value());
  write_header(w, packet, /*null_data=*/true);
  w.raw(*packet.data);
  w.string(kZkSnapSignature);
}

size_t quorum_packet_size(const quorum::QuorumPacket& packet) {
  // type (int), zxid (long), data (int length + bytes; -1 for null), authinfo (int count,
  // then each id's two strings; -1 for null); a SNAP adds its body and the signature.
  size_t size = 4 + 8 + 4 + 4;
  if (packet.data) size += packet.data->size();
  if (packet.authinfo) {
    for (const quorum::AuthId& id : *packet.authinfo)
      size += 4 + id.scheme.size() + 4 + id.id.size();
  }
  if (packet.type == quorum::PacketType::kSnap) size += 4 + kZkSnapSignature.size();
  return size;
}

std::string encode_quorum_packet(const quorum::QuorumPacket& packet) {
  std::string out;
  append_quorum_packet(packet, out);
  return out;
}

QuorumStreamDecoder::QuorumStreamDecoder(QuorumDecoderLimits limits)
    : limits_(limits), body_parser_(limits.max_buffer) {}

void QuorumStreamDecoder::feed(std::string_view bytes) {
  if (!error_.empty()) return;
  // Drop what was returned once it is at least half the buffer: amortized O(1) per byte.
  if (!snap_ && consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

Status QuorumStreamDecoder::fail(std::string message) {
  error_ = std::move(message);
  return Status::error(error_);
}

Result<std::optional<quorum::QuorumPacket>> QuorumStreamDecoder::next() {
  if (!error_.empty()) return Status::error(error_);
  if (snap_) return next_snap_body();
  return next_packet();
}

Result<std::optional<quorum::QuorumPacket>> QuorumStreamDecoder::next_packet() {
  std::string_view rest = std::string_view(buffer_).substr(consumed_);
  proto::JuteReader r(rest, limits_.max_buffer);
  quorum::QuorumPacket p;
  const int32_t type = r.i32();
  p.zxid = r.i64();
  p.data = r.nullable_buffer();
  const int32_t auth_count = r.i32();
  if (r.ok() && auth_count != -1 &&
      (auth_count < 0 || static_cast<size_t>(auth_count) > limits_.max_auth_ids)) {
    return fail(fmt::format("quorum packet authinfo count {} outside -1..{}", auth_count,
                            limits_.max_auth_ids));
  }
  if (r.ok() && auth_count >= 0) {
    p.authinfo.emplace();
    for (int32_t i = 0; i < auth_count && r.ok(); ++i) {
      quorum::AuthId id;
      id.scheme = r.string();
      id.id = r.string();
      p.authinfo->push_back(std::move(id));
    }
  }
  if (!r.ok()) {
    if (!truncated(r)) {
      return fail(fmt::format("malformed quorum packet at stream offset +{}: {}",
                              r.failure_offset(), r.failure()));
    }
    if (rest.size() >= limits_.max_packet_bytes) {
      return fail(fmt::format("quorum packet incomplete after {} bytes", rest.size()));
    }
    return std::optional<quorum::QuorumPacket>();
  }
  if (!known_type(type)) return fail(fmt::format("unknown quorum packet type {}", type));
  p.type = static_cast<quorum::PacketType>(type);
  consumed_ += r.position();
  if (p.type != quorum::PacketType::kSnap) return std::optional<quorum::QuorumPacket>(std::move(p));
  // The body follows. ZooKeeper ignores a SNAP packet's own data; so does Paddock.
  p.data.reset();
  snap_ = std::move(p);
  body_parser_ = ZkSnapshotBodyParser(limits_.max_buffer);
  buffer_.erase(0, consumed_);  // the body now starts at buffer_[0]
  consumed_ = 0;
  return next_snap_body();
}

Result<std::optional<quorum::QuorumPacket>> QuorumStreamDecoder::next_snap_body() {
  std::string_view body = buffer_;
  if (body.size() > limits_.max_snapshot_bytes + 64) {
    return fail(fmt::format("SNAP body longer than {} bytes", limits_.max_snapshot_bytes));
  }
  auto done = body_parser_.advance(body, nullptr);
  if (!done) return fail("SNAP " + done.error());
  if (!*done) return std::optional<quorum::QuorumPacket>();
  const size_t body_size = body_parser_.position();
  proto::JuteReader r(body.substr(body_size), 64);
  const std::string signature = r.string();
  if (!r.ok()) {
    if (truncated(r)) return std::optional<quorum::QuorumPacket>();
    return fail(fmt::format("SNAP signature unreadable: {}", r.failure()));
  }
  if (signature != kZkSnapSignature) {
    return fail(fmt::format("SNAP body not followed by the signature (got '{}')", signature));
  }
  // Hand the buffer itself over as the body (no copy of a large tree); keep what follows.
  std::string after = buffer_.substr(body_size + r.position());
  buffer_.resize(body_size);
  quorum::QuorumPacket p = std::move(*snap_);
  snap_.reset();
  p.data = std::move(buffer_);
  buffer_ = std::move(after);
  consumed_ = 0;
  return std::optional<quorum::QuorumPacket>(std::move(p));
}

}  // namespace paddock::peer
