// CyrusQuorumAuthenticator: its DIGEST-MD5 learner against its DIGEST-MD5 server, in process,
// through Cyrus on both sides (the bytes ZooKeeper's peers exchange: an empty first token, a
// challenge, a response, rspauth with SUCCESS); wrong and unknown users fail. The
// authorization rule of ZooKeeper's fixed callback handler (CVE-2023-44981) and _HOST, as
// pure functions. (GSSAPI needs a KDC: tests/integration/test_ensemble_sasl.py.)
#include "sasl/quorum_authenticator.h"

#include <gtest/gtest.h>

namespace paddock::sasl {
namespace {

using Status = peer::PeerAuthStep::Status;

config::QuorumSaslSettings digest(std::string user, std::string password) {
  config::QuorumSaslSettings s;
  s.server_section = "QuorumServer";
  s.learner_section = "QuorumLearner";
  s.server_users = {{"test", "test123"}, {"other", "pw2"}};
  s.learner_username = std::move(user);
  s.learner_password = std::move(password);
  return s;
}

std::shared_ptr<CyrusQuorumAuthenticator> make(config::QuorumSaslSettings s) {
  auto a = CyrusQuorumAuthenticator::create(std::move(s), {"127.0.0.1", "localhost"});
  EXPECT_TRUE(a) << a.error();
  return a ? *a : nullptr;
}

struct Transcript {
  std::vector<std::optional<std::string>> learner_tokens;
  std::vector<peer::PeerAuthStep> server_steps;
  peer::PeerAuthStep last_learner;
};

// Drives a learner and a server exchange as peer/quorum_sasl.cc does.
Transcript run(peer::PeerAuthenticator& learner_side, peer::PeerAuthenticator& server_side) {
  Transcript t;
  auto learner = learner_side.learner("localhost");
  auto server = server_side.server("127.0.0.1:4242");
  peer::PeerAuthStep l = learner->step(std::nullopt);
  for (int round = 0; round < 6; ++round) {
    EXPECT_NE(l.status, Status::kFailed) << l.error;
    if (l.status == Status::kFailed) break;
    t.learner_tokens.push_back(l.token ? l.token : std::string());
    peer::PeerAuthStep s = server->step(t.learner_tokens.back());
    t.server_steps.push_back(s);
    if (s.status != Status::kContinue) {
      if (s.status == Status::kComplete) l = learner->step(s.token);
      break;
    }
    l = learner->step(s.token);
  }
  t.last_learner = l;
  return t;
}

TEST(CyrusQuorumAuthenticator, DigestLearnerAndServerAuthenticateAsZooKeepersPeers) {
  auto a = make(digest("test", "test123"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server_mechanism(), "DIGEST-MD5");
  EXPECT_EQ(a->learner_mechanism(), "DIGEST-MD5");
  Transcript t = run(*a, *a);
  ASSERT_EQ(t.learner_tokens.size(), 2u);
  EXPECT_EQ(t.learner_tokens[0], std::string());  // server-first: an empty first token
  ASSERT_EQ(t.server_steps.size(), 2u);
  ASSERT_TRUE(t.server_steps[0].token);
  EXPECT_NE(t.server_steps[0].token->find("realm=\"zk-quorum-sasl-md5\""), std::string::npos);
  EXPECT_NE(t.learner_tokens[1]->find("digest-uri=\"zookeeper-quorum/zk-quorum-sasl-md5\""),
            std::string::npos);
  EXPECT_NE(t.learner_tokens[1]->find("qop=auth"), std::string::npos);
  // SUCCESS carries rspauth (SASL_SUCCESS_DATA), and the learner completes on it with nothing
  // more to send -- as a ZooKeeper learner requires.
  EXPECT_EQ(t.server_steps[1].status, Status::kComplete);
  ASSERT_TRUE(t.server_steps[1].token);
  EXPECT_TRUE(t.server_steps[1].token->starts_with("rspauth="));
  EXPECT_EQ(t.server_steps[1].peer_id, "test");
  EXPECT_EQ(t.last_learner.status, Status::kComplete);
  EXPECT_TRUE(!t.last_learner.token || t.last_learner.token->empty());
  EXPECT_FALSE(a->learner("h")->step_may_block());  // DIGEST-MD5 runs on the io thread
}

// Cyrus' DIGEST-MD5 client caches the last nonce per server name and opens a second exchange
// with a reauthentication response; a ZooKeeper learner always opens with an empty token.
TEST(CyrusQuorumAuthenticator, EveryDigestExchangeOpensWithAnEmptyToken) {
  auto a = make(digest("test", "test123"));
  ASSERT_TRUE(a);
  for (int round = 0; round < 3; ++round) {
    Transcript t = run(*a, *a);
    ASSERT_EQ(t.learner_tokens.size(), 2u) << round;
    EXPECT_EQ(t.learner_tokens[0], std::string()) << round;
    EXPECT_NE(t.learner_tokens[1]->find("nc=00000001"), std::string::npos) << round;
    ASSERT_EQ(t.server_steps.size(), 2u) << round;
    EXPECT_EQ(t.server_steps[1].status, Status::kComplete) << round;
    EXPECT_EQ(t.last_learner.status, Status::kComplete) << round;
  }
}

TEST(CyrusQuorumAuthenticator, WrongPasswordAndUnknownUserFail) {
  auto server = make(digest("test", "test123"));
  for (auto [user, password] : {std::pair{"test", "wrong"}, std::pair{"nobody", "test123"}}) {
    auto learner = make(digest(user, password));
    Transcript t = run(*learner, *server);
    ASSERT_EQ(t.server_steps.size(), 2u) << user;
    EXPECT_EQ(t.server_steps[1].status, Status::kFailed) << user;
    EXPECT_NE(t.server_steps[1].error.find("DIGEST-MD5"), std::string::npos)
        << t.server_steps[1].error;
  }
}

TEST(CyrusQuorumAuthenticator, GarbageAndANullFirstTokenFailWithoutHarm) {
  auto a = make(digest("test", "test123"));
  auto server = a->server("127.0.0.1:1");
  EXPECT_EQ(server->step(std::string()).status, Status::kContinue);
  EXPECT_EQ(server->step(std::string("\xff\x00garbage", 9)).status, Status::kFailed);
  auto again = a->server("127.0.0.1:2");
  EXPECT_EQ(again->step(std::nullopt).status, Status::kContinue);  // read as empty
}

TEST(QuorumAuthorization, DigestOnlyChecksTheIdsAgree) {
  const std::set<std::string> hosts{"zk1"};
  EXPECT_TRUE(authorize_quorum_learner("test", "test", true, "", hosts).authorized);
  EXPECT_TRUE(
      authorize_quorum_learner("test@zk-quorum-sasl-md5", "test", true, "", hosts).authorized);
  QuorumAuthorization other = authorize_quorum_learner("test", "other", true, "", hosts);
  EXPECT_FALSE(other.authorized);
  EXPECT_EQ(other.error, "DIGEST-MD5: test is not authorized to act as other");
}

TEST(QuorumAuthorization, KerberosNeedsServiceSlashAMemberHostAtRealm) {
  const std::set<std::string> hosts{"localhost", "zk2.example.com", "127.0.0.1"};
  auto check = [&](std::string_view authn, std::string_view authz) {
    return authorize_quorum_learner(authn, authz, false, "EXAMPLE.COM", hosts);
  };
  // A Java learner asks for its whole principal; Cyrus reports it without the default realm.
  QuorumAuthorization java = check("zkquorum/localhost", "zkquorum/localhost@EXAMPLE.COM");
  EXPECT_TRUE(java.authorized) << java.error;
  EXPECT_EQ(java.id, "zkquorum/localhost@EXAMPLE.COM");
  // A Cyrus learner asks for nothing: the authentication id.
  EXPECT_TRUE(check("zkquorum/zk2.example.com", "zkquorum/zk2.example.com").authorized);
  EXPECT_TRUE(check("zkquorum/127.0.0.1@OTHER.REALM", "zkquorum/127.0.0.1@OTHER.REALM").authorized);
  // CVE-2023-44981: a host that is no member, and principals without a host part.
  QuorumAuthorization evil = check("zkquorum/evilhost", "zkquorum/evilhost@EXAMPLE.COM");
  EXPECT_FALSE(evil.authorized);
  EXPECT_EQ(evil.error,
            "SASL authorization completed, zkquorum/evilhost@EXAMPLE.COM is not authorized to "
            "connect");
  QuorumAuthorization eve = check("eve", "eve@EXAMPLE.COM");
  EXPECT_FALSE(eve.authorized);
  EXPECT_EQ(eve.id, "eve@EXAMPLE.COM");
  EXPECT_FALSE(check("eve", "eve").authorized);  // a Cyrus learner without an instance
  EXPECT_FALSE(check("zkquorum/a/localhost", "zkquorum/a/localhost").authorized);
  EXPECT_FALSE(check("zkquorum/LOCALHOST", "zkquorum/LOCALHOST").authorized);  // exact match
  // Acting as someone else.
  EXPECT_FALSE(check("zkquorum/localhost", "zkquorum/zk2.example.com@EXAMPLE.COM").authorized);
  EXPECT_FALSE(check("zkquorum/localhost", "zkquorum/localhost@OTHER.REALM").authorized);
}

TEST(QuorumAuthorization, SplitsPrincipalsAsJavasSplitDoes) {
  EXPECT_EQ(split_principal("a/b@R"), (std::vector<std::string>{"a", "b", "R"}));
  EXPECT_EQ(split_principal("a@R"), (std::vector<std::string>{"a", "R"}));
  EXPECT_EQ(split_principal("a/b@"), (std::vector<std::string>{"a", "b"}));  // trailing dropped
  EXPECT_EQ(split_principal("a//b@R"), (std::vector<std::string>{"a", "", "b", "R"}));
}

TEST(QuorumServicePrincipal, HostIsReplacedOnlyInServiceSlashHost) {
  EXPECT_EQ(quorum_service_principal("zkquorum/_HOST", "ZK1.Example.com"),
            "zkquorum/zk1.example.com");
  EXPECT_EQ(quorum_service_principal("zkquorum/_HOST@EXAMPLE.COM", "zk1"),
            "zkquorum/_HOST@EXAMPLE.COM");  // as ZooKeeper: not substituted
  EXPECT_EQ(quorum_service_principal("zkquorum/localhost", "zk1"), "zkquorum/localhost");
  EXPECT_EQ(principal_service_and_host("zkquorum/zk1@EXAMPLE.COM"),
            (std::pair<std::string, std::string>{"zkquorum", "zk1"}));
  EXPECT_EQ(principal_service_and_host("zkquorum/127.0.0.1"),
            (std::pair<std::string, std::string>{"zkquorum", "127.0.0.1"}));
}

}  // namespace
}  // namespace paddock::sasl
