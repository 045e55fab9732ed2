#include "client/recipes/exclusive_lock.h"

namespace paddock::client::recipes {

ExclusiveLock::ExclusiveLock(Client& client, std::string dir)
    : core_(client, std::move(dir), "lock-", {"lock-"},
            [](const std::vector<std::string>& sorted, size_t mine) -> std::optional<std::string> {
              if (mine == 0) return std::nullopt;
              return sorted[mine - 1];
            }) {}

}  // namespace paddock::client::recipes
