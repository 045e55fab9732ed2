#pragma once
// The election port's bytes (ZK-FORMATS.md section 1), pure: no I/O.
//   dialer -> acceptor, once, unframed: the connection initiation
//     {long protocolVersion = -65536, long sid, int length 1..2048, address bytes}
//     (a first long >= 0 is a bare sid, as pre-3.5 servers send)
//   then both ways: frames {int length 1..524288, message}, each message a Notification.
// Decoders never trust a length and report bad input as an error value.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::peer {

inline constexpr int64_t kElectionProtocolV1 = -65536;  // 0xFFFFFFFFFFFF0000
// Only with multiAddress.enabled: the address field holds addresses joined by '|'.
inline constexpr int64_t kElectionProtocolV2 = -65535;
inline constexpr size_t kMaxInitAddressBytes = 2048;
inline constexpr size_t kMaxElectionFrameBytes = 524288;  // ZooKeeper's PACKETMAXSIZE
// The size of a notification's fixed part, and the legacy sizes ZooKeeper still accepts.
inline constexpr size_t kNotificationFixedBytes = 44;
inline constexpr size_t kNotificationNoPeerEpochBytes = 28;
inline constexpr size_t kNotificationNoVersionBytes = 40;

struct ConnectionInit {
  int64_t protocol_version = kElectionProtocolV1;  // or the sid itself for a bare-sid init
  quorum::Sid sid = 0;
  std::vector<std::string> addresses;  // "host:port"; empty for a bare sid
  friend bool operator==(const ConnectionInit&, const ConnectionInit&) = default;
};

// The V1 initiation a dialer sends: protocol version, its sid, its own election address.
std::string encode_connection_init(quorum::Sid sid, std::string_view address);

// Reads an initiation from the start of `bytes`. nullopt: more bytes are needed; an error:
// the acceptor must close (unknown protocol version, address length outside 1..2048, an
// address not in host:port form). `*consumed` gets the initiation's size.
Result<std::optional<ConnectionInit>> decode_connection_init(std::string_view bytes,
                                                             size_t* consumed);

// A notification message (no frame length), 44 + config bytes.
std::string encode_notification(const quorum::Notification& n);
// The same inside a frame: int length, then the message.
std::string encode_notification_frame(const quorum::Notification& n);

// Decodes one message as ZooKeeper's receiver does: nullopt for a message it drops without
// complaint (shorter than 28 bytes, or a state other than 0..3); 28 bytes: no peer epoch
// (taken from zxid >> 32), version 0; 40 bytes: no version (0); config read only when
// version > 1. An error for a partial or malformed message (ZooKeeper skips those too).
Result<std::optional<quorum::Notification>> decode_notification(std::string_view message);

// Cuts a byte stream into election frames. Feed bytes as they arrive, then pull messages
// until none is complete. A frame length outside 1..524288 is an error for good: ZooKeeper
// closes the connection on it.
class ElectionFrameDecoder {
 public:
  void feed(std::string_view bytes);
  // The next complete message (frame payload), nullopt if none is complete yet.
  Result<std::optional<std::string>> next();
  size_t buffered() const { return buffer_.size() - consumed_; }
  // Hands back the bytes fed but not returned as messages, and forgets them.
  std::string take_buffered();

 private:
  std::string buffer_;
  size_t consumed_ = 0;
  std::string error_;  // sticky once set
};

// The acceptor's side of a fresh connection: first the initiation, then frames.
class ElectionStreamDecoder {
 public:
  void feed(std::string_view bytes);
  // The initiation once it has arrived (nullopt until then); an error ends the connection.
  Result<std::optional<ConnectionInit>> init();
  // After init(): the next complete message of the frame stream.
  Result<std::optional<std::string>> next_message();
  // After init(): the bytes that followed the initiation and are not messages yet, taken
  // out (quorum SASL reads its packets from them; what it does not use is fed back).
  std::string take_buffered() { return frames_.take_buffered(); }

 private:
  std::string pending_;  // bytes before the initiation is complete
  std::optional<ConnectionInit> init_;
  ElectionFrameDecoder frames_;
};

}  // namespace paddock::peer
