#pragma once
// The client protocol's framing, the one codec of the client side: the client library's
// session and `paddock bench`'s raw generator (src/bench/engine.h) both write and read frames
// with these. A frame is a 4-byte big-endian length and that many bytes. Requests are
// appended to an output buffer and encoded in place from proto's records (nothing is
// allocated once the buffer has its capacity); replies are split off an input buffer and read
// as views into it. No sockets here: each caller owns its own I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/types.h"

namespace paddock::client {

// Replaces the 4 placeholder bytes at `start` with the length of what follows them.
void patch_frame_length(std::string& out, size_t start);

// Appends one frame whose bytes `write_body(proto::JuteWriter&)` writes.
template <typename WriteBody>
void append_frame(std::string& out, WriteBody&& write_body) {
  const size_t start = out.size();
  out.append(4, '\0');
  proto::JuteWriter w(out);
  write_body(w);
  patch_frame_length(out, start);
}

// A request: RequestHeader{xid, op}, then `record` (a proto request record).
template <typename Record>
void append_request(std::string& out, int32_t xid, proto::OpCode op, const Record& record) {
  append_frame(out, [&](proto::JuteWriter& w) {
    write(w, proto::RequestHeader{xid, static_cast<int32_t>(op)});
    write(w, record);
  });
}
// A request without a record (ping, closeSession).
void append_request(std::string& out, int32_t xid, proto::OpCode op);
// A request whose record was encoded already (the client encodes a call when it is made and
// frames it when it is sent).
void append_encoded_request(std::string& out, int32_t xid, proto::OpCode op,
                            std::string_view body);
// The session handshake's first frame: a ConnectRequest, no header.
void append_connect(std::string& out, const proto::ConnectRequest& request);

// The length in the prefix of the frame at the start of `bytes`; nullopt while fewer than 4
// bytes are there. The caller bounds it (a peer may send any value).
std::optional<uint32_t> frame_length(std::string_view bytes);

// A reply frame (the bytes after its length prefix) seen without copying.
struct ReplyView {
  proto::ReplyHeader header;
  std::string_view body;  // the undecoded record after the header
};
// Reads the ReplyHeader; false if the frame is shorter than one.
bool parse_reply(std::string_view frame, ReplyView& out);

}  // namespace paddock::client
