#pragma once
// Tests only: a small PKI made with OpenSSL in a directory -- a CA, a second CA nobody
// trusts, server and client certificates, an expired and a revoked client certificate, and
// a CRL that revokes the latter. EC P-256 keys (fast to make). Files:
//   ca.pem (CA cert), trust.pem (= ca.pem), trust_crl.pem (CA cert + CRL),
//   server.pem, client.pem, expired.pem, revoked.pem, stranger.pem (key + cert each;
//   stranger is signed by the untrusted CA), server.p12 and client.p12 (password "secret"),
//   server2.pem (a second server certificate, CN=paddock-rotated, for rotation tests).
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <string>
#include <utility>

namespace paddock::tls::testing {

struct Issued {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
};

inline EVP_PKEY* make_key() { return EVP_EC_gen("P-256"); }

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// `subject` entries in encoding order, e.g. {{"C","US"},{"O","Paddock"},{"CN","client"}}.
inline Issued issue(std::initializer_list<std::pair<const char*, const char*>> subject, long serial,
                    const Issued* ca, long not_before_s, long not_after_s, bool is_ca,
                    const char* san = nullptr) {
  Issued out{make_key(), X509_new()};
  X509_set_version(out.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(out.cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(out.cert), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(out.cert), not_after_s);
  X509_set_pubkey(out.cert, out.key);
  X509_NAME* name = X509_get_subject_name(out.cert);
  for (const auto& [field, value] : subject) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  }
  X509* issuer = ca ? ca->cert : out.cert;
  X509_set_issuer_name(out.cert, X509_get_subject_name(issuer));
  add_ext(out.cert, issuer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (is_ca) add_ext(out.cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  if (san) add_ext(out.cert, issuer, NID_subject_alt_name, san);
  X509_sign(out.cert, ca ? ca->key : out.key, EVP_sha256());
  return out;
}

inline void write_pem(const std::string& path, const Issued& i, bool with_key) {
  BIO* b = BIO_new_file(path.c_str(), "w");
  if (with_key) PEM_write_bio_PrivateKey(b, i.key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509(b, i.cert);
  BIO_free(b);
}

inline void write_p12(const std::string& path, const Issued& i, const Issued& ca) {
  STACK_OF(X509)* chain = sk_X509_new_null();
  sk_X509_push(chain, ca.cert);
  PKCS12* p12 = PKCS12_create("secret", "key", i.key, i.cert, chain, 0, 0, 0, 0, 0);
  BIO* b = BIO_new_file(path.c_str(), "wb");
  i2d_PKCS12_bio(b, p12);
  BIO_free(b);
  PKCS12_free(p12);
  sk_X509_free(chain);
}

inline void free_issued(Issued& i) {
  EVP_PKEY_free(i.key);
  X509_free(i.cert);
}

inline void make_test_pki(const std::string& dir) {
  constexpr long kDay = 86400;
  Issued ca = issue({{"O", "Paddock Test"}, {"CN", "Paddock Test CA"}}, 1, nullptr, -kDay,
                    30 * kDay, true);
  Issued stranger_ca = issue({{"CN", "Stranger CA"}}, 1, nullptr, -kDay, 30 * kDay, true);
  Issued server = issue({{"O", "Paddock"}, {"CN", "localhost"}}, 2, &ca, -kDay, 30 * kDay, false,
                        "DNS:localhost,IP:127.0.0.1");
  Issued server2 = issue({{"O", "Paddock"}, {"CN", "paddock-rotated"}}, 3, &ca, -kDay, 30 * kDay,
                         false, "DNS:localhost,IP:127.0.0.1");
  Issued client = issue({{"C", "US"}, {"O", "Paddock"}, {"OU", "Test"}, {"CN", "client"}}, 4, &ca,
                        -kDay, 30 * kDay, false);
  Issued expired = issue({{"CN", "expired"}}, 5, &ca, -30 * kDay, -kDay, false);
  Issued revoked = issue({{"CN", "revoked"}}, 6, &ca, -kDay, 30 * kDay, false);
  Issued stranger = issue({{"CN", "stranger"}}, 2, &stranger_ca, -kDay, 30 * kDay, false);

  write_pem(dir + "/ca.pem", ca, false);
  write_pem(dir + "/trust.pem", ca, false);
  write_pem(dir + "/server.pem", server, true);
  write_pem(dir + "/server2.pem", server2, true);
  write_pem(dir + "/client.pem", client, true);
  write_pem(dir + "/expired.pem", expired, true);
  write_pem(dir + "/revoked.pem", revoked, true);
  write_pem(dir + "/stranger.pem", stranger, true);
  write_p12(dir + "/server.p12", server, ca);
  write_p12(dir + "/client.p12", client, ca);

  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert));
  ASN1_TIME* t = X509_gmtime_adj(nullptr, -3600);
  X509_CRL_set1_lastUpdate(crl, t);
  X509_gmtime_adj(t, 30 * kDay);
  X509_CRL_set1_nextUpdate(crl, t);
  X509_REVOKED* r = X509_REVOKED_new();
  X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked.cert));
  X509_gmtime_adj(t, -60);
  X509_REVOKED_set_revocationDate(r, t);
  X509_CRL_add0_revoked(crl, r);
  X509_CRL_sort(crl);
  X509_CRL_sign(crl, ca.key, EVP_sha256());
  ASN1_TIME_free(t);
  write_pem(dir + "/trust_crl.pem", ca, false);
  BIO* b = BIO_new_file((dir + "/trust_crl.pem").c_str(), "a");
  PEM_write_bio_X509_CRL(b, crl);
  BIO_free(b);
  X509_CRL_free(crl);
  for (Issued* i : {&ca, &stranger_ca, &server, &server2, &client, &expired, &revoked, &stranger}) {
    free_issued(*i);
  }
}

}  // namespace paddock::tls::testing
