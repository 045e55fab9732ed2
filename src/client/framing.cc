#include "client/framing.h"

namespace paddock::client {

void patch_frame_length(std::string& out, size_t start) {
  const auto len = static_cast<uint32_t>(out.size() - start - 4);
  for (int i = 0; i < 4; ++i) out[start + i] = static_cast<char>((len >> (24 - 8 * i)) & 0xff);
}

void append_request(std::string& out, int32_t xid, proto::OpCode op) {
  append_encoded_request(out, xid, op, {});
}

void append_encoded_request(std::string& out, int32_t xid, proto::OpCode op,
                            std::string_view body) {
  append_frame(out, [&](proto::JuteWriter& w) {
    write(w, proto::RequestHeader{xid, static_cast<int32_t>(op)});
    w.raw(body);
  });
}

void append_connect(std::string& out, const proto::ConnectRequest& request) {
  append_frame(out, [&](proto::JuteWriter& w) { write(w, request); });
}

std::optional<uint32_t> frame_length(std::string_view bytes) {
  if (bytes.size() < 4) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool parse_reply(std::string_view frame, ReplyView& out) {
  proto::JuteReader r(frame);
  read(r, out.header);
  out.body = r.rest();
  return r.ok();
}

}  // namespace paddock::client
