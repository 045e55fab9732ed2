#include "server/admin_auth.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "state/auth_provider.h"

namespace paddock::server {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Standard base64 with padding; nullopt when it is not.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace

AdminIdentity admin_request_identity(std::string_view peer_ip,
                                     std::optional<std::string_view> authorization,
                                     std::optional<std::string> x509_subject,
                                     const AdminAuthPolicy& policy) {
  AdminIdentity who;
  who.ids.push_back(proto::Id{"ip", std::string(peer_ip)});
  if (x509_subject && !x509_subject->empty()) {
    who.presented_credentials = true;
    if (!policy.x509_super_user.empty() && *x509_subject == policy.x509_super_user) {
      who.ids.push_back(proto::Id{"super", ""});
    }
    who.ids.push_back(proto::Id{"x509", std::move(*x509_subject)});
  }
  if (!authorization) return who;
  who.presented_credentials = true;
  std::string_view value = trim(*authorization);
  const size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  const std::string_view credentials =
      space == std::string_view::npos ? std::string_view() : trim(value.substr(space + 1));
  std::optional<std::string> user_password;
  if (iequals(scheme, "digest")) {
    user_password = std::string(credentials);
  } else if (iequals(scheme, "basic")) {
    user_password = base64_decode(credentials);
  } else {
    who.error = "unsupported Authorization scheme '" + std::string(scheme) +
                "' (use 'digest user:password' or Basic)";
    return who;
  }
  if (!user_password || user_password->find(':') == std::string::npos) {
    who.error = "the Authorization header does not hold user:password";
    return who;
  }
  // The digest provider's answer, super included, as for an AuthPacket from this address.
  for (proto::Id& id :
       state::authenticate_ids("digest", *user_password, peer_ip, policy.acl.super_digest)) {
    who.ids.push_back(std::move(id));
  }
  return who;
}

AdminVerdict authorize_admin(const proto::AclList& root_acl, const AdminIdentity& who,
                             const AdminAuthPolicy& policy) {
  if (!who.error.empty()) return AdminVerdict::kForbidden;
  const state::AclChecker checker(policy.acl);
  if (checker.permits(root_acl, proto::perm::kAdmin, who.ids)) return AdminVerdict::kAllowed;
  return who.presented_credentials ? AdminVerdict::kForbidden : AdminVerdict::kNeedsCredentials;
}

}  // namespace paddock::server
