#include "logging/log_setup.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "logging/json_line_formatter.h"

namespace paddock::logging {
namespace {

// The text line: time, level, thread, then the event's key=value fields.
constexpr const char* kTextPattern = "%Y-%m-%d %H:%M:%S.%e [%l] %v";
// In the journal, which keeps the time, priority and pid of every line itself.
constexpr const char* kJournalPattern = "%v";

// `journal`: records for sd_journal_send, without a line end.
std::unique_ptr<spdlog::formatter> make_formatter(const config::LogSettings& settings,
                                                  bool journal) {
  if (settings.format == config::LogFormat::kJson)
    return std::make_unique<JsonLineFormatter>(/*newline=*/!journal);
  if (journal) {
    return std::make_unique<spdlog::pattern_formatter>(
        kJournalPattern, spdlog::pattern_time_type::local, std::string());
  }
  return std::make_unique<spdlog::pattern_formatter>(kTextPattern);
}

}  // namespace

spdlog::level::level_enum spdlog_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace: return spdlog::level::trace;
    case config::LogLevel::kDebug: return spdlog::level::debug;
    case config::LogLevel::kInfo: return spdlog::level::info;
    case config::LogLevel::kWarn: return spdlog::level::warn;
    case config::LogLevel::kError: return spdlog::level::err;
    case config::LogLevel::kFatal: return spdlog::level::critical;
    case config::LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  uintmax_t dev = 0;
  uintmax_t ino = 0;
  if (std::sscanf(stream, "%" SCNuMAX ":%" SCNuMAX, &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return static_cast<uintmax_t>(st.st_dev) == dev && static_cast<uintmax_t>(st.st_ino) == ino;
}

Result<std::shared_ptr<spdlog::logger>> make_logger(const config::LogSettings& settings,
                                                    const std::string& name) {
  spdlog::sink_ptr sink;
  std::unique_ptr<spdlog::formatter> formatter;
  if (!settings.file.empty()) {
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          settings.file, static_cast<size_t>(settings.max_file_bytes),
          static_cast<size_t>(settings.max_files));
    } catch (const spdlog::spdlog_ex& e) {
      return Status::error("cannot open log file " + settings.file + ": " + e.what());
    }
    formatter = make_formatter(settings, /*journal=*/false);
  } else if (stderr_is_journal()) {
    sink = std::make_shared<spdlog::sinks::systemd_sink_mt>(name, /*enable_formatting=*/true);
    formatter = make_formatter(settings, /*journal=*/true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    formatter = make_formatter(settings, /*journal=*/false);
  }
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  logger->set_level(spdlog_level(settings.level));
  logger->flush_on(spdlog::level::trace);
  return logger;
}

Status install_logger(const config::LogSettings& settings, const std::string& name) {
  Result<std::shared_ptr<spdlog::logger>> logger = make_logger(settings, name);
  if (!logger) return logger.status();
  spdlog::set_default_logger(std::move(*logger));
  return Status::ok();
}

}  // namespace paddock::logging
