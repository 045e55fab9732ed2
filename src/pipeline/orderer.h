#pragma once
// Orderer: where a prepared txn gets its place in the one history and becomes committed.
// Standalone uses LocalOrderer (next zxid, durable in the local log = committed); the
// ensemble's leader will use a ZAB orderer (propose to the quorum, commit on a quorum of
// acks) behind the same interface, so the pipeline does not change when replication lands.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "proto/txn.h"
#include "proto/zxid.h"

namespace paddock::pipeline {

using proto::kMaxZxidCounter;
using proto::make_zxid;
using proto::zxid_counter;
using proto::zxid_epoch;

// A client write as a learner relays it to the leader (ZooKeeper's REQUEST packet): the
// leader preps it against its own tree, and the learner answers its client when the txn
// with this session and cxid commits.
struct ForwardedWrite {
  int64_t session_id = 0;
  int32_t cxid = 0;
  int32_t type = 0;             // the op code (createSession -10 carries int timeout)
  std::string body;             // the request record after the RequestHeader
  std::vector<proto::Id> auth;  // the client's ids (ip first)
  friend bool operator==(const ForwardedWrite&, const ForwardedWrite&) = default;
};

class Orderer {
 public:
  virtual ~Orderer() = default;
  // The zxid the next prepared txn gets. Called on the pipeline thread, once per txn.
  virtual int64_t allocate_zxid() = 0;
  // The last zxid allocated (the tree's last zxid plus txns in flight).
  virtual int64_t last_allocated_zxid() const = 0;
  // Hands over a prepared txn whose header.zxid came from allocate_zxid(), in zxid order.
  virtual void propose(proto::Txn txn) = 0;
  // Txns committed since the last call, in zxid order. Called on the pipeline thread after
  // the wake-up below fired.
  virtual std::vector<proto::Txn> take_committed() = 0;
  // Number of txns proposed and not yet taken as committed.
  virtual size_t in_flight() const = 0;
  // Set once by the pipeline: called from any thread when take_committed() has work.
  virtual void set_wakeup(std::function<void()> wakeup) = 0;

  // sync: whether a client's sync can be answered at once, in its connection's order. True
  // where every write is ordered here (standalone, an ensemble's leader). A learner must ask
  // the leader (request_sync); the answers then come as completed syncs, in request order,
  // after the wake-up fires -- once the txns committed before them have been taken.
  virtual bool syncs_immediately() const { return true; }
  // Whether writes are prepped here (standalone, leader) or relayed to the leader with
  // forward() (a learner, where allocate_zxid/propose are never called).
  virtual bool prepares_writes() const { return true; }
  virtual void forward(ForwardedWrite /*write*/) {}
  // A client's sync for the leader (type sync, the SyncRequest record as body).
  virtual void request_sync(ForwardedWrite /*sync*/) {}
  virtual size_t take_completed_syncs() { return 0; }
};

}  // namespace paddock::pipeline
