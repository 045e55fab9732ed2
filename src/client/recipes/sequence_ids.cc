#include "client/recipes/sequence_ids.h"

#include "client/recipes/sequential_nodes.h"

namespace paddock::client::recipes {
SequenceIds::SequenceIds(Client& client, std::string dir) : client_(client), dir_(std::move(dir)) {}

Result<std::string> SequenceIds::unique_name(const std::string& prefix, const std::string& data) {
  auto made = protected_create(client_, dir_, prefix, data, CreateMode::kPersistentSequential,
                               deadline_after(kCallTimeout));
  if (!made) return made;
  // Drop the protected-mode mark from the name: keep a plain `<prefix>N` node as the record.
  const std::string full = made.value();
  const std::string name = full.substr(full.rfind('/') + 1);
  const std::string plain = join_path(dir_, name.substr(name.find('-') + 1));
  Transaction txn;
  txn.create(plain, data).remove(full);
  auto r = retry_on_loss(client_, deadline_after(kCallTimeout),
                         [&] { return client_.multi(txn).get(); });
  // NodeExists on a retry: the first attempt went through.
  if (r.ok() || r.code() == Err::kNodeExists) return plain;
  return Result<std::string>(r.code(), r.path());
}

Result<int64_t> SequenceIds::next_id() {
  auto made = protected_create(client_, dir_, "id-", std::string(),
                               CreateMode::kEphemeralSequential, deadline_after(kCallTimeout));
  if (!made) return Result<int64_t>(made.code(), made.path());
  retry_on_loss(client_, deadline_after(kCallTimeout),
                [&] { return client_.remove(made.value()).get(); });
  return sequence_of(made.value());
}

}  // namespace paddock::client::recipes
