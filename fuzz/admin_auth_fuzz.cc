// The admin server's reading of a request's credentials (server/admin_auth.h): the
// Authorization header and the client certificate subject come from whoever connects.
//
// Input: a peer address, an Authorization header and a certificate subject, separated by
// newlines (a missing part is absent). Invariants: the first id is always the peer's ip,
// whatever the header says (nothing a client writes becomes its address); a header that
// was refused gives a reason and a 403, never an id; a "digest user:password" header proves
// exactly digest_of(user:password); the open root admits every request, a root open to no
// one admits none but the super user.
#include <spdlog/spdlog.h>

#include <cctype>
#include <string>

#include "fuzz/fuzz_check.h"
#include "server/admin_auth.h"
#include "state/auth_provider.h"

namespace {

using namespace paddock;

std::optional<std::string_view> part(std::string_view& rest) {
  if (rest.empty()) return std::nullopt;
  const size_t nl = rest.find('\n');
  std::string_view p = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = fuzz::as_view(data, size);
  const std::string peer(part(rest).value_or("127.0.0.1"));
  const std::optional<std::string_view> authorization = part(rest);
  std::optional<std::string> subject;
  if (auto s = part(rest)) subject = std::string(*s);

  server::AdminAuthPolicy policy;
  policy.acl.super_digest = state::digest_of("super:test");
  policy.x509_super_user = "CN=admin";
  const server::AdminIdentity who =
      server::admin_request_identity(peer, authorization, subject, policy);
  FUZZ_CHECK(!who.ids.empty() && who.ids.front().scheme == "ip" && who.ids.front().id == peer);
  for (size_t i = 1; i < who.ids.size(); ++i) FUZZ_CHECK(who.ids[i].scheme != "ip");

  const proto::AclList open{proto::Acl{proto::perm::kAll, proto::Id{"world", "anyone"}}};
  const proto::AclList closed{
      proto::Acl{proto::perm::kAll, proto::Id{"digest", state::digest_of("nobody:x")}}};
  const server::AdminVerdict on_open = server::authorize_admin(open, who, policy);
  const server::AdminVerdict on_closed = server::authorize_admin(closed, who, policy);
  if (!who.error.empty()) {
    FUZZ_CHECK(authorization.has_value());
    FUZZ_CHECK(on_open == server::AdminVerdict::kForbidden);
    FUZZ_CHECK(on_closed == server::AdminVerdict::kForbidden);
    return 0;
  }
  FUZZ_CHECK(on_open == server::AdminVerdict::kAllowed);
  bool super = false;
  for (const proto::Id& id : who.ids) super = super || id.scheme == "super";
  if (on_closed == server::AdminVerdict::kAllowed) {
    bool nobody = false;
    for (const proto::Id& id : who.ids) nobody = nobody || id.id == state::digest_of("nobody:x");
    FUZZ_CHECK(super || nobody);
  }
  if (authorization && authorization->starts_with("digest ")) {
    // The reader trims white space (isspace) around the scheme and the credentials.
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::string_view cred = authorization->substr(7);
    while (!cred.empty() && space(cred.front())) cred.remove_prefix(1);
    while (!cred.empty() && space(cred.back())) cred.remove_suffix(1);
    bool proved = false;
    for (const proto::Id& id : who.ids) {
      proved = proved || (id.scheme == "digest" && id.id == state::digest_of(cred));
    }
    FUZZ_CHECK(proved, "digest header '%.*s' proved no digest id",
               static_cast<int>(authorization->size()), authorization->data());
  }
  return 0;
}
