#pragma once
// QuorumVerifier: which servers vote and which sets of them form a quorum. ZooKeeper 3.8's
// default is a majority of the participants (QuorumMaj); weighted and hierarchical quorums
// can come later behind the same interface. Observers are members that never vote.
#include <cstddef>
#include <set>

#include "quorum/messages.h"

namespace paddock::quorum {

class QuorumVerifier {
 public:
  virtual ~QuorumVerifier() = default;
  // Whether `sid` votes (a participant with nonzero weight).
  virtual bool is_voter(Sid sid) const = 0;
  virtual bool is_observer(Sid sid) const = 0;
  // Whether the voters in `acks` form a quorum (non-voters in the set are ignored).
  virtual bool contains_quorum(const std::set<Sid>& acks) const = 0;
  virtual const std::set<Sid>& voters() const = 0;
  virtual const std::set<Sid>& observers() const = 0;
};

// A strict majority of the participants, as ZooKeeper's QuorumMaj.
class MajorityQuorum final : public QuorumVerifier {
 public:
  MajorityQuorum(std::set<Sid> participants, std::set<Sid> observers);

  bool is_voter(Sid sid) const override { return participants_.count(sid) > 0; }
  bool is_observer(Sid sid) const override { return observers_.count(sid) > 0; }
  bool contains_quorum(const std::set<Sid>& acks) const override;
  const std::set<Sid>& voters() const override { return participants_; }
  const std::set<Sid>& observers() const override { return observers_; }

 private:
  std::set<Sid> participants_;
  std::set<Sid> observers_;
};

}  // namespace paddock::quorum
