#include "util/rate_limited_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <thread>

namespace paddock::util {
namespace {

using Suppressed = PeerLogLimiter::Suppressed;

PeerLogLimits limits(uint32_t lines, int64_t interval_ms, size_t max_peers = 100) {
  return PeerLogLimits{lines, interval_ms, max_peers};
}

TEST(PeerLogLimiter, LogsAtMostNLinesPerPeerPerInterval) {
  PeerLogLimiter limiter(limits(3, 1000));
  int logged = 0;
  for (int i = 0; i < 100; ++i) logged += limiter.admit("10.0.0.1", 5000 + i).log ? 1 : 0;
  EXPECT_EQ(logged, 3);
}

TEST(PeerLogLimiter, ReportsTheSuppressedCountOnceTheIntervalIsOver) {
  PeerLogLimiter limiter(limits(2, 1000));
  for (int i = 0; i < 10; ++i) limiter.admit("10.0.0.1", 5000);
  PeerLogLimiter::Verdict next = limiter.admit("10.0.0.1", 6000);
  EXPECT_TRUE(next.log);
  EXPECT_EQ(next.reports, (std::vector<Suppressed>{{"10.0.0.1", 8}}));
  // Reported once: the next interval starts from zero.
  EXPECT_TRUE(limiter.admit("10.0.0.1", 6001).log);
  EXPECT_TRUE(limiter.admit("10.0.0.1", 7001).reports.empty());
}

TEST(PeerLogLimiter, PeersHaveSeparateBudgets) {
  PeerLogLimiter limiter(limits(1, 1000));
  EXPECT_TRUE(limiter.admit("10.0.0.1", 0).log);
  EXPECT_FALSE(limiter.admit("10.0.0.1", 1).log);
  EXPECT_TRUE(limiter.admit("10.0.0.2", 2).log);
  EXPECT_FALSE(limiter.admit("10.0.0.2", 3).log);
}

TEST(PeerLogLimiter, ASilentPeersCountIsReportedWithAnotherPeersLine) {
  PeerLogLimiter limiter(limits(1, 1000));
  limiter.admit("10.0.0.1", 0);
  limiter.admit("10.0.0.1", 1);
  limiter.admit("10.0.0.1", 2);
  PeerLogLimiter::Verdict other = limiter.admit("10.0.0.9", 1500);
  EXPECT_TRUE(other.log);
  EXPECT_EQ(other.reports, (std::vector<Suppressed>{{"10.0.0.1", 2}}));
  EXPECT_EQ(limiter.peers(), 1u);  // the idle peer was forgotten
}

TEST(PeerLogLimiter, SweepReportsAndForgetsFinishedIntervals) {
  PeerLogLimiter limiter(limits(1, 1000));
  limiter.admit("a", 0);
  limiter.admit("a", 1);
  limiter.admit("b", 500);
  EXPECT_EQ(limiter.sweep(1200), (std::vector<Suppressed>{{"a", 1}}));
  EXPECT_EQ(limiter.peers(), 1u);  // b's interval is not over yet
  EXPECT_TRUE(limiter.sweep(1600).empty());
  EXPECT_EQ(limiter.peers(), 0u);
}

TEST(PeerLogLimiter, TheTableIsBoundedAndNewPeersShareOneEntryBeyondIt) {
  PeerLogLimiter limiter(limits(2, 1000, /*max_peers=*/4));
  int logged = 0;
  for (int i = 0; i < 1000; ++i) {
    logged += limiter.admit("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), 10)
                      .log
                  ? 1
                  : 0;
  }
  EXPECT_LE(limiter.peers(), 5u);     // 4 peers and the shared entry
  EXPECT_EQ(logged, 4 + 2);  // one line from each tracked peer, the shared entry's budget
  auto reports = limiter.sweep(2000);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].peer, PeerLogLimiter::kOverflowPeer);
  EXPECT_EQ(reports[0].count, 1000u - 4 - 2);
}

TEST(PeerLogLimiter, CountsEveryLineFromManyThreads) {
  PeerLogLimiter limiter(limits(5, 1'000'000));
  std::atomic<int> logged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) logged += limiter.admit("10.0.0.1", 1).log ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(logged.load(), 5);
  EXPECT_EQ(limiter.sweep(2'000'000), (std::vector<Suppressed>{{"10.0.0.1", 3995}}));
}

TEST(RateLimitedLog, WritesTheAllowedLinesThenOneSuppressedCountLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("rate_limited_log_test", sink);
  logger->set_pattern("%v");
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);

  RateLimitedLog log(limits(2, 1000));
  for (int i = 0; i < 50; ++i) log.warn(100, "192.0.2.7", "event=bad_frame peer={} n={}", "192.0.2.7", i);
  log.warn(1200, "192.0.2.7", "event=bad_frame peer={} n={}", "192.0.2.7", 50);
  spdlog::set_default_logger(previous);

  EXPECT_EQ(out.str(),
            "event=bad_frame peer=192.0.2.7 n=0\n"
            "event=bad_frame peer=192.0.2.7 n=1\n"
            "event=bad_input_warnings_suppressed peer=192.0.2.7 count=48 interval_ms=1000 "
            "max_lines=2\n"
            "event=bad_frame peer=192.0.2.7 n=50\n");
}

}  // namespace
}  // namespace paddock::util
