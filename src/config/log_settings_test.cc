#include "config/log_settings.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace paddock::config {
namespace {

using testing::count_warnings;
using testing::parse_error;
using testing::parse_ok;
using testing::Props;

TEST(LogSettingsTest, DefaultsAreInfoTextToStderrWith256MBTimes20) {
  LoadedConfig l = parse_ok("dataDir=/d\n");
  EXPECT_EQ(l.config.log.level, LogLevel::kInfo);
  EXPECT_EQ(l.config.log.format, LogFormat::kText);
  EXPECT_EQ(l.config.log.file, "");
  EXPECT_EQ(l.config.log.max_file_bytes, 256 << 20);
  EXPECT_EQ(l.config.log.max_files, 20);
}

TEST(LogSettingsTest, ZooCfgKeysSetEverySettingWithoutAnUnknownKeyWarning) {
  LoadedConfig l = parse_ok(
      "dataDir=/d\n"
      "paddock.log.level=DEBUG\n"
      "paddock.log.format = json\n"
      "paddock.log.file=/var/log/paddock/paddockd.log\n"
      "paddock.log.maxFileSize=10MB\n"
      "paddock.log.maxFiles=3\n");
  EXPECT_EQ(l.config.log.level, LogLevel::kDebug);
  EXPECT_EQ(l.config.log.format, LogFormat::kJson);
  EXPECT_EQ(l.config.log.file, "/var/log/paddock/paddockd.log");
  EXPECT_EQ(l.config.log.max_file_bytes, 10 << 20);
  EXPECT_EQ(l.config.log.max_files, 3);
  EXPECT_EQ(count_warnings(l, "unknown key"), 0);
  // As ZooKeeper does with any key it does not consume: kept as zookeeper.<key>.
  EXPECT_EQ(l.config.properties.at("zookeeper.paddock.log.level"), "DEBUG");
}

TEST(LogSettingsTest, CommandLineWinsOverZooCfg) {
  LoadedConfig l = parse_ok("dataDir=/d\npaddock.log.level=debug\npaddock.log.format=json\n",
                            Props{{"paddock.log.level", "warn"}});
  EXPECT_EQ(l.config.log.level, LogLevel::kWarn);
  EXPECT_EQ(l.config.log.format, LogFormat::kJson);
}

TEST(LogSettingsTest, BadValueInZooCfgNamesTheLineAndKey) {
  std::string e = parse_error("dataDir=/d\n\npaddock.log.level=loud\n");
  EXPECT_NE(e.find("zoo.cfg:3: paddock.log.level: unknown log level 'loud'"), std::string::npos)
      << e;
  e = parse_error("dataDir=/d\npaddock.log.format=xml\n");
  EXPECT_NE(e.find("zoo.cfg:2: paddock.log.format: unknown log format 'xml'"), std::string::npos)
      << e;
  e = parse_error("dataDir=/d\npaddock.log.maxFileSize=12 parsecs\n");
  EXPECT_NE(e.find("zoo.cfg:2: paddock.log.maxFileSize:"), std::string::npos) << e;
  e = parse_error("dataDir=/d\npaddock.log.maxFiles=-1\n");
  EXPECT_NE(e.find("zoo.cfg:2: paddock.log.maxFiles:"), std::string::npos) << e;
}

TEST(LogSettingsTest, BadValueOnTheCommandLineNamesTheFlag) {
  std::string e = parse_error("dataDir=/d\n", Props{{"paddock.log.level", "chatty"}});
  EXPECT_NE(e.find("-Dpaddock.log.level: unknown log level 'chatty'"), std::string::npos) << e;
}

TEST(LogSettingsTest, BadZooCfgValueOverriddenOnTheCommandLineIsNotAnError) {
  LoadedConfig l =
      parse_ok("dataDir=/d\npaddock.log.level=loud\n", Props{{"paddock.log.level", "error"}});
  EXPECT_EQ(l.config.log.level, LogLevel::kError);
}

TEST(LogSettingsTest, LevelsAreLog4jNamesInAnyCase) {
  EXPECT_EQ(parse_log_level("TRACE"), LogLevel::kTrace);
  EXPECT_EQ(parse_log_level(" Info "), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::kWarn);
  EXPECT_EQ(parse_log_level("FATAL"), LogLevel::kFatal);
  EXPECT_EQ(parse_log_level("off"), LogLevel::kOff);
  EXPECT_EQ(parse_log_level(""), std::nullopt);
  EXPECT_EQ(parse_log_level("verbose"), std::nullopt);
}

TEST(LogSettingsTest, ByteSizesTakeKbMbGbSuffixes) {
  EXPECT_EQ(parse_byte_size("4096"), 4096);
  EXPECT_EQ(parse_byte_size("512KB"), 512 << 10);
  EXPECT_EQ(parse_byte_size("10mb"), 10 << 20);
  EXPECT_EQ(parse_byte_size("2 GB"), int64_t{2} << 30);
  EXPECT_EQ(parse_byte_size("MB"), std::nullopt);
  EXPECT_EQ(parse_byte_size("1.5MB"), std::nullopt);
  EXPECT_EQ(parse_byte_size("-1"), std::nullopt);
  EXPECT_EQ(parse_byte_size("99999999999GB"), std::nullopt);
}

TEST(LogSettingsTest, FileSizeBelowOneKilobyteIsRefused) {
  std::string e = parse_error("dataDir=/d\n", Props{{"paddock.log.maxFileSize", "100"}});
  EXPECT_NE(e.find("-Dpaddock.log.maxFileSize: '100' is not a size of at least 1024 bytes"),
            std::string::npos)
      << e;
}

}  // namespace
}  // namespace paddock::config
