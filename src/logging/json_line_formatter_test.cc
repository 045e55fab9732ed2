#include "logging/json_line_formatter.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <spdlog/details/log_msg.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace paddock::logging {
namespace {

std::string format(spdlog::level::level_enum level, std::string_view payload,
                   std::chrono::system_clock::time_point time = std::chrono::system_clock::now()) {
  spdlog::details::log_msg msg(time, spdlog::source_loc{}, "paddockd", level,
                               spdlog::string_view_t(payload.data(), payload.size()));
  msg.thread_id = 4242;
  spdlog::memory_buf_t out;
  JsonLineFormatter().format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(JsonLineFormatterTest, OneObjectOnOneLineWithTimeLevelThreadLoggerMessage) {
  // 2026-12-06T19:43:42.123Z
  auto time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796586222123));
  std::string line = format(spdlog::level::warn, "event=serving client_port=2181", time);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2026-12-06T19:43:42.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["logger"], "paddockd");
  EXPECT_EQ(j["message"], "event=serving client_port=2181");
  EXPECT_EQ(j["tid"], 4242);
  EXPECT_TRUE(j["thread"].is_string());
  EXPECT_EQ(j.size(), 6u);
}

TEST(JsonLineFormatterTest, ThreadIsTheNameOfTheThreadThatLogs) {
  std::string line;
  std::thread t([&] {
    pthread_setname_np(pthread_self(), "pipeline");
    line = format(spdlog::level::info, "x");
  });
  t.join();
  EXPECT_EQ(nlohmann::json::parse(line)["thread"], "pipeline");
}

TEST(JsonLineFormatterTest, LevelsUseLog4jNames) {
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::trace, ""))["level"], "trace");
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::debug, ""))["level"], "debug");
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::info, ""))["level"], "info");
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::err, ""))["level"], "error");
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::critical, ""))["level"], "fatal");
}

TEST(JsonLineFormatterTest, QuotesBackslashesAndControlCharactersAreEscaped) {
  const std::string message = std::string("path=\"/a\\b\"\nnext\tline\r\x01\x1f\x7f") + '\0' + "end";
  std::string line = format(spdlog::level::info, message);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_EQ(nlohmann::json::parse(line)["message"], message);
}

TEST(JsonLineFormatterTest, Utf8IsKeptAndBytesThatAreNotUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(nlohmann::json::parse(format(spdlog::level::info, "znode=/café/日本/😀"))["message"],
            "znode=/café/日本/😀");
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
  const std::string bad = "a\x80" "b\xe6\x97" "c\xc0\xaf" "d\xed\xa0\x80" "e";
  std::string line = format(spdlog::level::info, bad);
  nlohmann::json j = nlohmann::json::parse(line);  // throws on invalid UTF-8
  const std::string r = "\xef\xbf\xbd";             // U+FFFD
  EXPECT_EQ(j["message"], "a" + r + "b" + r + r + "c" + r + r + "d" + r + r + r + "e");
}

TEST(JsonLineFormatterTest, JournalRecordsHaveNoLineEnd) {
  spdlog::details::log_msg msg("paddockd", spdlog::level::info, "event=x");
  spdlog::memory_buf_t out;
  JsonLineFormatter(/*newline=*/false).format(msg, out);
  std::string record(out.data(), out.size());
  EXPECT_EQ(record.back(), '}');
  EXPECT_EQ(nlohmann::json::parse(record)["message"], "event=x");
  spdlog::memory_buf_t cloned;
  JsonLineFormatter(false).clone()->format(msg, cloned);
  EXPECT_EQ(cloned.data()[cloned.size() - 1], '}');
}

}  // namespace
}  // namespace paddock::logging
