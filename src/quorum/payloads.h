#pragma once
// The data fields of quorum packets (ZK-FORMATS.md section 2), as small values with their
// jute encodings. The core builds and reads these; the transport never looks inside.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quorum/messages.h"
#include "util/result.h"

namespace paddock::quorum {

// FOLLOWERINFO / OBSERVERINFO data (20 bytes; the 8- and 12-byte legacy forms are read too).
struct LearnerInfo {
  Sid sid = 0;
  int32_t protocol_version = kQuorumProtocolVersion;
  int64_t config_version = 0;
  // Paddock's extension, 8 bytes after the 20 ZooKeeper defines (its leader reads the first 20
  // and ignores the rest): the learner's currentEpoch, which ACKEPOCH does not carry when the
  // learner re-acks an epoch it already accepted. The leader needs it to know whether a TRUNC
  // can be carried out (quorum_peer_sync.cc).
  std::optional<int64_t> current_epoch;
  friend bool operator==(const LearnerInfo&, const LearnerInfo&) = default;
};
std::string encode_learner_info(const LearnerInfo& info);
Result<LearnerInfo> decode_learner_info(std::string_view data);

// LEADERINFO data (the protocol version) and ACKEPOCH data (currentEpoch or -1): one int.
std::string encode_int(int32_t value);
Result<int32_t> decode_int(std::string_view data);

// A session touched by a learner's client, relayed in its PING reply.
struct SessionTouch {
  int64_t session_id = 0;
  int32_t timeout_ms = 0;
  friend bool operator==(const SessionTouch&, const SessionTouch&) = default;
};
std::string encode_touches(const std::vector<SessionTouch>& touches);
Result<std::vector<SessionTouch>> decode_touches(std::string_view data);

// REVALIDATE: the learner asks (session, timeout); the leader answers (session, valid).
std::string encode_revalidate_query(int64_t session_id, int32_t timeout_ms);
Result<SessionTouch> decode_revalidate_query(std::string_view data);
std::string encode_revalidate_answer(int64_t session_id, bool valid);
Result<std::pair<int64_t, bool>> decode_revalidate_answer(std::string_view data);

// REQUEST data: long sessionId, int cxid, int opType, then the raw request record.
struct ForwardedRequest {
  int64_t session_id = 0;
  int32_t cxid = 0;
  int32_t op = 0;
  std::string body;
  std::optional<std::vector<AuthId>> authinfo;  // the client's ids; null for session ops
  friend bool operator==(const ForwardedRequest&, const ForwardedRequest&) = default;
};
QuorumPacket encode_request(const ForwardedRequest& request);
Result<ForwardedRequest> decode_request(const QuorumPacket& packet);

// The zxid in a txn's header (bytes 12..19), without decoding the rest.
Result<Zxid> txn_zxid(std::string_view txn_bytes);

}  // namespace paddock::quorum
