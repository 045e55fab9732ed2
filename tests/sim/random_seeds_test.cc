// Random seeds, in shards so that ctest can run them in parallel, and the regression list.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/sim_cluster.h"

namespace paddock::sim {
namespace {

constexpr int kSteps = 2000;
constexpr uint64_t kSeedsPerShard = 250;
// How many of its seeds a shard runs: all of them, except in the ASan+UBSan tree (a Debug
// build, where one seed costs about 50 times as much). There each shard runs its first
// seeds only, a subset of what the normal build runs in the same `make test`: ASan is there
// to catch memory errors on the paths the seeds take, not to search more schedules.
#ifdef PADDOCK_SIM_SEEDS_RUN_PER_SHARD
constexpr uint64_t kSeedsRunPerShard = PADDOCK_SIM_SEEDS_RUN_PER_SHARD;
#else
constexpr uint64_t kSeedsRunPerShard = kSeedsPerShard;
#endif
static_assert(kSeedsRunPerShard <= kSeedsPerShard);

class RandomSeeds : public ::testing::TestWithParam<int> {};

TEST_P(RandomSeeds, EveryInvariantHolds) {
  uint64_t from = 1 + static_cast<uint64_t>(GetParam()) * kSeedsPerShard;
  for (uint64_t seed = from; seed < from + kSeedsRunPerShard; ++seed) {
    auto failure = run_seed(seed, kSteps, false);
    if (!failure) continue;
    std::string trace;
    run_seed(seed, kSteps, true, &trace);
    size_t keep = trace.size() > 20000 ? trace.size() - 20000 : 0;
    FAIL() << *failure << "\nreplay: paddock_sim --seeds 1 --from " << seed << " --steps " << kSteps
           << "\n...\n"
           << trace.substr(keep);
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, RandomSeeds, ::testing::Range(0, 16));

TEST(RegressionSeeds, EachStillPasses) {
  std::ifstream in(PADDOCK_SIM_SEEDS_FILE);
  ASSERT_TRUE(in) << PADDOCK_SIM_SEEDS_FILE;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    uint64_t seed = 0;
    int steps = kSteps;
    fields >> seed >> steps;
    // Options as the seed had them when it failed: "commit_log=N".
    std::optional<size_t> commit_log;
    for (std::string option; fields >> option && option[0] != '#';) {
      ASSERT_TRUE(option.starts_with("commit_log=")) << "unknown option in: " << line;
      commit_log = std::stoul(option.substr(11));
    }
    auto failure = run_seed(seed, steps, false, nullptr, commit_log);
    EXPECT_FALSE(failure) << *failure;
  }
}

TEST(Replay, SameSeedSameTrace) {
  std::string a, b;
  run_seed(4242, 600, true, &a);
  run_seed(4242, 600, true, &b);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace paddock::sim
