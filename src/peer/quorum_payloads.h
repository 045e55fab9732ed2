#pragma once
// The `data` of quorum packets (ZK-FORMATS.md section 2), as typed values, pure. Decoders
// take the packet's data as it came (nullopt = null buffer) and answer an error value for
// anything ZooKeeper would fail to read. PROPOSAL/INFORM data is txn bytes (proto/txn.h);
// NEWLEADER data is the config text; SNAP data is a snapshot body (zk_snapshot_stream.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::peer {

using PacketData = std::optional<std::string>;

// FOLLOWERINFO / OBSERVERINFO: long serverid, int protocolVersion, long configVersion (20 B).
// ZooKeeper also reads the 8-byte (sid only; protocol version then 1) and 12-byte forms.
struct LearnerInfo {
  quorum::Sid sid = 0;
  int32_t protocol_version = quorum::kQuorumProtocolVersion;
  std::optional<int64_t> config_version;  // absent in the shorter forms
  friend bool operator==(const LearnerInfo&, const LearnerInfo&) = default;
};
std::string encode_learner_info(const LearnerInfo& info);  // 20 B (config version 0 if absent)
Result<LearnerInfo> decode_learner_info(const PacketData& data);

// LEADERINFO: int protocol version (0x10000). ACKEPOCH: int currentEpoch, or -1.
std::string encode_int_payload(int32_t value);
Result<int32_t> decode_leader_info(const PacketData& data);
Result<int32_t> decode_ack_epoch(const PacketData& data);

// REVALIDATE, learner -> leader: long sessionId, int timeout (12 B).
struct RevalidateRequest {
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  friend bool operator==(const RevalidateRequest&, const RevalidateRequest&) = default;
};
std::string encode_revalidate_request(const RevalidateRequest& r);
Result<RevalidateRequest> decode_revalidate_request(const PacketData& data);

// REVALIDATE, leader -> learner: long sessionId, bool valid (9 B).
struct RevalidateReply {
  int64_t session_id = 0;
  bool valid = false;
  friend bool operator==(const RevalidateReply&, const RevalidateReply&) = default;
};
std::string encode_revalidate_reply(const RevalidateReply& r);
Result<RevalidateReply> decode_revalidate_reply(const PacketData& data);

// A learner's PING reply: (long sessionId, int timeout) for each session it served since the
// last ping; zero bytes if none. The leader's PING has null data, which reads as none.
struct SessionTouch {
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  friend bool operator==(const SessionTouch&, const SessionTouch&) = default;
};
std::string encode_ping_touches(const std::vector<SessionTouch>& touches);
Result<std::vector<SessionTouch>> decode_ping_touches(const PacketData& data);

// REQUEST: long sessionId, int cxid, int type, then the request record's raw bytes (to the
// end of the data; createSession: int timeout; closeSession: empty).
struct ForwardedRequest {
  int64_t session_id = 0;
  int32_t cxid = 0;
  int32_t type = 0;  // a proto::OpCode value
  std::string record;
  friend bool operator==(const ForwardedRequest&, const ForwardedRequest&) = default;
};
std::string encode_forwarded_request(const ForwardedRequest& r);
Result<ForwardedRequest> decode_forwarded_request(const PacketData& data);

// COMMITANDACTIVATE: long designated leader sid.
std::string encode_commit_and_activate(quorum::Sid designated_leader);
Result<quorum::Sid> decode_commit_and_activate(const PacketData& data);

// INFORMANDACTIVATE: long designated leader sid, then the txn bytes.
struct InformAndActivate {
  quorum::Sid designated_leader = 0;
  std::string txn;
  friend bool operator==(const InformAndActivate&, const InformAndActivate&) = default;
};
std::string encode_inform_and_activate(const InformAndActivate& r);
Result<InformAndActivate> decode_inform_and_activate(const PacketData& data);

}  // namespace paddock::peer
