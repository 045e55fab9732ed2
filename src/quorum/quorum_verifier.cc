#include "quorum/quorum_verifier.h"

#include "util/assert.h"

namespace paddock::quorum {

MajorityQuorum::MajorityQuorum(std::set<Sid> participants, std::set<Sid> observers)
    : participants_(std::move(participants)), observers_(std::move(observers)) {
  for (Sid sid : observers_) PADDOCK_ASSERT(participants_.count(sid) == 0);
}

bool MajorityQuorum::contains_quorum(const std::set<Sid>& acks) const {
  size_t votes = 0;
  for (Sid sid : acks) votes += participants_.count(sid);
  return votes > participants_.size() / 2;
}

}  // namespace paddock::quorum
