#include "config/jaas_file.h"

#include <gtest/gtest.h>

#include "config/auth_settings.h"

namespace paddock::config {
namespace {

std::string jaas_error(std::string_view text) {
  Result<JaasFile> r = parse_jaas(text, "jaas.conf");
  EXPECT_FALSE(r.is_ok()) << text;
  return r ? std::string() : r.error();
}

TEST(JaasFileTest, ReadsSectionsModulesFlagsAndOptions) {
  Result<JaasFile> r = parse_jaas(
      "// ZooKeeper's server and client sections\n"
      "Server {\n"
      "  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
      "  user_super=\"adminsecret\"\n"
      "  user_bob=\"bob\\\"s \\\\secret\";\n"
      "  /* a Kerberos login\n     spanning lines */\n"
      "  com.sun.security.auth.module.Krb5LoginModule REQUIRED useKeyTab=true\n"
      "  keyTab=\"/etc/zk.keytab\" principal=\"zookeeper/host@EXAMPLE.COM\";\n"
      "};\n"
      "Client { org.apache.zookeeper.server.auth.DigestLoginModule optional username=bob "
      "password=\"x\" password=\"y\"; };\n",
      "jaas.conf");
  ASSERT_TRUE(r.is_ok()) << r.error();
  ASSERT_EQ(r->sections.size(), 2u);
  const JaasSection* server = r->find("Server");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->line, 2);
  ASSERT_EQ(server->modules.size(), 2u);
  EXPECT_EQ(server->modules[0].class_name, "org.apache.zookeeper.server.auth.DigestLoginModule");
  EXPECT_EQ(server->modules[0].flag, "required");
  EXPECT_EQ(server->modules[0].option("user_bob"), "bob\"s \\secret");
  EXPECT_EQ(server->modules[1].line, 8);
  EXPECT_EQ(server->modules[1].flag, "required");
  EXPECT_EQ(server->modules[1].option("principal"), "zookeeper/host@EXAMPLE.COM");
  EXPECT_EQ(server->modules[1].option("useKeyTab"), "true");
  const JaasSection* client = r->find("Client");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->modules[0].option("username"), "bob");
  EXPECT_EQ(client->modules[0].option("password"), "y");  // the last one wins, as in Java
  EXPECT_EQ(r->find("QuorumServer"), nullptr);
}

// As java.io.StreamTokenizer reads quoted strings for Java's ConfigFile: a Windows path
// written with single backslashes is not what it looks like, in ZooKeeper either.
TEST(JaasFileTest, QuotedStringsTakeJavasEscapes) {
  Result<JaasFile> r = parse_jaas(
      R"(S { M required a="C:\temp\new" b="\101\1011\477\8" c="\q\"\\" d="\a\b\f\r\v"; };)", "j");
  ASSERT_TRUE(r.is_ok()) << r.error();
  const JaasModule& m = r->sections[0].modules[0];
  EXPECT_EQ(m.option("a"), "C:\temp\new");
  // Octal: three digits when the first is 0-3, else two; a digit past them is itself.
  EXPECT_EQ(m.option("b"), "AA1'78");
  EXPECT_EQ(m.option("c"), "q\"\\");
  EXPECT_EQ(m.option("d"), "\a\b\f\r\v");
}

// Found by fuzz/jaas_fuzz.cc: a quoted section name may hold what a bare one cannot.
TEST(JaasFileTest, AQuotedSectionNameMayHoldAnyCharacter) {
  Result<JaasFile> r = parse_jaas("\"ayka\\ter_sufficientsuper=\"{\norg.apac required;\n};\n", "j");
  ASSERT_TRUE(r.is_ok()) << r.error();
  ASSERT_EQ(r->sections.size(), 1u);
  EXPECT_EQ(r->sections[0].name, "ayka\ter_sufficientsuper=");
  EXPECT_NE(r->find("ayka\ter_sufficientsuper="), nullptr);
}

TEST(JaasFileTest, ExpandsSystemProperties) {
  Result<JaasFile> r = parse_jaas("S { M required keyTab=\"${dir}/zk.keytab\"; };", "j",
                                  {{"dir", "/etc/zk"}});
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->sections[0].modules[0].option("keyTab"), "/etc/zk/zk.keytab");
  Result<JaasFile> bad = parse_jaas("S {\n M required keyTab=\"${nope}/k\"; };", "j");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.error(), "j:2: ${nope}: no such system property (pass -Dnope=...)");
}

TEST(JaasFileTest, ErrorsNameTheLine) {
  EXPECT_EQ(jaas_error("Server {\n  M required\n  user_a \"x\";\n};\n"),
            "jaas.conf:3: expected '=' after option name 'user_a', found \"x\"");
  EXPECT_EQ(jaas_error("Server {\n  M mandatory a=b;\n};\n"),
            "jaas.conf:2: expected a control flag (required, requisite, sufficient or "
            "optional) after M, found 'mandatory'");
  EXPECT_EQ(jaas_error("Server {\n  M required a=b;\n}\n"),
            "jaas.conf:4: expected ';' after '}' of section 'Server', found end of file");
  EXPECT_EQ(jaas_error("Server {\n  M required a=b;\n"),
            "jaas.conf:1: section 'Server' is not closed with '};'");
  EXPECT_EQ(jaas_error("Server {\n  M required a=\"b;\n};\n"),
            "jaas.conf:2: quoted value is not closed on its line");
  EXPECT_EQ(jaas_error("\n/* never closed\n"),
            "jaas.conf:2: comment opened with /* is never closed");
  EXPECT_EQ(jaas_error("Server { };\n"), "jaas.conf:1: section 'Server' has no login module");
  EXPECT_EQ(jaas_error("S { M required; };\nS { M required; };\n"),
            "jaas.conf:2: section 'S' appears twice");
  EXPECT_EQ(jaas_error("Server {\n  M required a=b\n};\n"),
            "jaas.conf:3: expected an option name or ';' ending the M entry, found '}'");
  EXPECT_EQ(jaas_error("Server (\n"), "jaas.conf:1: unexpected character '('");
}

TEST(JaasFileTest, MissingFileIsAnError) {
  Result<JaasFile> r = load_jaas("/nonexistent/jaas.conf");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(), "/nonexistent/jaas.conf: cannot read JAAS file");
}

// --- AuthSettings: the JAAS server section and the properties around it -----------------

using Props = std::map<std::string, std::string>;

Result<AuthSettings> settings(std::string_view jaas_text, const Props& props,
                              std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> w;
  Result<JaasFile> jaas = parse_jaas(jaas_text, "jaas.conf");
  EXPECT_TRUE(jaas.is_ok()) << jaas.error();
  Result<AuthSettings> r = resolve_auth_settings(props, std::optional<JaasFile>(*jaas), w);
  if (warnings) *warnings = w;
  return r;
}

constexpr std::string_view kDigestAndKerberos =
    "Server {\n"
    "  org.apache.zookeeper.server.auth.DigestLoginModule required user_bob=\"pw\" "
    "user_super=\"s\";\n"
    "  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
    "keyTab=\"/k\" principal=\"zookeeper/localhost@EXAMPLE.COM\";\n"
    "};\n";

TEST(AuthSettingsTest, ServerSectionGivesDigestUsersAndTheServicePrincipal) {
  Result<AuthSettings> r = settings(
      kDigestAndKerberos,
      {{"zookeeper.authProvider.1", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"},
       {"zookeeper.kerberos.removeHostFromPrincipal", "TRUE"},
       {"zookeeper.superUser", "super"}});
  ASSERT_TRUE(r.is_ok()) << r.error();
  ASSERT_TRUE(r->sasl.has_value());
  const SaslSettings& s = *r->sasl;
  EXPECT_EQ(s.digest_users, (std::map<std::string, std::string>{{"bob", "pw"}, {"super", "s"}}));
  EXPECT_EQ(s.keytab, "/k");
  EXPECT_EQ(s.service_name(), "zookeeper");
  EXPECT_EQ(s.service_host(), "localhost");
  EXPECT_EQ(s.service_realm(), "EXAMPLE.COM");
  EXPECT_TRUE(s.remove_host_from_principal);
  EXPECT_FALSE(s.remove_realm_from_principal);
  EXPECT_EQ(r->provider_schemes, std::set<std::string>{"sasl"});
  EXPECT_EQ(r->super_user, "super");
  EXPECT_FALSE(r->enforce);
}

TEST(AuthSettingsTest, OtherSectionNameAndMissingSection) {
  std::vector<std::string> warnings;
  Result<AuthSettings> r = settings(kDigestAndKerberos, {{"zookeeper.sasl.serverconfig", "Zk"}},
                                    &warnings);
  ASSERT_TRUE(r.is_ok());
  EXPECT_FALSE(r->sasl.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "jaas.conf: no JAAS section named 'Zk': SASL is off for clients");
}

TEST(AuthSettingsTest, BadModulesAreErrorsNamingTheLine) {
  auto error = [](std::string_view text) {
    Result<AuthSettings> r = settings(text, {});
    return r ? std::string() : r.error();
  };
  EXPECT_EQ(error("Server {\n x.DigestLoginModule required username=\"a\";\n};\n"),
            "jaas.conf:2: x.DigestLoginModule: no user_<name>=\"<password>\" option: no user "
            "could authenticate with DIGEST-MD5");
  EXPECT_EQ(error("Server {\n\n x.Krb5LoginModule required useKeyTab=true keyTab=\"/k\" "
                  "principal=\"zookeeper@EXAMPLE.COM\";\n};\n"),
            "jaas.conf:3: x.Krb5LoginModule: principal 'zookeeper@EXAMPLE.COM' is not of the "
            "form service/host@REALM");
  EXPECT_EQ(error("Server {\n x.Krb5LoginModule required useTicketCache=true "
                  "principal=\"zookeeper/h@R\";\n};\n"),
            "jaas.conf:2: x.Krb5LoginModule: Paddock needs useKeyTab=true and keyTab=\"<file>\" "
            "for the service's key (a ticket cache cannot accept clients)");
  EXPECT_EQ(error("Server {\n com.example.LdapLoginModule required;\n};\n"),
            "jaas.conf:2: com.example.LdapLoginModule: login module not supported (Paddock's "
            "SASL server reads DigestLoginModule users and a Krb5LoginModule keytab)");
}

TEST(AuthSettingsTest, EnforcementNeedsSchemesWithProviders) {
  std::vector<std::string> w;
  const Props sasl_provider = {
      {"zookeeper.authProvider.sasl", "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}};
  Props require = sasl_provider;
  require["zookeeper.sessionRequireClientSASLAuth"] = "true";
  Result<AuthSettings> r = resolve_auth_settings(require, std::nullopt, w);
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_TRUE(r->enforce);
  EXPECT_EQ(r->enforce_schemes, std::vector<std::string>{"sasl"});

  r = resolve_auth_settings({{"zookeeper.sessionRequireClientSASLAuth", "true"}}, std::nullopt, w);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.error().find("scheme 'sasl'"), std::string::npos) << r.error();

  r = resolve_auth_settings({{"zookeeper.enforce.auth.enabled", "true"},
                             {"zookeeper.enforce.auth.schemes", " digest , sasl,"},
                             {"zookeeper.authProvider.1",
                              "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}},
                            std::nullopt, w);
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->enforce_schemes, (std::vector<std::string>{"digest", "sasl"}));

  r = resolve_auth_settings({{"zookeeper.enforce.auth.enabled", "true"}}, std::nullopt, w);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(),
            "zookeeper.enforce.auth.enabled is true: zookeeper.enforce.auth.schemes must name "
            "at least one scheme");
  r = resolve_auth_settings({{"zookeeper.enforce.auth.enabled", "yes please"}}, std::nullopt, w);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(),
            "zookeeper.enforce.auth.enabled: invalid value 'yes please' (use true or false)");
}

// --- QuorumSaslSettings: the QuorumServer and QuorumLearner sections -------------------

Result<QuorumSaslSettings> quorum(std::string_view jaas_text, const Props& props = {},
                                  std::string_view principal = "zkquorum/localhost") {
  Result<JaasFile> jaas = parse_jaas(jaas_text, "jaas.conf");
  EXPECT_TRUE(jaas.is_ok()) << jaas.error();
  return resolve_quorum_sasl_settings(props, std::optional<JaasFile>(*jaas), "QuorumServer",
                                      "QuorumLearner", principal);
}

constexpr std::string_view kQuorumDigest =
    "QuorumServer {\n"
    "  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
    "  user_test=\"test123\" user_other=\"o\";\n"
    "};\n"
    "QuorumLearner {\n"
    "  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
    "  username=\"test\" password=\"test123\";\n"
    "};\n";

TEST(QuorumSaslSettingsTest, DigestSectionsGiveUsersAndTheLearnersLogin) {
  Result<QuorumSaslSettings> r = quorum(kQuorumDigest);
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_EQ(r->jaas_path, "jaas.conf");
  EXPECT_TRUE(r->server_digest_only);
  EXPECT_FALSE(r->server_kerberos());
  EXPECT_EQ(r->server_users,
            (std::map<std::string, std::string>{{"test", "test123"}, {"other", "o"}}));
  EXPECT_FALSE(r->learner_kerberos());
  EXPECT_EQ(r->learner_username, "test");
  EXPECT_EQ(r->learner_password, "test123");
  EXPECT_EQ(r->service_principal, "zkquorum/localhost");
}

constexpr std::string_view kQuorumKerberos =
    "QuorumServer {\n"
    "  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true\n"
    "  keyTab=\"/k/zk.keytab\" principal=\"zkquorum/zk1.example.com@EXAMPLE.COM\";\n"
    "};\n"
    "QuorumLearner {\n"
    "  com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true\n"
    "  keyTab=\"/k/zk.keytab\" principal=\"zkquorum/zk1.example.com@EXAMPLE.COM\";\n"
    "};\n";

TEST(QuorumSaslSettingsTest, KerberosSectionsGivePrincipalsAndKeytabs) {
  Result<QuorumSaslSettings> r = quorum(kQuorumKerberos, {}, "zkquorum/_HOST");
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_FALSE(r->server_digest_only);  // host checks apply (CVE-2023-44981)
  EXPECT_EQ(r->server_principal, "zkquorum/zk1.example.com@EXAMPLE.COM");
  EXPECT_EQ(r->server_keytab, "/k/zk.keytab");
  EXPECT_EQ(r->learner_principal, "zkquorum/zk1.example.com@EXAMPLE.COM");
  EXPECT_EQ(r->learner_keytab, "/k/zk.keytab");
  EXPECT_EQ(r->service_principal, "zkquorum/_HOST");
}

TEST(QuorumSaslSettingsTest, DigestModeOnlyWhenEveryModuleIsZooKeepersDigestLoginModule) {
  // A module of another class in the server section turns the host check on (and users are
  // then of no use), as ZooKeeper's fixed callback handler decides.
  Result<QuorumSaslSettings> r = quorum(
      "QuorumServer { DigestLoginModule required user_a=\"b\"; };\n"
      "QuorumLearner { org.apache.zookeeper.server.auth.DigestLoginModule required "
      "username=a password=b; };\n");
  ASSERT_TRUE(r.is_ok()) << r.error();
  EXPECT_FALSE(r->server_digest_only);
}

TEST(QuorumSaslSettingsTest, MissingFileSectionsAndOptionsAreErrors) {
  auto error = [](std::string_view text, std::string_view principal = "zkquorum/localhost") {
    Result<QuorumSaslSettings> r = quorum(text, {}, principal);
    EXPECT_FALSE(r.is_ok()) << text;
    return r ? std::string() : r.error();
  };
  Result<QuorumSaslSettings> no_file =
      resolve_quorum_sasl_settings({}, std::nullopt, "QuorumServer", "QuorumLearner", "z/h");
  ASSERT_FALSE(no_file.is_ok());
  EXPECT_NE(no_file.error().find("-Djava.security.auth.login.config=<file>"), std::string::npos);
  EXPECT_NE(error("QuorumServer { DigestLoginModule required user_a=b; };\n")
                .find("Failed to initialize authentication mechanism using SASL: "
                      "SASL-authentication failed because the specified JAAS configuration "
                      "section 'QuorumLearner' could not be found in jaas.conf"),
            std::string::npos);
  EXPECT_EQ(error("QuorumServer {\n DigestLoginModule required;\n};\n"
                  "QuorumLearner { DigestLoginModule required username=a password=b; };\n"),
            "jaas.conf:1: QuorumServer: no user_<name>=\"<password>\" option: no learner "
            "could authenticate with DIGEST-MD5");
  EXPECT_EQ(error("QuorumServer { DigestLoginModule required user_a=b; };\n"
                  "QuorumLearner {\n DigestLoginModule required username=a;\n};\n"),
            "jaas.conf:3: DigestLoginModule: a learner's DigestLoginModule needs "
            "username=\"...\" and password=\"...\"");
  EXPECT_NE(error("QuorumServer { Krb5LoginModule required useKeyTab=true keyTab=k "
                  "principal=\"zkquorum@EXAMPLE.COM\"; };\n"
                  "QuorumLearner { DigestLoginModule required username=a password=b; };\n")
                .find("is not of the form service/host@REALM"),
            std::string::npos);
  EXPECT_NE(error("QuorumServer { DigestLoginModule required user_a=b; };\n"
                  "QuorumLearner { Krb5LoginModule required principal=p; };\n")
                .find("useKeyTab=true and keyTab"),
            std::string::npos);
  EXPECT_NE(error(kQuorumKerberos, "zkquorum")
                .find("quorum.auth.kerberos.servicePrincipal: "
                      "'zkquorum' is not of the form"),
            std::string::npos);
}

TEST(QuorumSaslSettingsTest, TheClientAndQuorumServiceKeytabsMustBeOneFile) {
  const std::string text = std::string(kQuorumKerberos) +
                           "Server { com.sun.security.auth.module.Krb5LoginModule required "
                           "useKeyTab=true keyTab=\"/k/other.keytab\" "
                           "principal=\"zookeeper/zk1@EXAMPLE.COM\"; };\n";
  Result<QuorumSaslSettings> r = quorum(text);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.error().find("reads one service keytab per process"), std::string::npos) << r.error();
  EXPECT_TRUE(quorum(text, {{"zookeeper.sasl.serverconfig", "Elsewhere"}}).is_ok());
}

}  // namespace
}  // namespace paddock::config
