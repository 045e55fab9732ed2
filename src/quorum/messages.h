#pragma once
// The messages servers of an ensemble exchange, as typed values. They mirror Apache
// ZooKeeper 3.8's peer wire formats one for one (../shared/ZK-FORMATS.md sections 1 and 2),
// so that the codecs in peer/ are a plain translation and a ZooKeeper server can be a member
// of a Paddock ensemble. The ZAB core (quorum/) consumes and produces only these values; it
// never sees bytes on a socket.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/zxid.h"
namespace paddock::quorum {

using Sid = int64_t;   // server id (myid)
using Zxid = int64_t;  // epoch << 32 | counter

using proto::make_zxid;
using proto::zxid_counter;
using proto::zxid_epoch;

// --- Election port --------------------------------------------------------------------------

// A server's state as carried in notifications (wire values).
enum class ServerState : int32_t { kLooking = 0, kFollowing = 1, kLeading = 2, kObserving = 3 };

// A fast-leader-election notification. The sender's sid is not in the message: it comes
// from the connection it arrived on.
struct Notification {
  ServerState state = ServerState::kLooking;
  Sid leader = 0;              // proposed leader
  Zxid zxid = 0;               // the proposed leader's last logged zxid
  int64_t election_epoch = 0;  // the sender's logical clock (round)
  int64_t peer_epoch = 0;      // the proposed leader's epoch
  int32_t version = 2;
  std::string config;  // ensemble config text (may be empty)
  friend bool operator==(const Notification&, const Notification&) = default;
};

// --- Quorum port ----------------------------------------------------------------------------

enum class PacketType : int32_t {
  kRequest = 1,
  kProposal = 2,
  kAck = 3,
  kCommit = 4,
  kPing = 5,
  kRevalidate = 6,
  kSync = 7,
  kInform = 8,
  kCommitAndActivate = 9,
  kNewLeader = 10,
  kFollowerInfo = 11,
  kUpToDate = 12,
  kDiff = 13,
  kTrunc = 14,
  kSnap = 15,
  kObserverInfo = 16,
  kLeaderInfo = 17,
  kAckEpoch = 18,
  kInformAndActivate = 19,
};

struct AuthId {
  std::string scheme;
  std::string id;
  friend bool operator==(const AuthId&, const AuthId&) = default;
};

// ZooKeeper's QuorumPacket {int type, long zxid, buffer data, vector<Id> authinfo}. Null and
// empty are different on the wire (length -1 vs 0) and are kept apart here.
//
// SNAP is the one packet whose value and wire form differ. Here a SNAP packet's `data` holds
// the snapshot stream body (ZK-FORMATS.md section 2 step 4 / section 5 items 2-5: sessions,
// ACL cache, nodes in pre-order, end marker "/"; peer/zk_snapshot_stream.h makes and loads
// it). On the wire ZooKeeper writes the SNAP packet with null data and the body right after
// it, followed by the jute string "BenWasHere"; the peer/ codec writes it so and, reading,
// parses the body's structure to find its end, checks the signature and hands the body back
// as `data`. So the core sends and receives a SNAP as one value and never sees the signature.
struct QuorumPacket {
  PacketType type = PacketType::kPing;
  Zxid zxid = 0;
  std::optional<std::string> data;              // nullopt = null buffer
  std::optional<std::vector<AuthId>> authinfo;  // nullopt = null vector
  friend bool operator==(const QuorumPacket&, const QuorumPacket&) = default;
};

// The quorum protocol version Paddock speaks (LearnerInfo, LEADERINFO).
constexpr int32_t kQuorumProtocolVersion = 0x10000;

}  // namespace paddock::quorum
