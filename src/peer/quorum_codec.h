#pragma once
// The quorum port's bytes (ZK-FORMATS.md section 2), pure: no I/O. Back-to-back jute
// QuorumPacket records {int type, long zxid, buffer data, vector<Id> authinfo}, no framing;
// null (-1) and empty kept apart. A SNAP is written as the packet with null data, then the
// snapshot stream body (the packet value's `data`), then the jute string "BenWasHere"; the
// decoder parses the body's structure to find its end (see quorum/messages.h).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "peer/zk_snapshot_stream.h"
#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::peer {

struct QuorumDecoderLimits {
  // A buffer or string longer than this is an error: jute.maxbuffer + its extra size, as a
  // ZooKeeper 3.8 peer reads.
  size_t max_buffer = kZkPeerMaxBuffer;
  // Entries in one packet's authinfo (a client's auth ids; a handful in practice).
  size_t max_auth_ids = 1024;
  // A packet that is not complete after this many bytes is an error.
  size_t max_packet_bytes = 2 * kZkPeerMaxBuffer + 64 * 1024;
  // A SNAP body (the whole tree) larger than this is an error.
  uint64_t max_snapshot_bytes = uint64_t{16} << 30;
};

// Appends the packet's wire bytes. A SNAP must carry its body in `data` (an invariant of the
// core's output); it is written with null data, then the body, then the signature.
void append_quorum_packet(const quorum::QuorumPacket& packet, std::string& out);
std::string encode_quorum_packet(const quorum::QuorumPacket& packet);
// How many bytes append_quorum_packet() adds for `packet`, without encoding it.
size_t quorum_packet_size(const quorum::QuorumPacket& packet);

// The SNAP wire form in three parts, so a sender can write a large body without copying it:
// head (the packet with null data), the body (packet.data), tail (the signature).
std::string encode_snap_head(const quorum::QuorumPacket& packet);
std::string encode_snap_tail();

// Reads a learner's or leader's byte stream. Feed bytes as they arrive; pull packets until
// next() returns nullopt. Any malformed input is an error for good (the connection must be
// closed): a negative length other than -1, a length or count past the limits, an unknown
// packet type, a SNAP body that does not parse or lacks its signature.
class QuorumStreamDecoder {
 public:
  explicit QuorumStreamDecoder(QuorumDecoderLimits limits = {});

  void feed(std::string_view bytes);
  Result<std::optional<quorum::QuorumPacket>> next();
  // Bytes held: the part of a packet or SNAP body received so far.
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Result<std::optional<quorum::QuorumPacket>> next_packet();
  Result<std::optional<quorum::QuorumPacket>> next_snap_body();
  Status fail(std::string message);

  QuorumDecoderLimits limits_;
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already returned as packets
  // While a SNAP body is arriving: its packet, and the body parser. The body starts at
  // buffer_[consumed_].
  std::optional<quorum::QuorumPacket> snap_;
  ZkSnapshotBodyParser body_parser_;
  std::string error_;  // sticky once set
};

}  // namespace paddock::peer
