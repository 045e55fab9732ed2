#include "quorum/payloads.h"

#include "proto/jute.h"

namespace paddock::quorum {

std::string encode_learner_info(const LearnerInfo& info) {
  std::string out;
  proto::JuteWriter w(out);
  w.i64(info.sid);
  w.i32(info.protocol_version);
  w.i64(info.config_version);
  if (info.current_epoch) w.i64(*info.current_epoch);
  return out;
}

Result<LearnerInfo> decode_learner_info(std::string_view data) {
  // ZooKeeper accepts the pre-3.4 forms: sid only (8), sid + version (12); 28 is Paddock's.
  if (data.size() != 8 && data.size() != 12 && data.size() != 20 && data.size() != 28) {
    return Status::error("LearnerInfo: unexpected length " + std::to_string(data.size()));
  }
  proto::JuteReader r(data);
  LearnerInfo info;
  info.sid = r.i64();
  info.protocol_version = data.size() >= 12 ? r.i32() : 0;
  info.config_version = data.size() >= 20 ? r.i64() : 0;
  if (data.size() == 28) info.current_epoch = r.i64();
  if (!r.ok()) return Status::error("LearnerInfo: malformed");
  return info;
}

std::string encode_int(int32_t value) {
  std::string out;
  proto::JuteWriter(out).i32(value);
  return out;
}

Result<int32_t> decode_int(std::string_view data) {
  if (data.size() != 4)
    return Status::error("expected a 4-byte int, got " + std::to_string(data.size()));
  proto::JuteReader r(data);
  return r.i32();
}

std::string encode_touches(const std::vector<SessionTouch>& touches) {
  std::string out;
  proto::JuteWriter w(out);
  for (const auto& t : touches) {
    w.i64(t.session_id);
    w.i32(t.timeout_ms);
  }
  return out;
}

Result<std::vector<SessionTouch>> decode_touches(std::string_view data) {
  if (data.size() % 12 != 0) return Status::error("PING touches: length not a multiple of 12");
  proto::JuteReader r(data);
  std::vector<SessionTouch> out;
  while (!r.at_end()) {
    SessionTouch t;
    t.session_id = r.i64();
    t.timeout_ms = r.i32();
    out.push_back(t);
  }
  if (!r.ok()) return Status::error("PING touches: malformed");
  return out;
}

std::string encode_revalidate_query(int64_t session_id, int32_t timeout_ms) {
  std::string out;
  proto::JuteWriter w(out);
  w.i64(session_id);
  w.i32(timeout_ms);
  return out;
}

Result<SessionTouch> decode_revalidate_query(std::string_view data) {
  if (data.size() != 12) return Status::error("REVALIDATE query: expected 12 bytes");
  proto::JuteReader r(data);
  SessionTouch t;
  t.session_id = r.i64();
  t.timeout_ms = r.i32();
  return t;
}

std::string encode_revalidate_answer(int64_t session_id, bool valid) {
  std::string out;
  proto::JuteWriter w(out);
  w.i64(session_id);
  w.boolean(valid);
  return out;
}

Result<std::pair<int64_t, bool>> decode_revalidate_answer(std::string_view data) {
  if (data.size() != 9) return Status::error("REVALIDATE answer: expected 9 bytes");
  proto::JuteReader r(data);
  int64_t session = r.i64();
  bool valid = r.boolean();
  return std::make_pair(session, valid);
}

QuorumPacket encode_request(const ForwardedRequest& request) {
  std::string data;
  proto::JuteWriter w(data);
  w.i64(request.session_id);
  w.i32(request.cxid);
  w.i32(request.op);
  w.raw(request.body);
  return QuorumPacket{PacketType::kRequest, -1, std::move(data), request.authinfo};
}

Result<ForwardedRequest> decode_request(const QuorumPacket& packet) {
  if (!packet.data || packet.data->size() < 16) return Status::error("REQUEST: data too short");
  proto::JuteReader r(*packet.data);
  ForwardedRequest out;
  out.session_id = r.i64();
  out.cxid = r.i32();
  out.op = r.i32();
  out.body = std::string(r.rest());
  out.authinfo = packet.authinfo;
  return out;
}

Result<Zxid> txn_zxid(std::string_view txn_bytes) {
  if (txn_bytes.size() < 32) return Status::error("txn shorter than its 32-byte header");
  proto::JuteReader r(txn_bytes.substr(12, 8));
  return r.i64();
}

}  // namespace paddock::quorum
