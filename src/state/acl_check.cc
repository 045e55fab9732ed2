#include "state/acl_check.h"

#include <algorithm>

#include "state/auth_provider.h"
#include "state/java_hash_order.h"

namespace paddock::state {
namespace {

bool is_world_anyone(const proto::Id& id) { return id.scheme == "world" && id.id == "anyone"; }

// Whether one session id satisfies one ACL id (the provider's matches()).
bool id_matches(const proto::Id& acl_id, const proto::Id& session_id) {
  if (acl_id.scheme != session_id.scheme) return false;
  if (acl_id.scheme == "digest") return acl_id.id == session_id.id;
  if (acl_id.scheme == "ip") return ip_matches(session_id.id, acl_id.id);
  if (acl_id.scheme == "x509") return acl_id.id == session_id.id;  // X509AuthenticationProvider
  if (acl_id.scheme == "sasl") return acl_id.id == session_id.id;  // SASLAuthenticationProvider
  return false;  // no other provider is registered
}

}  // namespace

bool AclChecker::is_super(const std::vector<proto::Id>& auth) const {
  return std::any_of(auth.begin(), auth.end(), [&](const proto::Id& id) {
    return id.scheme == "super" || (!policy_.super_digest.empty() && id.scheme == "digest" &&
                                    id.id == policy_.super_digest);
  });
}

bool AclChecker::permits(const proto::AclList& acl, int32_t perm,
                         const std::vector<proto::Id>& auth) const {
  if (policy_.skip_acl || acl.empty() || is_super(auth)) return true;
  for (const proto::Acl& entry : acl) {
    if ((entry.perms & perm) == 0) continue;
    if (is_world_anyone(entry.id)) return true;
    for (const proto::Id& id : auth) {
      if (id_matches(entry.id, id)) return true;
    }
  }
  return false;
}

proto::Err fixup_acl(const proto::AclList& requested, const std::vector<proto::Id>& auth,
                     proto::AclList& out) {
  out.clear();
  proto::AclList unique;
  for (const proto::Acl& a : requested) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  }
  if (unique.empty()) return proto::Err::kInvalidAcl;
  for (const proto::Acl& a : unique) {
    if (is_world_anyone(a.id)) {
      out.push_back(a);
    } else if (a.id.scheme == "auth") {
      bool any = false;
      // In the order ZooKeeper's connection keeps its ids (a hash set).
      for (const proto::Id& id : java_auth_info_order(auth)) {
        if (!is_authenticated_scheme(id.scheme)) continue;
        any = true;
        out.push_back(proto::Acl{a.perms, id});
      }
      if (!any) return proto::Err::kInvalidAcl;
    } else if (a.id.scheme == "digest" && is_valid_digest_id(a.id.id)) {
      out.push_back(a);
    } else if (a.id.scheme == "ip" && is_valid_ip_acl(a.id.id)) {
      out.push_back(a);
    } else if (a.id.scheme == "x509") {  // any DN (X509AuthenticationProvider.isValid)
      out.push_back(a);
    } else if (a.id.scheme == "sasl" && is_valid_sasl_id(a.id.id)) {
      out.push_back(a);
    } else {
      return proto::Err::kInvalidAcl;
    }
  }
  return proto::Err::kOk;
}

proto::AclList redact_digests(const proto::AclList& acl) {
  proto::AclList out = acl;
  for (proto::Acl& a : out) {
    // Java: id.replaceAll(":.*", ":x") -- everything from the first ':' on.
    if (a.id.scheme != "digest") continue;
    size_t colon = a.id.id.find(':');
    if (colon != std::string::npos) a.id.id = a.id.id.substr(0, colon) + ":x";
  }
  return out;
}

}  // namespace paddock::state
