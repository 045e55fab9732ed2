// ACL rules: the permission each op needs (the table in README-acl.md, found against
// ZooKeeper 3.8.0), ACL validation and expansion, super, ip matching, digests.
#include <gtest/gtest.h>

#include <functional>

#include "state/acl_check.h"
#include "state/auth_provider.h"
#include "state/database_test_util.h"

namespace paddock::state {
namespace {

using proto::Acl;
using proto::Err;
using proto::Id;
using proto::OpCode;
using testing::DbTest;
using testing::kOpen;
namespace perm = proto::perm;

// Digests printed by ZooKeeper 3.8.0 for these user:password pairs.
constexpr char kUser1Digest[] = "user1:GMJqCvSAmNfv41XqBotWHO0HsNc=";
constexpr char kSuperDigest[] = "super:lK75jTNcA+U9vtVEw5vB51mj/w4=";

const Id kAnon{"ip", "127.0.0.1"};

DatabaseOptions with_super() {
  DatabaseOptions o;
  o.super_digest = kSuperDigest;
  return o;
}

class AclTableTest : public DbTest {
 protected:
  AclTableTest() : DbTest(with_super()) {}
  void as_super() { as({kAnon, Id{"digest", kSuperDigest}}); }
  // A fresh /n<i> with children c and c2 and the ACL {perms, world:anyone}.
  std::string fresh_node(int32_t perms) {
    as_super();
    std::string n = "/n" + std::to_string(++nodes_);
    EXPECT_EQ(create(n), Err::kOk);
    EXPECT_EQ(create(n + "/c"), Err::kOk);
    EXPECT_EQ(set_acl(n, testing::world(perms)), Err::kOk);
    as({kAnon});
    return n;
  }
  int nodes_ = 0;
};

struct OpRule {
  const char* name;
  int32_t needs;  // 0: no check; else any of these bits suffices
  std::function<Err(AclTableTest&, const std::string&)> run;
};

Err multi_first_error(AclTableTest& t, OpCode op, const std::string& body) {
  Outcome o = op == OpCode::kMultiRead ? t.db_.read(t.request(op, body)) : t.write_raw(op, body);
  if (o.reply.err != Err::kOk) return o.reply.err;
  auto r = testing::decode_multi_response(o.reply.body);
  return r.empty() || r[0].type != -1 ? Err::kOk : static_cast<Err>(r[0].err);
}

std::vector<OpRule> op_rules() {
  using T = AclTableTest;
  return {
      {"exists", 0,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kExists, proto::ExistsRequest{n, false}).reply.err;
       }},
      {"getData", perm::kRead,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetData, proto::GetDataRequest{n, false}).reply.err;
       }},
      {"getChildren", perm::kRead,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetChildren, proto::GetChildrenRequest{n, false}).reply.err;
       }},
      {"getChildren2", perm::kRead,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetChildren2, proto::GetChildren2Request{n, false}).reply.err;
       }},
      {"getACL", perm::kRead | perm::kAdmin,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetACL, proto::GetAclRequest{n}).reply.err;
       }},
      {"getAllChildrenNumber", perm::kRead,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetAllChildrenNumber, proto::GetAllChildrenNumberRequest{n})
             .reply.err;
       }},
      {"getEphemerals", 0,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kGetEphemerals, proto::GetEphemeralsRequest{n}).reply.err;
       }},
      {"sync", 0,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kSync, proto::SyncRequest{n}).reply.err;
       }},
      {"addWatch", 0,
       [](T& t, const std::string& n) {
         return t.read(OpCode::kAddWatch, proto::AddWatchRequest{n, 0}).reply.err;
       }},
      {"setData", perm::kWrite, [](T& t, const std::string& n) { return t.set_data(n, "x"); }},
      {"setACL", perm::kAdmin,
       [](T& t, const std::string& n) { return t.set_acl(n, testing::world(perm::kAll)); }},
      {"check", perm::kRead,
       [](T& t, const std::string& n) {
         return t.write(OpCode::kCheck, proto::CheckVersionRequest{n, -1}).reply.err;
       }},
      {"multi check", perm::kRead,
       [](T& t, const std::string& n) {
         return multi_first_error(t, OpCode::kMulti,
                                  testing::MultiBuilder{}
                                      .add(OpCode::kCheck, proto::CheckVersionRequest{n, -1})
                                      .build());
       }},
      {"multiRead getData", perm::kRead,
       [](T& t, const std::string& n) {
         return multi_first_error(t, OpCode::kMultiRead,
                                  testing::MultiBuilder{}
                                      .add(OpCode::kGetData, proto::GetDataRequest{n, false})
                                      .build());
       }},
      {"create child", perm::kCreate,
       [](T& t, const std::string& n) { return t.create(n + "/new"); }},
      {"create existing child", perm::kCreate,
       [](T& t, const std::string& n) {
         Err e = t.create(n + "/c");
         return e == Err::kNodeExists ? Err::kOk : e;
       }},
      {"delete child", perm::kDelete,
       [](T& t, const std::string& n) { return t.remove(n + "/c"); }},
      {"delete missing child", perm::kDelete,
       [](T& t, const std::string& n) {
         Err e = t.remove(n + "/missing");
         return e == Err::kNoNode ? Err::kOk : e;
       }},
  };
}

TEST_F(AclTableTest, EachOpNeedsThePermissionZooKeeperChecks) {
  const int32_t perm_sets[] = {perm::kRead,
                               perm::kWrite,
                               perm::kCreate,
                               perm::kDelete,
                               perm::kAdmin,
                               0,
                               perm::kRead | perm::kAdmin};
  for (const OpRule& rule : op_rules()) {
    for (int32_t perms : perm_sets) {
      std::string node = fresh_node(perms);
      const bool allowed = rule.needs == 0 || (rule.needs & perms) != 0;
      EXPECT_EQ(rule.run(*this, node), allowed ? Err::kOk : Err::kNoAuth)
          << rule.name << " with perms " << perms;
    }
  }
}

TEST_F(AclTableTest, SuperAndSkipAclBypassEveryCheck) {
  std::string node = fresh_node(0);
  as_super();
  EXPECT_EQ(set_data(node, "x"), Err::kOk);
  EXPECT_EQ(create(node + "/k"), Err::kOk);
  as({kAnon, Id{"super", ""}});
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{node, false}).reply.err, Err::kOk);

  DatabaseOptions skip;
  skip.skip_acl = true;
  AclChecker checker(AclPolicy{true, ""});
  EXPECT_TRUE(checker.permits(testing::world(0), perm::kAll, {}));
}

TEST_F(AclTableTest, NoAuthComesAfterNoNodeForReadsAndBeforeItForDelete) {
  std::string node = fresh_node(0);
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{node + "/none", false}).reply.err,
            Err::kNoNode);
  EXPECT_EQ(set_data(node + "/none", "x"), Err::kNoNode);
  EXPECT_EQ(remove(node + "/none"), Err::kNoAuth);
  EXPECT_EQ(set_data(node, "x", 9), Err::kNoAuth);  // NOAUTH before BADVERSION
  EXPECT_EQ(set_acl(node, kOpen, 9), Err::kNoAuth);
}

TEST_F(AclTableTest, DigestAndIpIdsMatchTheirAclEntries) {
  as_super();
  ASSERT_EQ(create("/d", "", {Acl{perm::kRead, Id{"digest", kUser1Digest}}}), Err::kOk);
  const std::pair<const char*, bool> ip_cases[] = {{"127.0.0.1", true},     {"127.0.0.0/8", true},
                                                   {"127.0.0.1/32", true},  {"10.0.0.0/8", false},
                                                   {"127.1.0.0/16", false}, {"0.0.0.0/0", true},
                                                   {"127.0.0.2", false},    {"127.0.0.1/0", true}};
  int i = 0;
  for (const auto& [expr, allowed] : ip_cases) {
    as_super();
    std::string node = "/ip" + std::to_string(i++);
    ASSERT_EQ(create(node, "", {Acl{perm::kRead, Id{"ip", expr}}}), Err::kOk);
    as({kAnon});
    EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{node, false}).reply.err,
              allowed ? Err::kOk : Err::kNoAuth)
        << expr;
  }
  as({kAnon});
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{"/d", false}).reply.err, Err::kNoAuth);
  as({kAnon, Id{"digest", kUser1Digest}});
  EXPECT_EQ(read(OpCode::kGetData, proto::GetDataRequest{"/d", false}).reply.err, Err::kOk);
}

TEST_F(AclTableTest, GetAclHidesDigestHashesWithoutAdmin) {
  as_super();
  const proto::AclList acl = {Acl{perm::kRead, Id{"world", "anyone"}},
                              Acl{perm::kAll, Id{"digest", "bob:ttt4KD2l/LR0Mpj5c6jU0hrwVdE="}},
                              Acl{3, Id{"ip", "10.1.2.3"}}};
  ASSERT_EQ(create("/g", "", acl), Err::kOk);
  as({kAnon});
  proto::GetAclResponse resp;
  ASSERT_TRUE(proto::decode(read(OpCode::kGetACL, proto::GetAclRequest{"/g"}).reply.body, resp));
  EXPECT_EQ(resp.acl[1].id.id, "bob:x");
  EXPECT_EQ(resp.acl[2].id.id, "10.1.2.3");
  EXPECT_EQ(resp.stat, stat("/g"));
  as_super();
  ASSERT_EQ(set_acl("/g", {Acl{perm::kAdmin, Id{"world", "anyone"}}, acl[1]}), Err::kOk);
  as({kAnon});
  ASSERT_TRUE(proto::decode(read(OpCode::kGetACL, proto::GetAclRequest{"/g"}).reply.body, resp));
  EXPECT_EQ(resp.acl[1].id.id, "bob:ttt4KD2l/LR0Mpj5c6jU0hrwVdE=");
}

TEST_F(AclTableTest, AuthSchemeExpandsToTheSessionsDigestIds) {
  as({kAnon});
  EXPECT_EQ(create("/x", "", {Acl{perm::kAll, Id{"auth", ""}}}), Err::kInvalidAcl);
  as({kAnon, Id{"digest", kUser1Digest}});
  ASSERT_EQ(create("/x", "", {Acl{perm::kRead, Id{"auth", "ignored"}}, kOpen[0]}), Err::kOk);
  EXPECT_EQ(db_.tree().acl(*db_.tree().find("/x")),
            (proto::AclList{Acl{perm::kRead, Id{"digest", kUser1Digest}}, kOpen[0]}));
  as({Id{"super", ""}, Id{"digest", kSuperDigest}, kAnon});  // super is not a user
  ASSERT_EQ(create("/y", "", {Acl{perm::kAll, Id{"auth", ""}}}), Err::kOk);
  EXPECT_EQ(db_.tree().acl(*db_.tree().find("/y")),
            (proto::AclList{Acl{perm::kAll, Id{"digest", kSuperDigest}}}));
}

TEST(FixupAclTest, ValidatesSchemesAndIds) {
  const std::vector<Id> none;
  auto check = [&](const Id& id) {
    proto::AclList out;
    return fixup_acl({Acl{perm::kAll, id}}, none, out);
  };
  for (const char* ok : {"127.0.0.1", "1.2.3.4/32", "10.0.0.0/8", "01.2.3.4", "1.2.3.4/+8",
                         "1.2.3.4/08", "0.0.0.0/0"}) {
    EXPECT_EQ(check(Id{"ip", ok}), Err::kOk) << ok;
  }
  for (const char* bad :
       {"1.2.3.4/33", "::1", "fe80::/64", "0:0:0:0:0:0:0:1", "1.2.3", "localhost", "-1.2.3.4",
        "1.2.3.4.", " 1.2.3.4", "1.2.3.4/", "256.1.1.1", "1.2.3.4/-1", "1.2.3.4/ 8"}) {
    EXPECT_EQ(check(Id{"ip", bad}), Err::kInvalidAcl) << bad;
  }
  for (const char* ok : {"user:hash", ":h", "a:b:"}) {
    EXPECT_EQ(check(Id{"digest", ok}), Err::kOk) << ok;
  }
  for (const char* bad : {"user", "user:", "a:b:c", ":", ""}) {
    EXPECT_EQ(check(Id{"digest", bad}), Err::kInvalidAcl) << bad;
  }
  // x509 ids are valid: Paddock always has ZooKeeper's X509AuthenticationProvider (ZooKeeper
  // needs authProvider.x509=... for it; without it such an ACL is INVALIDACL).
  EXPECT_EQ(check(Id{"x509", "CN=a,O=b"}), Err::kOk);
  for (const Id& bad : {Id{"world", "foo"}, Id{"WORLD", "anyone"}, Id{"super", ""},
                        Id{"auth", ""}}) {
    EXPECT_EQ(check(bad), Err::kInvalidAcl) << bad.scheme;
  }
  proto::AclList out;
  EXPECT_EQ(fixup_acl({}, none, out), Err::kInvalidAcl);
}

TEST(FixupAclTest, DropsDuplicatesAndKeepsAnyPermissionBits) {
  const std::vector<Id> none;
  proto::AclList out;
  const Id anyone{"world", "anyone"};
  ASSERT_EQ(fixup_acl({Acl{1, anyone}, Acl{1, anyone}, Acl{2, anyone}}, none, out), Err::kOk);
  EXPECT_EQ(out, (proto::AclList{Acl{1, anyone}, Acl{2, anyone}}));
  for (int32_t perms : {0, 64, -1}) {
    EXPECT_EQ(fixup_acl({Acl{perms, anyone}}, none, out), Err::kOk);
  }
  // One valid entry does not save an invalid one.
  EXPECT_EQ(fixup_acl({Acl{31, anyone}, Acl{31, Id{"world", "foo"}}}, none, out), Err::kInvalidAcl);
}

TEST(IpMatchTest, MatchesIpv4AndIpv6WithPrefixes) {
  EXPECT_TRUE(ip_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(ip_matches("192.168.1.77", "192.168.1.0/24"));
  EXPECT_FALSE(ip_matches("192.168.2.1", "192.168.1.0/24"));
  EXPECT_TRUE(ip_matches("10.1.2.3", "10.255.0.0/8"));
  EXPECT_FALSE(ip_matches("10.1.2.3", "10.0.0.0/33"));
  EXPECT_TRUE(ip_matches("::1", "::1"));
  EXPECT_TRUE(ip_matches("0:0:0:0:0:0:0:1", "::1"));
  EXPECT_TRUE(ip_matches("fe80::1:2", "fe80::/64"));
  EXPECT_FALSE(ip_matches("fe81::1", "fe80::/64"));
  EXPECT_TRUE(ip_matches("2001:db8::ff", "2001:db8::/32"));
  EXPECT_TRUE(ip_matches("::ffff:1.2.3.4", "::ffff:1.2.3.0/120"));
  EXPECT_FALSE(ip_matches("127.0.0.1", "::1"));  // families never mix
  EXPECT_FALSE(ip_matches("::1", "0.0.0.0/0"));
  EXPECT_FALSE(ip_matches("not-an-ip", "0.0.0.0/0"));
  EXPECT_FALSE(ip_matches("1::2::3", "::/0"));
}

TEST(AuthProviderTest, DigestIsUserColonBase64Sha1) {
  EXPECT_EQ(digest_of("user1:pw1"), kUser1Digest);
  EXPECT_EQ(digest_of("super:secret"), kSuperDigest);
  EXPECT_EQ(digest_of("nocolon").substr(0, 8), "nocolon:");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode(""), "");
}

TEST(AuthProviderTest, AuthenticateGrantsDigestSuperAndIp) {
  EXPECT_EQ(authenticate_ids("digest", "user1:pw1", "127.0.0.1", kSuperDigest),
            (std::vector<Id>{Id{"digest", kUser1Digest}}));
  EXPECT_EQ(authenticate_ids("digest", "super:secret", "127.0.0.1", kSuperDigest),
            (std::vector<Id>{Id{"super", ""}, Id{"digest", kSuperDigest}}));
  EXPECT_EQ(authenticate_ids("ip", "1.2.3.4", "127.0.0.1", ""),
            (std::vector<Id>{Id{"ip", "127.0.0.1"}}));  // the packet cannot claim an address
  EXPECT_TRUE(authenticate_ids("foo", "bar", "127.0.0.1", "").empty());
  Database db{with_super()};
  EXPECT_EQ(db.authenticate("digest", "user1:pw1"), (Id{"digest", kUser1Digest}));
  EXPECT_EQ(db.authenticate("ip", "1.2.3.4"), std::nullopt);
  EXPECT_EQ(db.authenticate("foo", "x"), std::nullopt);
  EXPECT_EQ(db.authenticate_ids("digest", "super:secret", "::1").size(), 2u);
}

TEST(AclCheckerTest, SaslIdMatchesExactlyIsValidAsAKerberosNameAndGoesIntoAuthAcls) {
  AclChecker checker(AclPolicy{});
  const proto::AclList acl = {Acl{perm::kRead, Id{"sasl", "bob"}}};
  EXPECT_TRUE(checker.permits(acl, perm::kRead, {Id{"ip", "127.0.0.1"}, Id{"sasl", "bob"}}));
  EXPECT_FALSE(checker.permits(acl, perm::kRead, {Id{"sasl", "bobby"}}));
  EXPECT_FALSE(checker.permits(acl, perm::kRead, {Id{"digest", "bob"}}));
  proto::AclList out;
  for (const char* good : {"bob", "alice@EXAMPLE.COM", "zk/host@R", "a/b", "@R", ""}) {
    EXPECT_EQ(fixup_acl({Acl{31, Id{"sasl", good}}}, {}, out), Err::kOk) << good;
  }
  for (const char* bad : {"a@b@c", "a/b/c@R", "a@R/x"}) {
    EXPECT_EQ(fixup_acl({Acl{31, Id{"sasl", bad}}}, {}, out), Err::kInvalidAcl) << bad;
  }
  ASSERT_EQ(fixup_acl({Acl{31, Id{"auth", ""}}}, {Id{"ip", "127.0.0.1"}, Id{"sasl", "bob"}}, out),
            Err::kOk);
  EXPECT_EQ(out, (proto::AclList{Acl{31, Id{"sasl", "bob"}}}));
}

TEST(AuthProviderTest, WhoAmIShowsTheDigestUserOnly) {
  EXPECT_EQ(who_am_i_user(Id{"digest", kUser1Digest}), "user1");
  EXPECT_EQ(who_am_i_user(Id{"digest", ":h"}), "");
  EXPECT_EQ(who_am_i_user(Id{"ip", "127.0.0.1"}), "127.0.0.1");
  EXPECT_EQ(who_am_i_user(Id{"super", ""}), "");
}

TEST(AclCheckerTest, X509IdMatchesItsExactSubjectAndGoesIntoAuthAcls) {
  AclChecker checker(AclPolicy{});
  const proto::AclList acl = {Acl{perm::kRead, Id{"x509", "CN=client,O=Paddock"}}};
  EXPECT_TRUE(checker.permits(acl, perm::kRead,
                              {Id{"ip", "127.0.0.1"}, Id{"x509", "CN=client,O=Paddock"}}));
  EXPECT_FALSE(checker.permits(acl, perm::kRead, {Id{"x509", "CN=client,O=Other"}}));
  EXPECT_FALSE(checker.permits(acl, perm::kWrite, {Id{"x509", "CN=client,O=Paddock"}}));
  proto::AclList out;
  ASSERT_EQ(fixup_acl({Acl{31, Id{"auth", ""}}},
                      {Id{"ip", "127.0.0.1"}, Id{"x509", "CN=client,O=Paddock"}}, out),
            Err::kOk);
  EXPECT_EQ(out, (proto::AclList{Acl{31, Id{"x509", "CN=client,O=Paddock"}}}));
}

}  // namespace
}  // namespace paddock::state
