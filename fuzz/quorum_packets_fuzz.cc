// The quorum port's byte stream (peer/quorum_codec.h): back-to-back QuorumPackets, a SNAP
// followed by ZooKeeper's snapshot stream body and its signature.
//
// Invariants: the decoder gives the same packets and the same verdict whether the bytes come
// at once or in pieces (as TCP delivers them); every packet re-encodes to bytes that decode
// to the same packet, of the size quorum_packet_size() says; nothing is buffered past the
// decoder's limits.
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "peer/quorum_codec.h"

namespace {

using namespace paddock;

struct Decoded {
  std::vector<quorum::QuorumPacket> packets;
  bool failed = false;
};

// Small limits, so the fuzzer reaches them with small inputs.
peer::QuorumDecoderLimits limits() {
  peer::QuorumDecoderLimits l;
  l.max_buffer = 4096;
  l.max_auth_ids = 8;
  l.max_packet_bytes = 3 * 4096;
  l.max_snapshot_bytes = 64 * 1024;
  return l;
}

Decoded decode_all(const std::vector<std::string_view>& pieces) {
  Decoded out;
  peer::QuorumStreamDecoder decoder(limits());
  for (std::string_view piece : pieces) {
    decoder.feed(piece);
    for (;;) {
      auto next = decoder.next();
      if (!next.is_ok()) {
        out.failed = true;
        return out;
      }
      if (!*next) break;
      out.packets.push_back(std::move(**next));
    }
    FUZZ_CHECK(decoder.buffered() <= limits().max_packet_bytes + limits().max_snapshot_bytes + 64);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  Decoded whole = decode_all({in});
  Decoded split = decode_all(fuzz::chunks(in, data[0] * 2654435761u));
  FUZZ_CHECK(whole.failed == split.failed, "verdict depends on how the bytes arrive");
  FUZZ_CHECK(whole.packets == split.packets, "packets depend on how the bytes arrive");
  for (const quorum::QuorumPacket& p : whole.packets) {
    const std::string bytes = peer::encode_quorum_packet(p);
    // A sync encoded off the sender's thread is queued at this size before it is encoded.
    FUZZ_CHECK(peer::quorum_packet_size(p) == bytes.size(), "size of packet type %d is wrong",
               static_cast<int>(p.type));
    Decoded again = decode_all({bytes});
    FUZZ_CHECK(!again.failed && again.packets.size() == 1 && again.packets[0] == p,
               "packet type %d does not round-trip", static_cast<int>(p.type));
  }
  return 0;
}
