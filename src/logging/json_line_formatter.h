#pragma once
// JsonLineFormatter: one log event as one JSON object on one line, for log shippers that read
// JSON lines (paddock.log.format=json):
//   {"time":"2026-12-06T19:43:42.123Z","level":"info","thread":"pipeline","tid":4242,
//    "logger":"paddockd","message":"event=serving mode=standalone client_port=2181 ..."}
// time is UTC with milliseconds; level is one of trace/debug/info/warn/error/fatal; thread is
// the name of the thread that logged (loggers are synchronous, so that is the thread that
// formats), or its id when it has none. The message is escaped so that every line is valid
// JSON whatever bytes it holds: control characters as \u00XX, bytes that are not UTF-8 as
// U+FFFD.
#include <spdlog/formatter.h>

#include <memory>
#include <string_view>

namespace paddock::logging {

class JsonLineFormatter final : public spdlog::formatter {
 public:
  // `newline`: end each object with '\n' (files, stderr); the journal takes records without.
  explicit JsonLineFormatter(bool newline = true) : newline_(newline) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  bool newline_;
};

// Appends `text` to `dest` as a JSON string, quotes included.
void append_json_string(std::string_view text, spdlog::memory_buf_t& dest);

}  // namespace paddock::logging
