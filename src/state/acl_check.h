#pragma once
// ACL decisions with ZooKeeper 3.8's rules (ZooKeeperServer.checkACL,
// PrepRequestProcessor.fixupACL, the getACL redaction of CVE-2019-0201). Which permission each
// operation needs is in README-acl.md, established against the real server.
#include <cstdint>
#include <string>
#include <vector>

#include "proto/types.h"

namespace paddock::state {

struct AclPolicy {
  bool skip_acl = false;     // zookeeper.skipACL=yes: every check passes
  std::string super_digest;  // "super:<base64 sha1>"; a session holding it passes every check
};

class AclChecker {
 public:
  explicit AclChecker(AclPolicy policy) : policy_(std::move(policy)) {}

  // Whether a session with ids `auth` holds `perm` (a mask: any one bit suffices, as
  // ZooKeeper tests `acl.perms & perm`) on a node with `acl`. An empty list allows all.
  // Super: an id with scheme "super", or the digest id equal to the configured super digest
  // (so a pipeline that keeps only the digest id still gets super rights).
  bool permits(const proto::AclList& acl, int32_t perm, const std::vector<proto::Id>& auth) const;
  proto::Err check(const proto::AclList& acl, int32_t perm,
                   const std::vector<proto::Id>& auth) const {
    return permits(acl, perm, auth) ? proto::Err::kOk : proto::Err::kNoAuth;
  }
  bool is_super(const std::vector<proto::Id>& auth) const;

 private:
  AclPolicy policy_;
};

// The ACL a create/setACL stores for `requested`: duplicates dropped (first kept),
// "auth" entries replaced by one entry per authenticated id of the session (digest and x509
// ids; ip
// and super are not "authenticated" users), every other entry checked for a registered
// scheme and a well-formed id. kInvalidAcl for an empty list, an unknown scheme or bad id
// (world:<not anyone>, super, sasl, IPv6 or malformed ip, digest without "user:hash"),
// or "auth" with no authenticated id.
proto::Err fixup_acl(const proto::AclList& requested, const std::vector<proto::Id>& auth,
                     proto::AclList& out);

// getACL without ADMIN: digest ids shown as "user:x" (hash hidden), others unchanged.
proto::AclList redact_digests(const proto::AclList& acl);

}  // namespace paddock::state
