#include "console/identity.h"

#include "console/base64.h"

namespace paddock::console {

std::string ConsoleIdentity::display_name() const {
  if (anonymous()) return "anonymous";
  return scheme + ":" + credential.substr(0, credential.find(':'));
}

Result<ConsoleIdentity> identity_from_authorization(std::optional<std::string_view> header) {
  if (!header || header->empty()) return ConsoleIdentity{};
  std::string_view h = *header;
  constexpr std::string_view kBasic = "Basic ";
  if (!h.starts_with(kBasic)) {
    return Status::error("only Basic credentials are understood (digest user:password)");
  }
  std::optional<std::string> decoded = base64_decode(h.substr(kBasic.size()));
  if (!decoded) return Status::error("the Basic credentials are not base64");
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::error("the credentials must be user:password with a non-empty user");
  }
  return ConsoleIdentity{"digest", std::move(*decoded)};
}

}  // namespace paddock::console
