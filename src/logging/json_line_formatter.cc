#include "logging/json_line_formatter.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <pthread.h>

#include <chrono>
#include <ctime>

namespace paddock::logging {
namespace {

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "fatal";
    default: return "off";
  }
}

// The length of the valid UTF-8 sequence at the start of `s` (1..4), or 0 if there is none
// (overlong forms, surrogates and code points past U+10FFFF are not valid).
size_t utf8_sequence_length(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

void append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

}  // namespace

void append_json_string(std::string_view text, spdlog::memory_buf_t& dest) {
  dest.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"': append(dest, "\\\""); ++i; continue;
      case '\\': append(dest, "\\\\"); ++i; continue;
      case '\n': append(dest, "\\n"); ++i; continue;
      case '\r': append(dest, "\\r"); ++i; continue;
      case '\t': append(dest, "\\t"); ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      fmt::format_to(std::back_inserter(dest), "\\u{:04x}", c);
      ++i;
      continue;
    }
    size_t n = utf8_sequence_length(text.substr(i));
    if (n == 0) {
      append(dest, "\\ufffd");
      ++i;
      continue;
    }
    append(dest, text.substr(i, n));
    i += n;
  }
  dest.push_back('"');
}

void JsonLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = duration_cast<seconds>(since_epoch);
  const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  std::time_t t = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  fmt::format_to(std::back_inserter(dest), "{{\"time\":\"{:%Y-%m-%dT%H:%M:%S}.{:03}Z\",\"level\":\"{}\",\"thread\":",
                 tm, millis, level_name(msg.level));
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) == 0 && name[0] != '\0') {
    append_json_string(name, dest);
  } else {
    fmt::format_to(std::back_inserter(dest), "\"{}\"", msg.thread_id);
  }
  fmt::format_to(std::back_inserter(dest), ",\"tid\":{},\"logger\":", msg.thread_id);
  append_json_string(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  append(dest, ",\"message\":");
  append_json_string(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  append(dest, newline_ ? "}\n" : "}");
}

std::unique_ptr<spdlog::formatter> JsonLineFormatter::clone() const {
  return std::make_unique<JsonLineFormatter>(newline_);
}

}  // namespace paddock::logging
