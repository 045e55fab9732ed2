#pragma once
// The operations a load run issues, and the mix that says how often each one comes up.
// A mix is parsed from "get=90,set=10" and turned into a fixed, shuffled schedule that each
// connection walks from its own offset: choosing the next op is one array read, and the
// proportions hold exactly over every full schedule.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace paddock::bench {

enum class OpKind : uint8_t {
  kGet,        // getData of a key
  kSet,        // setData of a key (payload bytes, any version)
  kExists,     // exists of a key
  kChildren,   // getChildren of the bench root (a handful of children)
  kCreate,     // create PERSISTENT_SEQUENTIAL under <root>/seq
  kDelete,     // delete a node this connection created (a create when it has none)
  kEphemeral,  // create EPHEMERAL_SEQUENTIAL under <root>/eph
  kMulti,      // multi of two setData ops on neighbouring keys
  kFill,       // create PERSISTENT_SEQUENTIAL under <root>/fill (memory fill mode)
  kWatch,      // getData with a watch (watch fan-out mode)
  kSetup,      // creates of the bench's own nodes before a run
  kPing,       // keeps idle sessions alive; not counted
  kClose,      // closeSession at the end; not counted
};
constexpr size_t kOpKindCount = 13;
// The kinds a --mix may name (the others are driven by the modes).
constexpr size_t kMixKindCount = 8;

const char* op_kind_name(OpKind kind);

class OpMix {
 public:
  // Parses "get=90,set=10" (names: get, set, exists, children, create, delete, ephemeral,
  // multi; weights are non-negative integers, at least one positive).
  static Result<OpMix> parse(std::string_view text);

  // The op at position `i` of the schedule (wraps around).
  OpKind at(uint64_t i) const { return schedule_[i % schedule_.size()]; }
  size_t schedule_size() const { return schedule_.size(); }
  uint32_t weight(OpKind kind) const { return weights_[static_cast<size_t>(kind)]; }
  bool has_writes() const;
  // Canonical text, e.g. "get=90,set=10".
  std::string to_string() const;

 private:
  std::array<uint32_t, kMixKindCount> weights_{};
  std::vector<OpKind> schedule_;
};

}  // namespace paddock::bench
