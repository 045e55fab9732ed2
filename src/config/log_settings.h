#pragma once
// LogSettings: where paddockd's log lines go and in what shape, from Paddock's own
// properties. Each is set by `-Dpaddock.log.<x>=v` on the command line or by the zoo.cfg key
// `paddock.log.<x>=v` (which, like every key QuorumPeerConfig does not consume, is kept as
// the system property `zookeeper.paddock.log.<x>`); the command line wins.
//
//   paddock.log.level        trace|debug|info|warn|error|fatal|off (any case; log4j's
//                            names, as ZooKeeper's zookeeper.root.logger); default info
//   paddock.log.format       text (one key=value line per event) | json (one object per
//                            line: time, level, thread, logger, message); default text
//   paddock.log.file         a file to write to, rotated by size (x.log, x.1.log ..
//                            x.N.log, the oldest dropped); unset: stderr (the
//                            journal, under systemd)
//   paddock.log.maxFileSize  bytes before the file rotates: a number with an optional
//                            KB/MB/GB suffix (logback's "256MB"); default 256MB, least 1KB
//   paddock.log.maxFiles     rotated files kept beside the live one (N above);
//                            default 20 (ZooKeeper's zookeeper.log.maxbackupindex)
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paddock::config {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kFatal, kOff };
enum class LogFormat { kText, kJson };

struct LogSettings {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  std::string file;  // empty: stderr
  int64_t max_file_bytes = int64_t{256} << 20;
  int32_t max_files = 20;
};

inline constexpr int64_t kMinLogFileBytes = 1024;
inline constexpr int32_t kMaxLogFiles = 1000;  // spdlog's rotating sink refuses more than 200000

// The names of the properties above, without a prefix ("paddock.log.level", ...).
inline constexpr std::string_view kLogPropertyNames[] = {
    "paddock.log.level", "paddock.log.format", "paddock.log.file", "paddock.log.maxFileSize",
    "paddock.log.maxFiles"};

std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view log_level_name(LogLevel level);  // "info", ...
// "1048576", "512KB", "10MB", "1GB" (suffixes in any case, powers of 1024), or nullopt.
std::optional<int64_t> parse_byte_size(std::string_view text);

// A bad value: the property's name as set (so the caller can say where it came from) and why.
struct LogSettingError {
  std::string property;
  std::string message;
};

// Resolves the settings from system properties (`paddock.log.x` wins over
// `zookeeper.paddock.log.x`). A bad value leaves that setting at its default and adds an
// error that names the property as it was set.
LogSettings resolve_log_settings(const std::map<std::string, std::string>& properties,
                                 std::vector<LogSettingError>& errors);

}  // namespace paddock::config
