#include "config/java_properties.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

namespace paddock::config {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }
bool is_eol(char c) { return c == '\n' || c == '\r'; }

// One logical line: continuation lines joined (the backslash before each line break
// removed, leading blanks of the next physical line dropped), comments and blank lines
// skipped. Mirrors the rules of java.util.Properties.LineReader.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // False at the end of the text.
  bool next(std::string& out, int& start_line) {
    out.clear();
    bool skip_blanks = true;
    bool continuing = false;  // inside a continuation: a line break ends the logical line
    bool backslash = false;   // the last character taken was an unescaped backslash
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (skip_blanks) {
        if (is_blank(c)) continue;
        if (!continuing && is_eol(c)) {
          count_line_break(c);
          continue;
        }
        skip_blanks = false;
        continuing = false;
      }
      if (out.empty() && (c == '#' || c == '!')) {
        skip_comment();
        skip_blanks = true;
        continue;
      }
      if (out.empty()) start_line = line_;
      if (!is_eol(c)) {
        out.push_back(c);
        backslash = (c == '\\') ? !backslash : false;
        continue;
      }
      count_line_break(c);
      if (out.empty()) {
        skip_blanks = true;
        continue;
      }
      if (!backslash) return true;
      out.pop_back();  // the backslash that joins the lines is not part of the value
      backslash = false;
      skip_blanks = true;
      continuing = true;
    }
    if (backslash) out.pop_back();
    return !out.empty() || backslash;
  }

 private:
  // A "\r\n" pair is one line break; a lone '\r' or '\n' is one too.
  void count_line_break(char c) {
    if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }
  void skip_comment() {
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (is_eol(c)) {
        count_line_break(c);
        return;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<uint32_t> hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

// Properties.loadConvert: resolves escapes. A \uD800-\uDBFF escape followed by a
// \uDC00-\uDFFF escape is one code point (Java keeps them as a UTF-16 pair).
std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      out.push_back(c);
      continue;
    }
    c = s[++i];
    switch (c) {
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        std::optional<uint32_t> cp = hex4(s, i + 1);
        if (!cp) return std::nullopt;
        i += 4;
        if (*cp >= 0xD800 && *cp < 0xDC00 && i + 2 < s.size() && s[i + 1] == '\\' &&
            s[i + 2] == 'u') {
          std::optional<uint32_t> low = hex4(s, i + 3);
          if (low && *low >= 0xDC00 && *low < 0xE000) {
            cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, *cp);
        break;
      }
      default:
        out.push_back(c);
        break;
    }
  }
  return out;
}

// Splits a logical line at the first unescaped '=', ':' or blank; blanks around the
// separator (and at most one '=' or ':' after blanks) are not part of the value.
void split_key_value(std::string_view line, std::string_view& key, std::string_view& value) {
  size_t key_len = 0;
  size_t value_start = line.size();
  bool has_separator = false;
  bool backslash = false;
  while (key_len < line.size()) {
    char c = line[key_len];
    if ((c == '=' || c == ':') && !backslash) {
      value_start = key_len + 1;
      has_separator = true;
      break;
    }
    if (is_blank(c) && !backslash) {
      value_start = key_len + 1;
      break;
    }
    backslash = (c == '\\') ? !backslash : false;
    ++key_len;
  }
  while (value_start < line.size()) {
    char c = line[value_start];
    if (!is_blank(c)) {
      if (has_separator || (c != '=' && c != ':')) break;
      has_separator = true;
    }
    ++value_start;
  }
  key = line.substr(0, key_len);
  value = line.substr(value_start);
}

}  // namespace

Result<std::vector<PropertyLine>> parse_java_properties(std::string_view text,
                                                        std::string_view source_name) {
  std::vector<PropertyLine> lines;
  LineReader reader(text);
  std::string logical;
  int start_line = 1;
  while (reader.next(logical, start_line)) {
    std::string_view key;
    std::string_view value;
    split_key_value(logical, key, value);
    std::optional<std::string> k = unescape(key);
    std::optional<std::string> v = unescape(value);
    if (!k || !v) {
      return Status::error(fmt::format("{}:{}: malformed \\uxxxx escape", source_name, start_line));
    }
    lines.push_back(PropertyLine{std::move(*k), std::move(*v), start_line});
  }
  return lines;
}

}  // namespace paddock::config
