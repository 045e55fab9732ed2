#include "server/admin_auth.h"

#include <gtest/gtest.h>

#include "state/auth_provider.h"

namespace paddock::server {
namespace {

using proto::AclList;
using proto::Id;
namespace perm = proto::perm;

AclList acl(std::initializer_list<std::tuple<int32_t, const char*, std::string>> entries) {
  AclList out;
  for (const auto& [p, scheme, id] : entries) out.push_back(proto::Acl{p, Id{scheme, id}});
  return out;
}

bool has(const AdminIdentity& who, const std::string& scheme, const std::string& id) {
  for (const Id& i : who.ids) {
    if (i.scheme == scheme && i.id == id) return true;
  }
  return false;
}

TEST(AdminAuthTest, TheOpenRootLetsEveryoneIn) {
  AdminAuthPolicy policy;
  const AclList open = acl({{perm::kAll, "world", "anyone"}});
  EXPECT_EQ(authorize_admin(open, admin_request_identity("10.0.0.9", {}, {}, policy), policy),
            AdminVerdict::kAllowed);
}

TEST(AdminAuthTest, DigestCredentialsInZooKeepersFormAndAsBasic) {
  AdminAuthPolicy policy;
  const std::string admin = state::digest_of("admin:secret");
  const AclList locked = acl({{perm::kAll, "digest", admin}});
  AdminIdentity zk_form = admin_request_identity("127.0.0.1", "digest admin:secret", {}, policy);
  EXPECT_TRUE(has(zk_form, "digest", admin));
  EXPECT_EQ(authorize_admin(locked, zk_form, policy), AdminVerdict::kAllowed);
  // "admin:secret" in base64.
  AdminIdentity basic = admin_request_identity("127.0.0.1", "Basic YWRtaW46c2VjcmV0", {}, policy);
  EXPECT_EQ(authorize_admin(locked, basic, policy), AdminVerdict::kAllowed);
  // Padded base64, as browsers send it ("alice:wonderland").
  AdminIdentity padded =
      admin_request_identity("127.0.0.1", "Basic YWxpY2U6d29uZGVybGFuZA==", {}, policy);
  EXPECT_EQ(padded.error, "");
  EXPECT_TRUE(has(padded, "digest", state::digest_of("alice:wonderland")));
  AdminIdentity wrong = admin_request_identity("127.0.0.1", "digest admin:guess", {}, policy);
  EXPECT_EQ(authorize_admin(locked, wrong, policy), AdminVerdict::kForbidden);
  AdminIdentity nobody = admin_request_identity("127.0.0.1", {}, {}, policy);
  EXPECT_EQ(authorize_admin(locked, nobody, policy), AdminVerdict::kNeedsCredentials);
}

TEST(AdminAuthTest, AMalformedHeaderIsForbiddenWithTheReason) {
  AdminAuthPolicy policy;
  const AclList open = acl({{perm::kAll, "world", "anyone"}});
  for (const char* header : {"digest nocolon", "Bearer abc", "Basic !!!!", "Basic"}) {
    AdminIdentity who = admin_request_identity("127.0.0.1", header, {}, policy);
    EXPECT_FALSE(who.error.empty()) << header;
    EXPECT_EQ(authorize_admin(open, who, policy), AdminVerdict::kForbidden) << header;
  }
}

// The ip id is the TCP peer's address, which the caller passes; nothing a client writes
// (X-Forwarded-For and the like never reach this code) can become an ip id.
TEST(AdminAuthTest, IpAclsMatchThePeerAddressOnly) {
  AdminAuthPolicy policy;
  const AclList ops = acl({{perm::kAdmin, "ip", "10.1.0.0/16"}});
  EXPECT_EQ(authorize_admin(ops, admin_request_identity("10.1.2.3", {}, {}, policy), policy),
            AdminVerdict::kAllowed);
  EXPECT_EQ(authorize_admin(ops, admin_request_identity("127.0.0.1", {}, {}, policy), policy),
            AdminVerdict::kNeedsCredentials);
  // READ alone is not ADMIN.
  const AclList readers = acl({{perm::kRead, "ip", "127.0.0.1"}});
  EXPECT_EQ(authorize_admin(readers, admin_request_identity("127.0.0.1", {}, {}, policy), policy),
            AdminVerdict::kNeedsCredentials);
}

TEST(AdminAuthTest, SuperDigestAndX509SuperUserPassAnyAcl) {
  AdminAuthPolicy policy;
  policy.acl.super_digest = state::digest_of("super:pw");
  policy.x509_super_user = "CN=admin,O=Paddock";
  const AclList nobody = acl({{perm::kAll, "digest", state::digest_of("x:y")}});
  EXPECT_EQ(
      authorize_admin(nobody, admin_request_identity("127.0.0.1", "digest super:pw", {}, policy),
                      policy),
      AdminVerdict::kAllowed);
  AdminIdentity cert =
      admin_request_identity("127.0.0.1", {}, std::string("CN=admin,O=Paddock"), policy);
  EXPECT_TRUE(has(cert, "x509", "CN=admin,O=Paddock"));
  EXPECT_EQ(authorize_admin(nobody, cert, policy), AdminVerdict::kAllowed);
  AdminIdentity other =
      admin_request_identity("127.0.0.1", {}, std::string("CN=client,O=Paddock"), policy);
  EXPECT_EQ(authorize_admin(nobody, other, policy), AdminVerdict::kForbidden);
  const AclList by_cert = acl({{perm::kAdmin, "x509", "CN=client,O=Paddock"}});
  EXPECT_EQ(authorize_admin(by_cert, other, policy), AdminVerdict::kAllowed);
}

TEST(AdminAuthTest, SkipAclLetsEveryoneIn) {
  AdminAuthPolicy policy;
  policy.acl.skip_acl = true;
  const AclList locked = acl({{perm::kAll, "digest", state::digest_of("a:b")}});
  EXPECT_EQ(authorize_admin(locked, admin_request_identity("127.0.0.1", {}, {}, policy), policy),
            AdminVerdict::kAllowed);
}

}  // namespace
}  // namespace paddock::server
