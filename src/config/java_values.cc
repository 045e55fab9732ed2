#include "config/java_values.h"

#include <cctype>
#include <charconv>

namespace paddock::config {
namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Digits only (no sign), in `base`, with overflow detection; nullopt if empty or malformed.
std::optional<uint64_t> parse_digits(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> apply_sign(bool negative, std::optional<uint64_t> magnitude, int64_t min,
                                  int64_t max) {
  if (!magnitude) return std::nullopt;
  constexpr uint64_t kMaxNegative = uint64_t{1} << 63;
  if (negative) {
    if (*magnitude > kMaxNegative) return std::nullopt;
    int64_t v = (*magnitude == kMaxNegative) ? INT64_MIN : -static_cast<int64_t>(*magnitude);
    if (v < min || v > max) return std::nullopt;
    return v;
  }
  if (*magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  int64_t v = static_cast<int64_t>(*magnitude);
  if (v < min || v > max) return std::nullopt;
  return v;
}

}  // namespace

std::string_view java_trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_java_integer(std::string_view s, int64_t min, int64_t max) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  return apply_sign(negative, parse_digits(s, 10), min, max);
}

std::optional<int64_t> parse_java_decode(std::string_view s, int64_t min, int64_t max) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.starts_with("#")) {
    base = 16;
    s.remove_prefix(1);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  // Integer.decode refuses a second sign after the prefix ("0x-1").
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) return std::nullopt;
  return apply_sign(negative, parse_digits(s, base), min, max);
}

std::optional<double> parse_java_double(std::string_view s) {
  s = java_trim(s);
  if (!s.empty() && (s.back() == 'd' || s.back() == 'D' || s.back() == 'f' || s.back() == 'F')) {
    s.remove_suffix(1);  // Java accepts a type suffix: "0.5d"
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '+') return std::nullopt;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != 'E' &&
        c != '-' && c != '+') {
      return std::nullopt;  // from_chars would also take "inf" and "nan"
    }
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> parse_true_false(std::string_view s) {
  if (equals_ignore_case(s, "true")) return true;
  if (equals_ignore_case(s, "false")) return false;
  return std::nullopt;
}

std::optional<bool> parse_switch(std::string_view s) {
  if (equals_ignore_case(s, "true") || equals_ignore_case(s, "yes")) return true;
  if (equals_ignore_case(s, "false") || equals_ignore_case(s, "no")) return false;
  return std::nullopt;
}

}  // namespace paddock::config
