#include "proto/path.h"

#include <cstdint>
#include <optional>

namespace paddock::proto {
namespace {

constexpr char32_t kReplacement = 0xFFFD;  // what Java's UTF-8 decoder yields for bad input

// Decodes one code point at `pos` as Java's strict UTF-8 decoder would accept it; advances
// `pos`. Malformed input (overlong forms, surrogates, > U+10FFFF, truncation, stray
// continuation bytes) decodes to U+FFFD.
char32_t next_code_point(std::string_view s, size_t& pos) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b0 = byte(pos);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacement;
  }
  if (pos + len > s.size()) {
    ++pos;
    return kReplacement;
  }
  for (size_t i = 1; i < len; ++i) {
    uint8_t b = byte(pos + i);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  ++pos;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
  pos += len - 1;
  return cp;
}

// The UTF-16 code units Java rejects (a supplementary code point is checked by its high
// surrogate, which lies in U+D800-U+F8FF).
bool is_invalid_unit(char32_t cp) {
  if (cp >= 0x10000) return true;
  return (cp > 0 && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xF8FF) ||
         (cp >= 0xFFF0 && cp <= 0xFFFF);
}

// The per-character scan after the first '/': returns the reason, or nullopt if valid.
// `i` is the UTF-16 index of the current character, as in ZooKeeper's messages.
std::optional<std::string> scan(std::string_view p) {
  char32_t last = '/';
  size_t pos = 1;
  for (size_t i = 1; pos < p.size(); ++i) {
    char32_t c = next_code_point(p, pos);
    const bool at_end = pos == p.size();
    const bool slash_next = !at_end && p[pos] == '/';
    // The reason names the UTF-16 index; built only on failure (this loop runs per write).
    auto at = [i](const char* what) {
      std::string reason(what);
      reason += " @";
      reason += std::to_string(i);
      return reason;
    };
    if (c == 0) return at("null character not allowed");
    if (c == '/' && last == '/') return at("empty node name specified");
    if (c == '.' && last == '.') {
      // ".." as a whole segment: the char before the first '.' is '/' (ASCII, one unit).
      if (p[pos - 3] == '/' && (at_end || slash_next)) return at("relative paths not allowed");
    } else if (c == '.') {
      if (last == '/' && (at_end || slash_next)) return at("relative paths not allowed");
    } else if (is_invalid_unit(c)) {
      return at("invalid character");
    }
    last = c;
  }
  return std::nullopt;
}

Err check(std::string_view p, std::string* reason) {
  auto fail = [reason](std::string why) {
    if (reason != nullptr) *reason = std::move(why);
    return Err::kBadArguments;
  };
  if (p.empty()) return fail("Path length must be > 0");
  if (p[0] != '/') return fail("Path must start with / character");
  if (p.size() == 1) return Err::kOk;
  if (p.back() == '/') return fail("Path must not end with / character");
  if (std::optional<std::string> why = scan(p)) {
    return fail("Invalid path string \"" + std::string(p) + "\" caused by " + *why);
  }
  return Err::kOk;
}

}  // namespace

Err validate_path(std::string_view path, bool sequential, std::string* reason) {
  if (!sequential) return check(path, reason);
  std::string with_suffix(path);
  with_suffix.push_back('1');
  return check(with_suffix, reason);
}

}  // namespace paddock::proto
