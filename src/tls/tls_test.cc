#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tls/test_certs.h"
#include "tls/tls_context.h"
#include "tls/tls_stream.h"
#include "tls/x509_name.h"

namespace paddock::tls {
namespace {

std::string name_of(std::initializer_list<std::pair<const char*, const char*>> entries) {
  X509_NAME* name = X509_NAME_new();
  for (const auto& [field, value] : entries) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  }
  std::string out = java_rfc2253_name(name);
  X509_NAME_free(name);
  return out;
}

TEST(X509NameTest, PrintsRdnsInReverseWithRfc2253Keywords) {
  EXPECT_EQ(name_of({{"C", "US"},
                     {"ST", "CA"},
                     {"L", "SF"},
                     {"O", "Paddock"},
                     {"OU", "Test"},
                     {"CN", "client"}}),
            "CN=client,OU=Test,O=Paddock,L=SF,ST=CA,C=US");
  EXPECT_EQ(name_of({{"DC", "com"}, {"DC", "example"}, {"UID", "u1"}}), "UID=u1,DC=example,DC=com");
}

TEST(X509NameTest, EscapesSpecialCharactersAsJavaDoes) {
  EXPECT_EQ(name_of({{"CN", "a,b=c+d<e>f#g;h\"i\\j"}}),
            "CN=a\\,b\\=c\\+d\\<e\\>f\\#g\\;h\\\"i\\\\j");
  EXPECT_EQ(name_of({{"CN", " lead and trail  "}}), "CN=\\ lead and trail\\ \\ ");
  EXPECT_EQ(name_of({{"O", "Zoë"}}), "O=Zoë");
}

TEST(X509NameTest, UnknownAttributesAreOidsWithHexDer) {
  // emailAddress is an IA5String: tag 0x16, length 5, "a@b.c".
  EXPECT_EQ(name_of({{"CN", "x"}, {"emailAddress", "a@b.c"}}),
            "1.2.840.113549.1.9.1=#16056140622e63,CN=x");
}

TEST(X509NameTest, MultiValuedRdnIsJoinedWithPlus) {
  X509_NAME* name = X509_NAME_new();
  auto add = [&](const char* f, const char* v, int set) {
    X509_NAME_add_entry_by_txt(name, f, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v),
                               -1, -1, set);
  };
  add("O", "Paddock", 0);
  add("CN", "a", 0);
  add("UID", "7", -1);  // same RDN as CN
  EXPECT_EQ(java_rfc2253_name(name), "CN=a+UID=7,O=Paddock");
  X509_NAME_free(name);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("paddock_tls_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    testing::make_test_pki(dir_.string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  TlsSettings server(const std::string& auth = "need") const {
    TlsSettings s;
    s.key_store_location = path("server.pem");
    s.trust_store_location = path("trust.pem");
    s.client_auth = auth;
    return s;
  }
  TlsSettings client(const std::string& key_store = "client.pem") const {
    TlsSettings s;
    if (!key_store.empty()) s.key_store_location = path(key_store);
    s.trust_store_location = path("ca.pem");
    s.protocol = "TLS";
    return s;
  }

  struct Outcome {
    bool ok = false;
    std::string server_error;
    std::string subject;
    std::string server_cert_cn;
    bool resumed = false;                                             // the server resumed
    std::shared_ptr<SSL_SESSION> session{nullptr, SSL_SESSION_free};  // the client's, after
  };
  // Runs a handshake between two streams in memory, then one record each way; the client
  // offers `resume` (a session of an earlier handshake) when given.
  static Outcome handshake(const SslCtxPtr& server_ctx, const SslCtxPtr& client_ctx,
                           SSL_SESSION* resume = nullptr) {
    TlsStream s(server_ctx, TlsStream::Role::kServer);
    TlsStream c(client_ctx, TlsStream::Role::kClient);
    if (resume != nullptr) SSL_set_session(c.ssl(), resume);
    Outcome out;
    bool s_ok = true, c_ok = true;
    for (int round = 0; round < 10 && s_ok && c_ok; ++round) {
      c_ok = c.handshake();
      s.feed(c.output().data(), c.output().size());
      c.clear_output();
      s_ok = s.handshake();
      c.feed(s.output().data(), s.output().size());
      s.clear_output();
      if (s.handshake_done() && c.handshake_done()) break;
    }
    // TLS 1.3: the client learns of a refused certificate with the server's next flight.
    char buf[64];
    if (s_ok && c_ok && c.handshake_done() && s.handshake_done()) {
      c.write("ping", 4);
      s.feed(c.output().data(), c.output().size());
      c.clear_output();
      long n = s.read(buf, sizeof buf);
      s_ok = n == 4;
      if (s_ok) {
        s.write("pong", 4);
        c.feed(s.output().data(), s.output().size());
        s.clear_output();
        c_ok = c.read(buf, sizeof buf) == 4;
      }
    }
    out.ok = s_ok && c_ok && s.handshake_done() && c.handshake_done();
    out.resumed = SSL_session_reused(s.ssl()) == 1;
    out.session.reset(SSL_get1_session(c.ssl()), SSL_SESSION_free);
    // Both ends close with close_notify: OpenSSL takes a session out of resumption when its
    // connection ends without one.
    c.shutdown();
    s.shutdown();
    out.server_error = s.error();
    out.subject = s.peer_subject();
    if (X509* cert = SSL_get0_peer_certificate(c.ssl())) {
      out.server_cert_cn = java_rfc2253_name(X509_get_subject_name(cert));
    }
    return out;
  }
  static SslCtxPtr ok(Result<SslCtxPtr> r) {
    EXPECT_TRUE(r.is_ok()) << (r.is_ok() ? "" : r.error());
    return r.is_ok() ? *r : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(TlsTest, NeedWithClientCertificateGivesItsSubject) {
  Outcome o = handshake(ok(build_server_context(server())), ok(build_client_context(client())));
  EXPECT_TRUE(o.ok) << o.server_error;
  EXPECT_EQ(o.subject, "CN=client,OU=Test,O=Paddock,C=US");
  EXPECT_EQ(o.server_cert_cn, "CN=localhost,O=Paddock");
}

TEST_F(TlsTest, NeedRefusesAClientWithoutCertificate) {
  Outcome o = handshake(ok(build_server_context(server())), ok(build_client_context(client(""))));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.server_error.find("handshake failed"), std::string::npos) << o.server_error;
}

TEST_F(TlsTest, WantAcceptsAClientWithoutCertificateButNotABadOne) {
  Outcome o =
      handshake(ok(build_server_context(server("want"))), ok(build_client_context(client(""))));
  EXPECT_TRUE(o.ok) << o.server_error;
  EXPECT_EQ(o.subject, "");
  o = handshake(ok(build_server_context(server("want"))),
                ok(build_client_context(client("stranger.pem"))));
  EXPECT_FALSE(o.ok);
}

TEST_F(TlsTest, NoneDoesNotAskForACertificate) {
  Outcome o = handshake(ok(build_server_context(server("none"))),
                        ok(build_client_context(client("stranger.pem"))));
  EXPECT_TRUE(o.ok) << o.server_error;
  EXPECT_EQ(o.subject, "");
}

TEST_F(TlsTest, WrongCaAndExpiredCertificatesAreRefused) {
  Outcome o = handshake(ok(build_server_context(server())),
                        ok(build_client_context(client("stranger.pem"))));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.server_error.find("unable to get local issuer certificate"), std::string::npos)
      << o.server_error;
  o = handshake(ok(build_server_context(server())),
                ok(build_client_context(client("expired.pem"))));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.server_error.find("certificate has expired"), std::string::npos) << o.server_error;
}

TEST_F(TlsTest, RevokedCertificateIsRefusedWithCrlChecking) {
  TlsSettings s = server();
  s.trust_store_location = path("trust_crl.pem");
  Outcome o =
      handshake(ok(build_server_context(s)), ok(build_client_context(client("revoked.pem"))));
  EXPECT_TRUE(o.ok) << "without ssl.crl the CRL is not consulted: " << o.server_error;
  s.crl = true;
  o = handshake(ok(build_server_context(s)), ok(build_client_context(client("revoked.pem"))));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.server_error.find("certificate revoked"), std::string::npos) << o.server_error;
  o = handshake(ok(build_server_context(s)), ok(build_client_context(client())));
  EXPECT_TRUE(o.ok) << o.server_error;
}

TEST_F(TlsTest, Pkcs12StoresWork) {
  TlsSettings s = server();
  s.key_store_location = path("server.p12");
  s.key_store_password = "secret";
  TlsSettings c = client();
  c.key_store_location = path("client.p12");
  c.key_store_password = "secret";
  Outcome o = handshake(ok(build_server_context(s)), ok(build_client_context(c)));
  EXPECT_TRUE(o.ok) << o.server_error;
  EXPECT_EQ(o.subject, "CN=client,OU=Test,O=Paddock,C=US");
  s.key_store_password = "wrong";
  Result<SslCtxPtr> bad = build_server_context(s);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.error().find("ssl.keyStore.location=" + path("server.p12")), std::string::npos)
      << bad.error();
}

TEST_F(TlsTest, BadSettingsAreErrorsNamingTheKey) {
  TlsSettings s = server();
  s.key_store_location = path("missing.pem");
  Result<SslCtxPtr> r = build_server_context(s);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(), "ssl.keyStore.location=" + path("missing.pem") + ": cannot read the file");

  {
    std::ofstream jks(path("store.jks"), std::ios::binary);
    jks << "\xfe\xed\xfe\xed" << std::string(32, '\0');
  }
  s = server();
  s.trust_store_location = path("store.jks");
  r = build_server_context(s);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.error().find("ssl.trustStore.location=" + path("store.jks")), std::string::npos);
  EXPECT_NE(r.error().find("keytool -importkeystore -srckeystore " + path("store.jks") +
                           " -srcstoretype JKS -destkeystore " + path("store.jks") +
                           ".p12 -deststoretype PKCS12"),
            std::string::npos)
      << r.error();

  s = server();
  s.cipher_suites = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_NOT_A_SUITE";
  r = build_server_context(s);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.error(), "ssl.ciphersuites: unknown cipher suite 'TLS_NOT_A_SUITE'");

  s = server();
  s.enabled_protocols = "TLSv1.2,SSLv3";
  r = build_server_context(s);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.error().find("ssl.enabledProtocols: unknown protocol 'SSLv3'"), std::string::npos);
}

TEST_F(TlsTest, ProtocolsAndSuitesLimitTheHandshake) {
  TlsSettings s = server();
  s.protocol = "TLSv1.3";
  TlsSettings c = client();
  c.enabled_protocols = "TLSv1.2";
  Outcome o = handshake(ok(build_server_context(s)), ok(build_client_context(c)));
  EXPECT_FALSE(o.ok) << "a TLSv1.3-only server refuses a TLSv1.2 client";
  s.protocol = "TLSv1.2";
  s.cipher_suites = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
  SslCtxPtr server_ctx = ok(build_server_context(s));
  TlsStream probe(server_ctx, TlsStream::Role::kServer);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(probe.ssl());
  ASSERT_EQ(sk_SSL_CIPHER_num(ciphers), 1);
  EXPECT_STREQ(SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(ciphers, 0)),
               "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  o = handshake(server_ctx, ok(build_client_context(client())));
  EXPECT_TRUE(o.ok) << o.server_error;
}

// A returning client resumes from the server's session cache; in TLS 1.2 it is given no
// stateless ticket (OpenSSL 3.0 makes one by re-decoding the whole session, client
// certificate included, at every full handshake).
TEST_F(TlsTest, ServerResumesSessionsFromItsCacheWithoutStatelessTickets) {
  for (const char* version : {"TLSv1.2", "TLSv1.3"}) {
    SCOPED_TRACE(version);
    TlsSettings s = server();
    s.protocol = version;
    SslCtxPtr server_ctx = ok(build_server_context(s));
    SslCtxPtr client_ctx = ok(build_client_context(client()));
    Outcome first = handshake(server_ctx, client_ctx);
    ASSERT_TRUE(first.ok) << first.server_error;
    EXPECT_FALSE(first.resumed);
    ASSERT_NE(first.session, nullptr);
    ASSERT_EQ(SSL_SESSION_is_resumable(first.session.get()), 1);
    if (std::string(version) == "TLSv1.2") {
      EXPECT_EQ(SSL_SESSION_has_ticket(first.session.get()), 0);
    }
    Outcome again = handshake(server_ctx, client_ctx, first.session.get());
    ASSERT_TRUE(again.ok) << again.server_error;
    EXPECT_TRUE(again.resumed);
  }
}

TEST_F(TlsTest, ServerContextReloadsARotatedCertificate) {
  auto created = ServerTlsContext::create(server(), std::chrono::milliseconds(0));
  ASSERT_TRUE(created.is_ok()) << created.error();
  std::shared_ptr<ServerTlsContext> ctx = *created;
  auto now = std::chrono::steady_clock::now();
  SslCtxPtr client_ctx = ok(build_client_context(client()));
  EXPECT_EQ(handshake(ctx->current(now), client_ctx).server_cert_cn, "CN=localhost,O=Paddock");
  // A half-written file keeps the old context.
  { std::ofstream(path("server.pem"), std::ios::trunc) << "-----BEGIN PRIVATE KEY-----\n"; }
  EXPECT_EQ(handshake(ctx->current(now + std::chrono::seconds(1)), client_ctx).server_cert_cn,
            "CN=localhost,O=Paddock");
  EXPECT_EQ(ctx->reloads(), 0u);
  std::filesystem::copy_file(path("server2.pem"), path("server.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(handshake(ctx->current(now + std::chrono::seconds(2)), client_ctx).server_cert_cn,
            "CN=paddock-rotated,O=Paddock");
  EXPECT_EQ(ctx->reloads(), 1u);
}

// Both ends of a server-to-server link come from one key store: a rotated store changes the
// certificate a server presents when it accepts and when it dials.
TEST_F(TlsTest, PeerContextsPresentTheRotatedCertificateOnBothSides) {
  TlsSettings s = server();
  s.trust_store_location = path("ca.pem");
  auto created = PeerTlsContexts::create(s, std::chrono::milliseconds(0));
  ASSERT_TRUE(created.is_ok()) << created.error();
  std::shared_ptr<PeerTlsContexts> peer = *created;
  auto now = std::chrono::steady_clock::now();
  Outcome before = handshake(peer->accepting(now), peer->dialing(now));
  ASSERT_TRUE(before.ok) << before.server_error;
  EXPECT_EQ(before.server_cert_cn, "CN=localhost,O=Paddock");
  EXPECT_EQ(before.subject, "CN=localhost,O=Paddock");  // the dialer's certificate
  std::filesystem::copy_file(path("server2.pem"), path("server.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  const auto later = now + std::chrono::seconds(1);
  Outcome after = handshake(peer->accepting(later), peer->dialing(later));
  ASSERT_TRUE(after.ok) << after.server_error;
  EXPECT_EQ(after.server_cert_cn, "CN=paddock-rotated,O=Paddock");
  EXPECT_EQ(after.subject, "CN=paddock-rotated,O=Paddock");
  EXPECT_EQ(peer->reloads(), 1u);
  // A dialing context needs a key store: a peer must say who it is.
  TlsSettings keyless = s;
  keyless.key_store_location.clear();
  auto refused = PeerTlsContexts::create(keyless);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.error().find("keyStore.location"), std::string::npos) << refused.error();
}

}  // namespace
}  // namespace paddock::tls
