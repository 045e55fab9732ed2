#include "bench/op_mix.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <random>

namespace paddock::bench {
namespace {

constexpr std::array<const char*, kOpKindCount> kNames = {
    "get",   "set",  "exists", "children", "create", "delete", "ephemeral",
    "multi", "fill", "watch",  "setup",    "ping",   "close"};

// A schedule longer than this would only come from odd weights; refuse it.
constexpr uint64_t kMaxSchedule = 1000000;

Result<std::pair<OpKind, uint32_t>> parse_item(std::string_view item) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos) {
    return Status::error("mix item '" + std::string(item) + "' is not name=weight");
  }
  std::string_view name = item.substr(0, eq);
  std::string_view number = item.substr(eq + 1);
  uint32_t weight = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
  if (ec != std::errc() || end != number.data() + number.size() || number.empty()) {
    return Status::error("mix weight '" + std::string(number) + "' is not a whole number");
  }
  for (size_t k = 0; k < kMixKindCount; ++k) {
    if (name == kNames[k]) return std::pair{static_cast<OpKind>(k), weight};
  }
  return Status::error("unknown op '" + std::string(name) +
                       "' in mix (get, set, exists, children, create, delete, ephemeral, multi)");
}

}  // namespace

const char* op_kind_name(OpKind kind) { return kNames[static_cast<size_t>(kind)]; }

Result<OpMix> OpMix::parse(std::string_view text) {
  OpMix mix;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    auto parsed = parse_item(item);
    if (!parsed) return parsed.status();
    mix.weights_[static_cast<size_t>(parsed->first)] += parsed->second;
  }
  uint64_t divisor = 0;
  uint64_t total = 0;
  for (uint32_t w : mix.weights_) {
    divisor = std::gcd(divisor, uint64_t{w});
    total += w;
  }
  if (total == 0) return Status::error("the mix has no op with a positive weight");
  if (total / divisor > kMaxSchedule) return Status::error("mix weights are too fine-grained");
  for (size_t k = 0; k < kMixKindCount; ++k) {
    mix.schedule_.insert(mix.schedule_.end(), mix.weights_[k] / divisor, static_cast<OpKind>(k));
  }
  // A fixed shuffle spreads each kind over the schedule (writes do not come in one burst)
  // and keeps runs reproducible.
  std::mt19937 rng(12345);
  std::shuffle(mix.schedule_.begin(), mix.schedule_.end(), rng);
  return mix;
}

bool OpMix::has_writes() const {
  for (size_t k = 0; k < kMixKindCount; ++k) {
    auto kind = static_cast<OpKind>(k);
    bool read = kind == OpKind::kGet || kind == OpKind::kExists || kind == OpKind::kChildren;
    if (!read && weights_[k] > 0) return true;
  }
  return false;
}

std::string OpMix::to_string() const {
  std::string out;
  for (size_t k = 0; k < kMixKindCount; ++k) {
    if (weights_[k] == 0) continue;
    if (!out.empty()) out += ',';
    out += kNames[k];
    out += '=';
    out += std::to_string(weights_[k]);
  }
  return out;
}

}  // namespace paddock::bench
