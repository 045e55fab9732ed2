#pragma once
// Building the frames the pipeline sends: a 4-byte length, then the reply header and body.
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/types.h"

namespace paddock::pipeline {

inline std::string reply_frame(int32_t xid, int64_t zxid, proto::Err err, std::string_view body) {
  constexpr size_t kHeaderBytes = 16;  // xid, zxid, err
  std::string out;
  out.reserve(4 + kHeaderBytes + body.size());
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(kHeaderBytes + body.size()));
  w.i32(xid);
  w.i64(zxid);
  w.i32(static_cast<int32_t>(err));
  w.raw(body);
  return out;
}

inline std::string notification_frame(proto::EventType type, proto::KeeperState state,
                                       const std::string& path) {
  proto::WatcherEvent event;
  event.type = static_cast<int32_t>(type);
  event.state = static_cast<int32_t>(state);
  event.path = path;
  return reply_frame(proto::xid::kNotification, -1, proto::Err::kOk, proto::encode(event));
}

// A record sent without a reply header (the ConnectResponse), with its length prefix.
template <typename T>
std::string bare_frame(const T& record) {
  std::string body = proto::encode(record);
  std::string out;
  out.reserve(4 + body.size());
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(body.size()));
  w.raw(body);
  return out;
}

}  // namespace paddock::pipeline
