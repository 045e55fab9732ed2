#include "logging/log_setup.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace paddock::logging {
namespace {

namespace fs = std::filesystem;

class LogSetupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/paddock-log-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> lines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }

  fs::path dir_;
};

TEST_F(LogSetupTest, FileGetsOneTextLinePerEventAtOrAboveTheLevel) {
  config::LogSettings s;
  s.file = (dir_ / "paddockd.log").string();
  s.level = config::LogLevel::kWarn;
  auto logger = make_logger(s, "paddockd");
  ASSERT_TRUE(logger) << logger.error();
  (*logger)->info("event=hidden");
  (*logger)->warn("event=shown n={}", 1);
  (*logger)->error("event=shown n={}", 2);
  std::vector<std::string> got = lines(s.file);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find("[warning] event=shown n=1"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("[error] event=shown n=2"), std::string::npos) << got[1];
}

TEST_F(LogSetupTest, JsonFormatWritesOneParseableObjectPerLine) {
  config::LogSettings s;
  s.file = (dir_ / "paddockd.log").string();
  s.format = config::LogFormat::kJson;
  auto logger = make_logger(s, "paddockd");
  ASSERT_TRUE(logger) << logger.error();
  (*logger)->info("event=serving client_port={}", 2181);
  (*logger)->debug("event=hidden");
  std::vector<std::string> got = lines(s.file);
  ASSERT_EQ(got.size(), 1u);
  nlohmann::json j = nlohmann::json::parse(got[0]);
  EXPECT_EQ(j["message"], "event=serving client_port=2181");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "paddockd");
}

TEST_F(LogSetupTest, FileRotatesBySizeAndKeepsMaxFilesOldOnes) {
  config::LogSettings s;
  s.file = (dir_ / "paddockd.log").string();
  s.max_file_bytes = 1024;
  s.max_files = 2;
  auto logger = make_logger(s, "paddockd");
  ASSERT_TRUE(logger) << logger.error();
  for (int i = 0; i < 200; ++i) (*logger)->info("event=filler i={} {}", i, std::string(40, 'x'));
  EXPECT_TRUE(fs::exists(dir_ / "paddockd.log"));
  EXPECT_TRUE(fs::exists(dir_ / "paddockd.1.log"));
  EXPECT_TRUE(fs::exists(dir_ / "paddockd.2.log"));
  EXPECT_FALSE(fs::exists(dir_ / "paddockd.3.log"));
  for (const char* f : {"paddockd.log", "paddockd.1.log", "paddockd.2.log"})
    EXPECT_LE(fs::file_size(dir_ / f), 1024u) << f;
  // The newest line is in the live file.
  std::vector<std::string> live = lines(s.file);
  ASSERT_FALSE(live.empty());
  EXPECT_NE(live.back().find("i=199 "), std::string::npos);
}

TEST_F(LogSetupTest, UnopenableFileIsAnErrorNamingIt) {
  // The log file's "directory" is a regular file: no one, root included, can open it.
  std::ofstream(dir_ / "not-a-dir") << "x";
  config::LogSettings s;
  s.file = (dir_ / "not-a-dir" / "paddockd.log").string();
  auto logger = make_logger(s, "paddockd");
  ASSERT_FALSE(logger);
  EXPECT_NE(logger.error().find("cannot open log file " + s.file), std::string::npos)
      << logger.error();
}

TEST_F(LogSetupTest, JournalIsDetectedOnlyWhenJournalStreamNamesStderr) {
  const char* saved = getenv("JOURNAL_STREAM");
  std::string saved_value = saved ? saved : "";
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  struct stat st {};
  ASSERT_EQ(fstat(2, &st), 0);
  std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  // Inherited by a child whose stderr was redirected elsewhere: not the journal.
  std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  setenv("JOURNAL_STREAM", other.c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());
  if (saved) {
    setenv("JOURNAL_STREAM", saved_value.c_str(), 1);
  } else {
    unsetenv("JOURNAL_STREAM");
  }
}

}  // namespace
}  // namespace paddock::logging
