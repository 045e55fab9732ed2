#pragma once
// Builds paddockd's logger from config::LogSettings: the level, the line format (text or
// JSON lines) and the sink:
//   - paddock.log.file set: that file, rotated by size by spdlog's rotating sink (x.log,
//     x.1.log .. x.<maxFiles>.log, the oldest dropped);
//   - else, when stderr is connected to the journal (systemd sets JOURNAL_STREAM to its
//     device:inode): the journal through sd_journal_send, each line with its PRIORITY, so
//     `journalctl -p warning -u paddock` works; the journal stamps the time itself;
//   - else stderr.
// Every line is flushed as it is written, as spdlog's stderr sink does: a crash loses none.
#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "config/log_settings.h"
#include "util/result.h"

namespace paddock::logging {

// The logger `settings` describe, named `name` (the "logger" of a JSON line), or an error
// naming the file when it cannot be opened.
Result<std::shared_ptr<spdlog::logger>> make_logger(const config::LogSettings& settings,
                                                    const std::string& name);

// make_logger, installed as spdlog's default logger (what spdlog::info() and friends use).
// Call before any thread that logs starts.
Status install_logger(const config::LogSettings& settings, const std::string& name);

// True when JOURNAL_STREAM names the device and inode of fd 2 (systemd(1), "JOURNAL_STREAM").
bool stderr_is_journal();

spdlog::level::level_enum spdlog_level(config::LogLevel level);

}  // namespace paddock::logging
