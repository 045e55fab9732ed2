#include "config/log_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "config/java_values.h"

namespace paddock::config {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of `name` and the property it came from: -D's `paddock.log.x` wins over
// zoo.cfg's `zookeeper.paddock.log.x`.
const std::pair<const std::string, std::string>* find_setting(
    const std::map<std::string, std::string>& properties, std::string_view name) {
  if (auto it = properties.find(std::string(name)); it != properties.end()) return &*it;
  if (auto it = properties.find("zookeeper." + std::string(name)); it != properties.end())
    return &*it;
  return nullptr;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  const std::string t = lower(java_trim(text));
  if (t == "trace" || t == "all") return LogLevel::kTrace;
  if (t == "debug") return LogLevel::kDebug;
  if (t == "info") return LogLevel::kInfo;
  if (t == "warn" || t == "warning") return LogLevel::kWarn;
  if (t == "error") return LogLevel::kError;
  if (t == "fatal") return LogLevel::kFatal;
  if (t == "off") return LogLevel::kOff;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kFatal: return "fatal";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::optional<int64_t> parse_byte_size(std::string_view text) {
  std::string t = lower(java_trim(text));
  int shift = 0;
  for (auto [suffix, s] : {std::pair{"kb", 10}, std::pair{"mb", 20}, std::pair{"gb", 30}}) {
    if (t.ends_with(suffix)) {
      shift = s;
      t.resize(t.size() - 2);
      break;
    }
  }
  std::optional<int64_t> n = parse_java_integer(java_trim(t), 0, INT64_MAX >> shift);
  if (!n) return std::nullopt;
  return *n << shift;
}

LogSettings resolve_log_settings(const std::map<std::string, std::string>& properties,
                                 std::vector<LogSettingError>& errors) {
  LogSettings s;
  if (auto* p = find_setting(properties, "paddock.log.level")) {
    if (auto level = parse_log_level(p->second)) {
      s.level = *level;
    } else {
      errors.push_back({p->first, fmt::format("unknown log level '{}' (use trace, debug, info, "
                                              "warn, error, fatal or off)",
                                              java_trim(p->second))});
    }
  }
  if (auto* p = find_setting(properties, "paddock.log.format")) {
    const std::string f = lower(java_trim(p->second));
    if (f == "text") {
      s.format = LogFormat::kText;
    } else if (f == "json") {
      s.format = LogFormat::kJson;
    } else {
      errors.push_back({p->first, fmt::format("unknown log format '{}' (use text or json)",
                                              java_trim(p->second))});
    }
  }
  if (auto* p = find_setting(properties, "paddock.log.file")) {
    s.file = std::string(java_trim(p->second));
  }
  if (auto* p = find_setting(properties, "paddock.log.maxFileSize")) {
    std::optional<int64_t> n = parse_byte_size(p->second);
    if (n && *n >= kMinLogFileBytes) {
      s.max_file_bytes = *n;
    } else {
      errors.push_back(
          {p->first, fmt::format("'{}' is not a size of at least {} bytes (a number of bytes, "
                                 "or with KB, MB or GB)",
                                 java_trim(p->second), kMinLogFileBytes)});
    }
  }
  if (auto* p = find_setting(properties, "paddock.log.maxFiles")) {
    if (std::optional<int64_t> n = parse_java_integer(java_trim(p->second), 0, kMaxLogFiles)) {
      s.max_files = static_cast<int32_t>(*n);
    } else {
      errors.push_back({p->first, fmt::format("'{}' is not a number of files from 0 to {}",
                                              java_trim(p->second), kMaxLogFiles)});
    }
  }
  return s;
}

}  // namespace paddock::config
