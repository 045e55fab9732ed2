#include "client/recipes/shared_counter.h"

#include <charconv>

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
namespace {

std::optional<int64_t> parse(const NodeData& data) {
  if (!data || data->empty()) return 0;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(data->data(), data->data() + data->size(), v);
  if (ec != std::errc() || end != data->data() + data->size()) return std::nullopt;
  return v;
}

}  // namespace

SharedCounter::SharedCounter(Client& client, std::string path, int64_t initial)
    : client_(client), path_(std::move(path)), initial_(initial) {}

Result<Empty> SharedCounter::ensure_node() {
  const Deadline deadline = deadline_after(kCallTimeout);
  const std::string parent = path_.substr(0, path_.rfind('/'));
  if (auto made = ensure_path(client_, parent, deadline); !made.ok()) return made;
  auto r = retry_on_loss(client_, deadline,
                         [&] { return client_.create(path_, std::to_string(initial_)).get(); });
  if (r.ok() || r.code() == Err::kNodeExists) return Empty{};
  return Result<Empty>(r.code(), r.path());
}

Result<SharedCounter::Versioned> SharedCounter::get() {
  const Deadline deadline = deadline_after(kCallTimeout);
  auto d = retry_on_loss(client_, deadline, [&] { return client_.get_data(path_).get(); });
  if (d.code() == Err::kNoNode) {
    if (auto made = ensure_node(); !made.ok()) return Result<Versioned>(made.code(), made.path());
    d = retry_on_loss(client_, deadline, [&] { return client_.get_data(path_).get(); });
  }
  if (!d) return Result<Versioned>(d.code(), d.path());
  auto v = parse(d.value().data);
  if (!v) return Result<Versioned>(Err::kBadArguments, path_);  // not a counter
  return Versioned{*v, d.value().stat.version};
}

Result<bool> SharedCounter::compare_and_set(int32_t version, int64_t value) {
  auto r = client_.set_data(path_, std::to_string(value), version).get();
  if (r.ok()) return true;
  if (r.code() == Err::kBadVersion) return false;
  return Result<bool>(r.code(), r.path());
}

Result<int64_t> SharedCounter::add(int64_t delta) {
  while (true) {
    auto now = get();
    if (!now) return Result<int64_t>(now.code(), now.path());
    const int64_t next = now.value().value + delta;
    auto set = compare_and_set(now.value().version, next);
    if (!set) return Result<int64_t>(set.code(), set.path());
    if (set.value()) return next;
    ++conflicts_;
  }
}

}  // namespace paddock::client::recipes
