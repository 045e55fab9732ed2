// CyrusAuthenticator against Cyrus SASL's own DIGEST-MD5 client, in process: the users of
// the JAAS section authenticate, a wrong password or unknown user fails, garbage fails
// without harm. (GSSAPI needs a KDC: tests/integration/test_sasl_kerberos.py.)
#include "sasl/cyrus_authenticator.h"

#include <gtest/gtest.h>
#include <sasl/sasl.h>

#include <cstring>

namespace paddock::sasl {
namespace {

using Step = pipeline::SaslExchange::Step;

// Cyrus keeps every callback as int (*)(void) and calls it with the arguments its id
// implies; the cast goes through void (*)() so the compiler accepts it.
template <typename F>
auto as_callback(F* f) {
  return reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)()>(f));
}


struct ClientCredentials {
  std::string user;
  std::string password;
  std::vector<char> secret;  // sasl_secret_t with the password
};

int client_simple(void* context, int id, const char** result, unsigned* len) {
  auto* c = static_cast<ClientCredentials*>(context);
  if (id != SASL_CB_AUTHNAME && id != SASL_CB_USER) return SASL_BADPARAM;
  *result = c->user.c_str();
  if (len != nullptr) *len = static_cast<unsigned>(c->user.size());
  return SASL_OK;
}

int client_password(sasl_conn_t*, void* context, int, sasl_secret_t** secret) {
  auto* c = static_cast<ClientCredentials*>(context);
  c->secret.assign(sizeof(sasl_secret_t) + c->password.size() + 1, 0);
  auto* s = reinterpret_cast<sasl_secret_t*>(c->secret.data());
  s->len = c->password.size();
  std::memcpy(s->data, c->password.data(), c->password.size());
  *secret = s;
  return SASL_OK;
}

// Runs a DIGEST-MD5 exchange as ZooKeeper's clients do: an empty first token, then the
// client's answer to each challenge. Returns the server's last step.
Step digest_exchange(pipeline::SaslAuthenticator& server, const std::string& user,
                     const std::string& password) {
  static const int init = sasl_client_init(nullptr);
  EXPECT_EQ(init, SASL_OK);
  ClientCredentials creds{user, password, {}};
  sasl_callback_t callbacks[] = {
      {SASL_CB_AUTHNAME, as_callback(&client_simple), &creds},
      {SASL_CB_USER, as_callback(&client_simple), &creds},
      {SASL_CB_PASS, as_callback(&client_password), &creds},
      {SASL_CB_LIST_END, nullptr, nullptr}};
  sasl_conn_t* client = nullptr;
  EXPECT_EQ(sasl_client_new("zookeeper", "zk-sasl-md5", nullptr, nullptr, callbacks, 0, &client),
            SASL_OK);
  const char* out = nullptr;
  unsigned out_len = 0;
  const char* mech = nullptr;
  EXPECT_EQ(sasl_client_start(client, "DIGEST-MD5", nullptr, &out, &out_len, &mech),
            SASL_CONTINUE);
  auto exchange = server.start("127.0.0.1", 40000);
  Step step = exchange->step(std::string(out == nullptr ? "" : out, out_len));
  for (int round = 0; round < 4 && step.status == Step::Status::kContinue; ++round) {
    int r = sasl_client_step(client, step.token.data(), static_cast<unsigned>(step.token.size()),
                             nullptr, &out, &out_len);
    EXPECT_TRUE(r == SASL_CONTINUE || r == SASL_OK) << sasl_errdetail(client);
    step = exchange->step(std::string(out == nullptr ? "" : out, out_len));
  }
  if (step.status == Step::Status::kComplete) {
    // The client checks the server's rspauth.
    EXPECT_EQ(sasl_client_step(client, step.token.data(),
                               static_cast<unsigned>(step.token.size()), nullptr, &out, &out_len),
              SASL_OK)
        << sasl_errdetail(client);
  }
  sasl_dispose(&client);
  return step;
}

std::shared_ptr<CyrusAuthenticator> digest_server() {
  config::SaslSettings settings;
  settings.digest_users = {{"bob", "bobsecret"}, {"super", "adminsecret"}};
  auto server = CyrusAuthenticator::create(settings);
  EXPECT_TRUE(server.is_ok()) << (server ? "" : server.error());
  return server ? *server : nullptr;
}

TEST(CyrusAuthenticatorTest, DigestUserWithTheRightPasswordGetsItsName) {
  auto server = digest_server();
  ASSERT_NE(server, nullptr);
  Step step = digest_exchange(*server, "bob", "bobsecret");
  ASSERT_EQ(step.status, Step::Status::kComplete) << step.error;
  EXPECT_EQ(step.authorized_id, "bob");
  EXPECT_NE(step.token.find("rspauth="), std::string::npos);
}

TEST(CyrusAuthenticatorTest, WrongPasswordAndUnknownUserFail) {
  auto server = digest_server();
  ASSERT_NE(server, nullptr);
  Step wrong = digest_exchange(*server, "bob", "guess");
  EXPECT_EQ(wrong.status, Step::Status::kFailed);
  EXPECT_FALSE(wrong.error.empty());
  Step unknown = digest_exchange(*server, "mallory", "bobsecret");
  EXPECT_EQ(unknown.status, Step::Status::kFailed);
}

TEST(CyrusAuthenticatorTest, GarbageTokensFailTheExchange) {
  auto server = digest_server();
  ASSERT_NE(server, nullptr);
  for (std::string garbage : {std::string("\xff\x00garbage", 9), std::string(5000, 'A'),
                              std::string("username=\"bob\",nonce=\"x\",response=\"00\"")}) {
    auto exchange = server->start("127.0.0.1", 1);
    Step first = exchange->step("");
    ASSERT_EQ(first.status, Step::Status::kContinue);
    EXPECT_NE(first.token.find("realm=\"zk-sasl-md5\""), std::string::npos) << first.token;
    EXPECT_EQ(exchange->step(garbage).status, Step::Status::kFailed);
  }
}

TEST(ZookeeperAuthorizedIdTest, FollowsSaslServerCallbackHandler) {
  EXPECT_EQ(zookeeper_authorized_id("bob", "", false, false), "bob");
  EXPECT_EQ(zookeeper_authorized_id("a/b", "", false, false), "a/b");  // no '@': all name
  const std::string_view realm = "EXAMPLE.COM";
  EXPECT_EQ(zookeeper_authorized_id("alice@EXAMPLE.COM", realm, false, false),
            "alice@EXAMPLE.COM");
  EXPECT_EQ(zookeeper_authorized_id("alice@EXAMPLE.COM", realm, false, true), "alice");
  EXPECT_EQ(zookeeper_authorized_id("zkcli/host1@EXAMPLE.COM", realm, false, false),
            "zkcli/host1@EXAMPLE.COM");
  EXPECT_EQ(zookeeper_authorized_id("zkcli/host1@EXAMPLE.COM", realm, true, false),
            "zkcli@EXAMPLE.COM");
  EXPECT_EQ(zookeeper_authorized_id("zkcli/host1@EXAMPLE.COM", realm, true, true), "zkcli");
  // Another realm has no short name under the DEFAULT rule: the principal stays whole.
  EXPECT_EQ(zookeeper_authorized_id("zkcli/host1@OTHER.ORG", realm, true, true),
            "zkcli/host1@OTHER.ORG");
  EXPECT_EQ(zookeeper_authorized_id("a@b@C", realm, false, false), std::nullopt);
  EXPECT_EQ(zookeeper_authorized_id("a/b/c@C", realm, false, false), std::nullopt);
}

}  // namespace
}  // namespace paddock::sasl
