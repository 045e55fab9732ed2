// The election port's byte stream (peer/election_codec.h): the connection initiation
// (protocol version, sid, address list, or a bare sid), then length-prefixed notifications.
//
// Invariants: the same initiation, messages and verdict whether the bytes come at once or in
// pieces; every notification re-encodes to a message that decodes to the same notification.
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "peer/election_codec.h"

namespace {

using namespace paddock;

struct Decoded {
  std::optional<peer::ConnectionInit> init;
  std::vector<std::string> messages;
  bool failed = false;
};

Decoded decode_all(const std::vector<std::string_view>& pieces) {
  Decoded out;
  peer::ElectionStreamDecoder decoder;
  for (std::string_view piece : pieces) {
    decoder.feed(piece);
    if (!out.init) {
      auto init = decoder.init();
      if (!init.is_ok()) {
        out.failed = true;
        return out;
      }
      if (!*init) continue;
      out.init = std::move(**init);
    }
    for (;;) {
      auto message = decoder.next_message();
      if (!message.is_ok()) {
        out.failed = true;
        return out;
      }
      if (!*message) break;
      FUZZ_CHECK((*message)->size() <= peer::kMaxElectionFrameBytes);
      out.messages.push_back(std::move(**message));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  Decoded whole = decode_all({in});
  Decoded split = decode_all(fuzz::chunks(in, data[0] * 2246822519u));
  FUZZ_CHECK(whole.failed == split.failed, "verdict depends on how the bytes arrive");
  FUZZ_CHECK(whole.init == split.init);
  FUZZ_CHECK(whole.messages == split.messages);
  for (const std::string& message : whole.messages) {
    auto n = peer::decode_notification(message);
    if (!n.is_ok() || !*n) continue;
    auto again = peer::decode_notification(peer::encode_notification(**n));
    FUZZ_CHECK(again.is_ok() && *again && **again == **n, "notification does not round-trip");
  }
  return 0;
}
