#include "peer/quorum_payloads.h"

#include <fmt/format.h>

#include "proto/jute.h"

namespace paddock::peer {
namespace {

// ZooKeeper reads these payloads with ByteBuffer/DataInputStream: too few bytes fail, bytes
// past the fields are ignored.
Status need(const PacketData& data, size_t n, const char* what) {
  const size_t have = data ? data->size() : 0;
  if (!data) return Status::error(fmt::format("{}: null data, {} bytes needed", what, n));
  if (have < n) return Status::error(fmt::format("{}: {} bytes, {} needed", what, have, n));
  return Status::ok();
}

template <typename F>
std::string build(F&& write) {
  std::string out;
  proto::JuteWriter w(out);
  write(w);
  return out;
}

}  // namespace

std::string encode_learner_info(const LearnerInfo& info) {
  return build([&](proto::JuteWriter& w) {
    w.i64(info.sid);
    w.i32(info.protocol_version);
    w.i64(info.config_version.value_or(0));
  });
}

Result<LearnerInfo> decode_learner_info(const PacketData& data) {
  if (Status st = need(data, 8, "LearnerInfo"); !st) return st;
  proto::JuteReader r(*data);
  LearnerInfo info;
  info.sid = r.i64();
  info.protocol_version = 1;  // what ZooKeeper assumes for the 8-byte form
  if (data->size() >= 12) info.protocol_version = r.i32();
  if (data->size() >= 20) info.config_version = r.i64();
  return info;
}

std::string encode_int_payload(int32_t value) {
  return build([&](proto::JuteWriter& w) { w.i32(value); });
}

Result<int32_t> decode_leader_info(const PacketData& data) {
  if (Status st = need(data, 4, "LEADERINFO"); !st) return st;
  proto::JuteReader r(*data);
  return r.i32();
}

Result<int32_t> decode_ack_epoch(const PacketData& data) {
  if (Status st = need(data, 4, "ACKEPOCH"); !st) return st;
  proto::JuteReader r(*data);
  return r.i32();
}

std::string encode_revalidate_request(const RevalidateRequest& req) {
  return build([&](proto::JuteWriter& w) {
    w.i64(req.session_id);
    w.i32(req.timeout_ms);
  });
}

Result<RevalidateRequest> decode_revalidate_request(const PacketData& data) {
  if (Status st = need(data, 12, "REVALIDATE request"); !st) return st;
  proto::JuteReader r(*data);
  RevalidateRequest req;
  req.session_id = r.i64();
  req.timeout_ms = r.i32();
  return req;
}

std::string encode_revalidate_reply(const RevalidateReply& reply) {
  return build([&](proto::JuteWriter& w) {
    w.i64(reply.session_id);
    w.boolean(reply.valid);
  });
}

Result<RevalidateReply> decode_revalidate_reply(const PacketData& data) {
  if (Status st = need(data, 9, "REVALIDATE reply"); !st) return st;
  proto::JuteReader r(*data);
  RevalidateReply reply;
  reply.session_id = r.i64();
  reply.valid = r.boolean();
  return reply;
}

std::string encode_ping_touches(const std::vector<SessionTouch>& touches) {
  return build([&](proto::JuteWriter& w) {
    for (const SessionTouch& t : touches) {
      w.i64(t.session_id);
      w.i32(t.timeout_ms);
    }
  });
}

Result<std::vector<SessionTouch>> decode_ping_touches(const PacketData& data) {
  std::vector<SessionTouch> out;
  if (!data) return out;
  if (data->size() % 12 != 0) {
    return Status::error(fmt::format(
        "PING touches: {} bytes is not a whole number of 12-byte entries", data->size()));
  }
  proto::JuteReader r(*data);
  out.reserve(data->size() / 12);
  while (!r.at_end()) {
    SessionTouch t;
    t.session_id = r.i64();
    t.timeout_ms = r.i32();
    out.push_back(t);
  }
  return out;
}

std::string encode_forwarded_request(const ForwardedRequest& req) {
  return build([&](proto::JuteWriter& w) {
    w.i64(req.session_id);
    w.i32(req.cxid);
    w.i32(req.type);
    w.raw(req.record);
  });
}

Result<ForwardedRequest> decode_forwarded_request(const PacketData& data) {
  if (Status st = need(data, 16, "REQUEST"); !st) return st;
  proto::JuteReader r(*data);
  ForwardedRequest req;
  req.session_id = r.i64();
  req.cxid = r.i32();
  req.type = r.i32();
  req.record = std::string(r.rest());
  return req;
}

std::string encode_commit_and_activate(quorum::Sid designated_leader) {
  return build([&](proto::JuteWriter& w) { w.i64(designated_leader); });
}

Result<quorum::Sid> decode_commit_and_activate(const PacketData& data) {
  if (Status st = need(data, 8, "COMMITANDACTIVATE"); !st) return st;
  proto::JuteReader r(*data);
  return r.i64();
}

std::string encode_inform_and_activate(const InformAndActivate& inform) {
  return build([&](proto::JuteWriter& w) {
    w.i64(inform.designated_leader);
    w.raw(inform.txn);
  });
}

Result<InformAndActivate> decode_inform_and_activate(const PacketData& data) {
  if (Status st = need(data, 8, "INFORMANDACTIVATE"); !st) return st;
  proto::JuteReader r(*data);
  InformAndActivate inform;
  inform.designated_leader = r.i64();
  inform.txn = std::string(r.rest());
  return inform;
}

}  // namespace paddock::peer
