#pragma once
// Who an admin HTTP request is, and whether it may run a command that changes state or
// shows sessions, clients or secrets (AdminCommand::needs_admin), in the manner of
// ZooKeeper 3.9's admin server authentication: the request's ids are checked against the
// root znode's ACL for the ADMIN permission, so the operator decides with the ACL tools
// they know (`setAcl / digest:admin:<hash>:cdrwa`), and the default open root keeps every
// command open as in ZooKeeper 3.8.
//
// The ids of a request:
//   ip     the TCP peer's address, never a header: X-Forwarded-For, Forwarded and the like
//          are ignored, because a client can write any of them (the CVE-2024-51504 class);
//   digest "Authorization: digest user:password" (ZooKeeper's form) or standard
//          "Authorization: Basic base64(user:password)"; the configured superDigest gives
//          super rights, as an AuthPacket would;
//   x509   the subject of the client certificate of an HTTPS request (admin.forceHttps),
//          super when it is X509AuthenticationProvider.superUser.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/types.h"
#include "state/acl_check.h"

namespace paddock::server {

struct AdminAuthPolicy {
  state::AclPolicy acl;          // zookeeper.skipACL, DigestAuthenticationProvider.superDigest
  std::string x509_super_user;   // zookeeper.X509AuthenticationProvider.superUser
};

struct AdminIdentity {
  std::vector<proto::Id> ids;
  bool presented_credentials = false;  // an Authorization header or a client certificate
  std::string error;                   // a malformed Authorization header: why
};

AdminIdentity admin_request_identity(std::string_view peer_ip,
                                     std::optional<std::string_view> authorization,
                                     std::optional<std::string> x509_subject,
                                     const AdminAuthPolicy& policy);

enum class AdminVerdict {
  kAllowed,
  kNeedsCredentials,  // nothing presented and the ip alone is not enough: 401
  kForbidden,         // credentials presented, not enough (or malformed): 403
};

// ADMIN on the root's ACL for `who` (the world:anyone entry matches every request).
AdminVerdict authorize_admin(const proto::AclList& root_acl, const AdminIdentity& who,
                             const AdminAuthPolicy& policy);

}  // namespace paddock::server
