#pragma once
// Standard base64 (RFC 4648, with padding): znode data travels through the console's JSON
// as base64 (it is bytes, and JSON strings are text), and HTTP Basic credentials are base64.
#include <optional>
#include <string>
#include <string_view>

namespace paddock::console {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not padded base64 (whitespace is not allowed either).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace paddock::console
