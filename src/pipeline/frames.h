#pragma once
// Building the frames the pipeline sends: a 4-byte length, then the reply header and body.
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/types.h"

namespace paddock::pipeline {

// Appends a reply frame to `out` (the pipeline encodes straight into its outbound batch).
inline void append_reply_frame(std::string& out, int32_t xid, int64_t zxid, proto::Err err,
                               std::string_view body) {
  constexpr size_t kHeaderBytes = 16;  // xid, zxid, err
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(kHeaderBytes + body.size()));
  w.i32(xid);
  w.i64(zxid);
  w.i32(static_cast<int32_t>(err));
  w.raw(body);
}

inline std::string reply_frame(int32_t xid, int64_t zxid, proto::Err err, std::string_view body) {
  std::string out;
  out.reserve(4 + 16 + body.size());
  append_reply_frame(out, xid, zxid, err, body);
  return out;
}

// Appends a watch event frame: a reply with the notification xid, zxid -1 and a WatcherEvent.
inline void append_notification_frame(std::string& out, proto::EventType type,
                                      proto::KeeperState state, std::string_view path) {
  constexpr size_t kHeaderBytes = 16;
  constexpr size_t kEventFixedBytes = 12;  // type, state, path length
  proto::JuteWriter w(out);
  w.i32(static_cast<int32_t>(kHeaderBytes + kEventFixedBytes + path.size()));
  w.i32(proto::xid::kNotification);
  w.i64(-1);
  w.i32(static_cast<int32_t>(proto::Err::kOk));
  w.i32(static_cast<int32_t>(type));
  w.i32(static_cast<int32_t>(state));
  w.string(path);
}

inline std::string notification_frame(proto::EventType type, proto::KeeperState state,
                                      const std::string& path) {
  std::string out;
  append_notification_frame(out, type, state, path);
  return out;
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
