#include "ensemble/member_sessions.h"

#include <spdlog/spdlog.h>

namespace paddock::ensemble {

MemberSessions::MemberSessions(int32_t tick_ms) : tick_ms_(tick_ms) {}

void MemberSessions::set_mode(Mode mode) {
  if (mode == mode_) return;
  mode_ = mode;
  tracker_.reset();
  timeouts_.clear();  // the pipeline registers the tree's sessions again when serving starts
  if (mode == Mode::kLeader) tracker_ = std::make_unique<state::SessionTracker>(tick_ms_);
  // Resumes waiting for a leader that is gone: their connections are closed anyway.
  auto waiting = std::move(resuming_);
  resuming_.clear();
  for (auto& [id, callbacks] : waiting) {
    for (auto& done : callbacks) done(false);
  }
}

void MemberSessions::session_added(int64_t session_id, int32_t timeout_ms, int64_t now_ms) {
  timeouts_[session_id] = timeout_ms;
  if (tracker_) tracker_->add(session_id, timeout_ms, now_ms);
}

void MemberSessions::session_removed(int64_t session_id) {
  timeouts_.erase(session_id);
  if (tracker_) tracker_->remove(session_id);
}

bool MemberSessions::touch(int64_t session_id, int64_t now_ms) {
  switch (mode_) {
    case Mode::kLeader:
      return tracker_->touch(session_id, now_ms);
    case Mode::kLearner: {
      auto it = timeouts_.find(session_id);
      if (it == timeouts_.end()) return false;
      if (core_ != nullptr) core_->touch(session_id, it->second);
      return true;
    }
    case Mode::kNone:
      break;
  }
  return false;
}

void MemberSessions::revalidate(int64_t session_id, int32_t timeout_ms, int64_t now_ms,
                                std::function<void(bool)> done) {
  if (mode_ == Mode::kLeader) {
    done(tracker_->touch(session_id, now_ms));
    return;
  }
  if (mode_ != Mode::kLearner || core_ == nullptr) {
    done(false);
    return;
  }
  if (Status s = core_->revalidate(session_id, timeout_ms); !s) {
    spdlog::info("event=revalidate_not_sent session=0x{:x} {}", session_id, s.message());
    done(false);
    return;
  }
  resuming_[session_id].push_back(std::move(done));
}

void MemberSessions::revalidated(int64_t session_id, bool valid) {
  auto it = resuming_.find(session_id);
  if (it == resuming_.end()) return;
  std::vector<std::function<void(bool)>> callbacks = std::move(it->second);
  resuming_.erase(it);
  for (auto& done : callbacks) done(valid);
}

void MemberSessions::touched_by_learner(int64_t session_id, int64_t now_ms) {
  if (tracker_) tracker_->touch(session_id, now_ms);
}

bool MemberSessions::alive(int64_t session_id, int64_t now_ms) {
  return tracker_ != nullptr && tracker_->touch(session_id, now_ms);
}

std::vector<int64_t> MemberSessions::expire(int64_t now_ms) {
  if (!tracker_) return {};
  return tracker_->expire(now_ms);
}

void MemberSessions::revive(int64_t session_id, int32_t timeout_ms, int64_t now_ms) {
  if (!tracker_) return;
  if (tracker_->contains(session_id) && !tracker_->is_closing(session_id)) return;
  tracker_->remove(session_id);
  tracker_->add(session_id, timeout_ms, now_ms);
}

}  // namespace paddock::ensemble
