#pragma once
// MemberSessions: the session authority of an ensemble member. Sessions are global (created
// and closed by txns every server applies); who decides that one is alive depends on the
// role, as in ZooKeeper:
// - leader: its own tick buckets (LeaderSessionTracker). Its clients' requests touch them;
//   learners relay theirs in PING replies (touched_by_learner); a learner's client that
//   resumes a session there is answered from them (alive).
// - learner: nothing expires here. A request on a session is relayed to the leader with the
//   next ping (QuorumPeer::touch); a session resumed here asks the leader (REVALIDATE) and
//   the answer (revalidated) completes the resume.
// - between leaders: nothing is decided; no client is attached.
// State-owning thread only.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "pipeline/session_authority.h"
#include "quorum/quorum_peer.h"
#include "state/session_tracker.h"

namespace paddock::ensemble {

class MemberSessions final : public pipeline::SessionAuthority {
 public:
  enum class Mode { kNone, kLeader, kLearner };

  explicit MemberSessions(int32_t tick_ms);

  // The core learner touches and revalidations go to; set once it exists.
  void set_core(quorum::QuorumPeer* core) { core_ = core; }
  // A role change. Leaving a mode forgets its liveness (the next leader starts every
  // session's timeout afresh, as ZooKeeper's does) and answers pending resumes "expired".
  void set_mode(Mode mode);
  Mode mode() const { return mode_; }

  // Leader: a session a learner's client used (PING reply).
  void touched_by_learner(int64_t session_id, int64_t now_ms);
  // Leader: whether a session that moved to a learner lives (REVALIDATE).
  bool alive(int64_t session_id, int64_t now_ms);
  // Learner: the leader's answer to a REVALIDATE.
  void revalidated(int64_t session_id, bool valid);

  // SessionAuthority
  void session_added(int64_t session_id, int32_t timeout_ms, int64_t now_ms) override;
  void session_removed(int64_t session_id) override;
  bool touch(int64_t session_id, int64_t now_ms) override;
  void revalidate(int64_t session_id, int32_t timeout_ms, int64_t now_ms,
                  std::function<void(bool alive)> done) override;
  std::vector<int64_t> expire(int64_t now_ms) override;
  void revive(int64_t session_id, int32_t timeout_ms, int64_t now_ms) override;

  size_t tracked() const { return tracker_ ? tracker_->size() : 0; }

 private:
  int32_t tick_ms_;
  Mode mode_ = Mode::kNone;
  quorum::QuorumPeer* core_ = nullptr;
  std::unique_ptr<state::SessionTracker> tracker_;  // leader only
  std::map<int64_t, int32_t> timeouts_;             // learner: sessions known, to touch
  std::map<int64_t, std::vector<std::function<void(bool)>>> resuming_;  // learner
};

}  // namespace paddock::ensemble
