#pragma once
// How ZooKeeper's Java code reads scalar config values, so Paddock accepts the same text:
// Integer.parseInt for zoo.cfg keys, Integer.decode (via Integer.getInteger) for system
// properties, String.trim for keys and values.
#include <cstdint>
#include <optional>
#include <string_view>

namespace paddock::config {

// String.trim: drops every character <= ' ' (all ASCII control characters and space).
std::string_view java_trim(std::string_view s);

// Integer.parseInt / Long.parseLong: an optional '+' or '-', then decimal digits only;
// nullopt when malformed or outside [min, max].
std::optional<int64_t> parse_java_integer(std::string_view s, int64_t min, int64_t max);

// Integer.decode / Long.decode, used by Integer.getInteger and Long.getLong: an optional
// sign, then "0x", "0X" or "#" for hex, a leading "0" for octal, else decimal.
std::optional<int64_t> parse_java_decode(std::string_view s, int64_t min, int64_t max);

// Double.parseDouble for plain decimal text (no hex floats, no NaN/Infinity).
std::optional<double> parse_java_double(std::string_view s);

// "true"/"false" in any case, as QuorumPeerConfig.parseBoolean accepts.
std::optional<bool> parse_true_false(std::string_view s);

// Switches that ZooKeeper reads as system properties use "yes"/"no" (forceSync, skipACL)
// or "true"/"false"; Paddock accepts either spelling, in any case, for every switch.
std::optional<bool> parse_switch(std::string_view s);

}  // namespace paddock::config
