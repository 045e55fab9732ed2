#include "tls/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace paddock::tls {
namespace {

// The suites ZooKeeper 3.8's X509Util enables by default (Java 9+ order), for TLS 1.2 and
// below; TLS 1.3 keeps OpenSSL's suites.
constexpr const char* kDefaultJavaSuites[] = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
};

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

enum class StoreType { kPem, kPkcs12, kJks };

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<std::string> read_file(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(fmt::format("{}={}: cannot read the file", key, path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string keytool_hint(const std::string& key, const std::string& path) {
  return fmt::format(
      "{}={}: JKS stores cannot be read by Paddock (OpenSSL); convert it to PKCS12 with: "
      "keytool -importkeystore -srckeystore {} -srcstoretype JKS -destkeystore {}.p12 "
      "-deststoretype PKCS12, then set {} to the new file",
      key, path, path, path, key);
}

// ZooKeeper's KeyStoreFileType: the type key when set, else the file name's extension; when
// neither says, the content (Paddock's fallback).
Result<StoreType> store_type(const std::string& type_key, const std::string& type,
                             const std::string& location, const std::string& content) {
  std::string t = lower(trim(type));
  if (t.empty()) {
    std::string l = lower(location);
    auto ends = [&](const char* ext) {
      std::string e(ext);
      return l.size() >= e.size() && l.compare(l.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".pem") || ends(".crt") || ends(".key"))
      t = "pem";
    else if (ends(".p12") || ends(".pfx") || ends(".pkcs12"))
      t = "pkcs12";
    else if (ends(".jks"))
      t = "jks";
    else if (content.rfind("\xfe\xed\xfe\xed", 0) == 0)
      t = "jks";
    else if (content.find("-----BEGIN") != std::string::npos)
      t = "pem";
    else
      t = "pkcs12";
  }
  if (t == "pem") return StoreType::kPem;
  if (t == "pkcs12") return StoreType::kPkcs12;
  if (t == "jks") return StoreType::kJks;
  return Status::error(
      fmt::format("{}: unknown store type '{}' (PEM, PKCS12 or JKS)", type_key, type));
}

struct KeyMaterial {
  EVP_PKEY* key = nullptr;
  std::vector<X509*> certs;  // leaf first, then the chain (or the trusted certificates)
  std::vector<X509_CRL*> crls;
  ~KeyMaterial() {
    EVP_PKEY_free(key);
    for (X509* c : certs) X509_free(c);
    for (X509_CRL* c : crls) X509_CRL_free(c);
  }
};

int password_callback(char* buf, int size, int, void* user) {
  const std::string* password = static_cast<const std::string*>(user);
  const int n = std::min<int>(size, static_cast<int>(password->size()));
  std::copy_n(password->data(), n, buf);
  return n;
}

Status load_pem(const std::string& content, const std::string& password, KeyMaterial& out) {
  // Each PEM block in turn: private keys, certificates and CRLs, in any order.
  std::string pw = password;
  for (size_t pos = content.find("-----BEGIN "); pos != std::string::npos;
       pos = content.find("-----BEGIN ", pos + 1)) {
    const size_t end_label = content.find("-----", pos + 11);
    if (end_label == std::string::npos) break;
    const std::string label = content.substr(pos + 11, end_label - pos - 11);
    const size_t stop = content.find("-----END " + label + "-----", pos);
    if (stop == std::string::npos) break;
    const std::string one = content.substr(pos, stop + 14 + label.size() - pos);
    BioPtr b(BIO_new_mem_buf(one.data(), static_cast<int>(one.size())));
    if (label.find("PRIVATE KEY") != std::string::npos) {
      EVP_PKEY* key = PEM_read_bio_PrivateKey(b.get(), nullptr, password_callback, &pw);
      if (key == nullptr)
        return Status::error("cannot read the private key (wrong password?): " + openssl_errors());
      EVP_PKEY_free(out.key);
      out.key = key;
    } else if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE") {
      X509* cert = PEM_read_bio_X509_AUX(b.get(), nullptr, nullptr, nullptr);
      if (cert == nullptr) return Status::error("cannot read a certificate: " + openssl_errors());
      out.certs.push_back(cert);
    } else if (label == "X509 CRL") {
      X509_CRL* crl = PEM_read_bio_X509_CRL(b.get(), nullptr, nullptr, nullptr);
      if (crl == nullptr) return Status::error("cannot read a CRL: " + openssl_errors());
      out.crls.push_back(crl);
    }
    pos = stop;
  }
  return Status::ok();
}

Status load_pkcs12(const std::string& content, const std::string& password, KeyMaterial& out) {
  BioPtr bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  PKCS12* p12 = d2i_PKCS12_bio(bio.get(), nullptr);
  if (p12 == nullptr) return Status::error("not a PKCS12 file: " + openssl_errors());
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  const int ok = PKCS12_parse(p12, password.c_str(), &out.key, &cert, &ca);
  PKCS12_free(p12);
  if (ok != 1)
    return Status::error("cannot open the PKCS12 file (wrong password?): " + openssl_errors());
  if (cert != nullptr) out.certs.push_back(cert);
  for (int i = 0; ca != nullptr && i < sk_X509_num(ca); ++i)
    out.certs.push_back(sk_X509_value(ca, i));
  sk_X509_free(ca);
  return Status::ok();
}

// Reads a store named by <prefix><kind>.location/.password/.type.
Status load_store(const TlsSettings& s, const std::string& kind, const std::string& location,
                  const std::string& password, const std::string& type, KeyMaterial& out) {
  const std::string key = s.key_prefix + kind + ".location";
  Result<std::string> content = read_file(location, key);
  if (!content) return content.status();
  Result<StoreType> t = store_type(s.key_prefix + kind + ".type", type, location, *content);
  if (!t) return t.status();
  if (*t == StoreType::kJks) return Status::error(keytool_hint(key, location));
  Status st = *t == StoreType::kPem ? load_pem(*content, password, out)
                                    : load_pkcs12(*content, password, out);
  if (!st) return Status::error(fmt::format("{}={}: {}", key, location, st.message()));
  return Status::ok();
}

Result<int> protocol_version(const std::string& key, const std::string& name) {
  static const std::map<std::string, int> kVersions = {
      {"TLSv1.3", TLS1_3_VERSION},
      {"TLSv1.2", TLS1_2_VERSION},
      {"TLSv1.1", TLS1_1_VERSION},
      {"TLSv1", TLS1_VERSION},
      {"TLS", 0},
  };
  auto it = kVersions.find(name);
  if (it == kVersions.end()) {
    return Status::error(
        fmt::format("{}: unknown protocol '{}' (TLSv1.2, TLSv1.3, ...)", key, name));
  }
  return it->second;
}

Status set_protocols(SSL_CTX* ctx, const TlsSettings& s) {
  Result<int> main = protocol_version(s.key_prefix + "protocol", trim(s.protocol));
  if (!main) return main.status();
  std::vector<std::string> enabled = split_list(s.enabled_protocols);
  int lo = *main, hi = *main;
  if (*main == 0) {  // "TLS": every version OpenSSL allows
    lo = TLS1_2_VERSION;
    hi = TLS1_3_VERSION;
  }
  if (!enabled.empty()) {
    lo = INT32_MAX;
    hi = 0;
    for (const std::string& p : enabled) {
      Result<int> v = protocol_version(s.key_prefix + "enabledProtocols", p);
      if (!v) return v.status();
      if (*v == 0)
        return Status::error(s.key_prefix + "enabledProtocols: name versions, not 'TLS'");
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
    }
  }
  if (SSL_CTX_set_min_proto_version(ctx, lo) != 1 || SSL_CTX_set_max_proto_version(ctx, hi) != 1) {
    return Status::error(s.key_prefix + "enabledProtocols: not supported: " + openssl_errors());
  }
  return Status::ok();
}

Status set_cipher_suites(SSL_CTX* ctx, const TlsSettings& s) {
  std::vector<std::string> wanted = split_list(s.cipher_suites);
  const bool defaults = wanted.empty();
  if (defaults) wanted.assign(std::begin(kDefaultJavaSuites), std::end(kDefaultJavaSuites));
  // Java names are the standard (IANA) names; OpenSSL knows both.
  SSL_CTX* all = SSL_CTX_new(TLS_method());
  SSL_CTX_set_cipher_list(all, "ALL:COMPLEMENTOFALL");
  std::map<std::string, std::string> by_standard;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(all);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    by_standard[SSL_CIPHER_standard_name(c)] = SSL_CIPHER_get_name(c);
  }
  SSL_CTX_free(all);
  std::string tls12, tls13;
  for (const std::string& name : wanted) {
    if (name.rfind("TLS_AES_", 0) == 0 || name.rfind("TLS_CHACHA20_", 0) == 0) {
      tls13 += (tls13.empty() ? "" : ":") + name;
      continue;
    }
    auto it = by_standard.find(name);
    if (it == by_standard.end()) {
      return Status::error(
          fmt::format("{}ciphersuites: unknown cipher suite '{}'", s.key_prefix, name));
    }
    tls12 += (tls12.empty() ? "" : ":") + it->second;
  }
  if (!tls12.empty() && SSL_CTX_set_cipher_list(ctx, tls12.c_str()) != 1) {
    return Status::error(s.key_prefix + "ciphersuites: " + openssl_errors());
  }
  if (tls12.empty()) SSL_CTX_set_cipher_list(ctx, "");  // TLS 1.3 suites only
  if (!defaults && SSL_CTX_set_ciphersuites(ctx, tls13.c_str()) != 1) {
    return Status::error(s.key_prefix + "ciphersuites: " + openssl_errors());
  }
  return Status::ok();
}

Status set_trust(SSL_CTX* ctx, const TlsSettings& s) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  KeyMaterial trust;
  if (s.trust_store_location.empty()) {
    SSL_CTX_set_default_verify_paths(ctx);
  } else {
    Status st = load_store(s, "trustStore", s.trust_store_location, s.trust_store_password,
                           s.trust_store_type, trust);
    if (!st) return st;
    if (trust.certs.empty()) {
      return Status::error(fmt::format("{}trustStore.location={}: no certificates in it",
                                       s.key_prefix, s.trust_store_location));
    }
    for (X509* c : trust.certs) X509_STORE_add_cert(store, c);
  }
  if (s.crl) {
    for (X509_CRL* c : trust.crls) X509_STORE_add_crl(store, c);
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  }
  return Status::ok();
}

Status configure(SSL_CTX* ctx, const TlsSettings& s, bool server);

Result<SslCtxPtr> build_context(const TlsSettings& s, bool server) {
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()), SSL_CTX_free);
  if (!ctx) return Status::error("cannot create a TLS context: " + openssl_errors());
  if (Status st = configure(ctx.get(), s, server); !st) return st;
  return ctx;
}

// Sessions a TLS server keeps for resumption (OpenSSL's default is 20,480); each holds the
// client's certificate chain.
constexpr long kServerSessionCacheSize = 4096;

// Everything build_context sets, on a context made elsewhere (cpp-httplib's, for the admin
// server).
Status configure(SSL_CTX* ctx, const TlsSettings& s, bool server) {
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (Status st = set_protocols(ctx, s); !st) return st;
  if (Status st = set_cipher_suites(ctx, s); !st) return st;
  if (!s.key_store_location.empty()) {
    KeyMaterial keys;
    Status st = load_store(s, "keyStore", s.key_store_location, s.key_store_password,
                           s.key_store_type, keys);
    if (!st) return st;
    const std::string where = s.key_prefix + "keyStore.location=" + s.key_store_location;
    if (keys.key == nullptr || keys.certs.empty()) {
      return Status::error(where + ": needs a private key and its certificate");
    }
    if (SSL_CTX_use_certificate(ctx, keys.certs[0]) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, keys.key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      return Status::error(where + ": the key does not fit the certificate: " + openssl_errors());
    }
    for (size_t i = 1; i < keys.certs.size(); ++i) {
      X509_up_ref(keys.certs[i]);
      SSL_CTX_add_extra_chain_cert(ctx, keys.certs[i]);
    }
  } else if (server) {
    return Status::error(s.key_prefix + "keyStore.location: required for a TLS server");
  }
  if (Status st = set_trust(ctx, s); !st) return st;
  if (server) {
    const ClientAuth auth = parse_client_auth(s.client_auth);
    int mode = SSL_VERIFY_NONE;
    if (auth == ClientAuth::kWant) mode = SSL_VERIFY_PEER;
    if (auth == ClientAuth::kNeed) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    static const unsigned char kSessionContext[] = "paddock";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    // Resumption from the server's session cache (stateful, as Java's TLS servers do), not
    // from stateless tickets: OpenSSL 3.0 makes each TLS 1.2 ticket by encoding the session
    // and decoding it again, which re-parses the client certificate's public key through its
    // decoders: 17 % of a full handshake's server CPU with a client certificate
    // (bench/tls_storm_ab.py, docs/benchmarks.md). One TLS 1.3 ticket per handshake; the
    // cache is bounded.
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_sess_set_cache_size(ctx, kServerSessionCacheSize);
    if (s.ocsp) {
      // Revocation is checked on the handshake's verified chain, which a resumed session
      // does not have: every handshake is a full one (no session cache, no tickets).
      SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
      SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
      SSL_CTX_set_num_tickets(ctx, 0);
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  return Status::ok();
}

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown error" : out;
}

ClientAuth parse_client_auth(const std::string& text) {
  const std::string t = lower(trim(text));
  if (t == "none") return ClientAuth::kNone;
  if (t == "want") return ClientAuth::kWant;
  return ClientAuth::kNeed;
}

Result<SslCtxPtr> build_server_context(const TlsSettings& settings) {
  return build_context(settings, true);
}

Result<SslCtxPtr> build_client_context(const TlsSettings& settings) {
  return build_context(settings, false);
}

Status configure_server_context(SSL_CTX* ctx, const TlsSettings& settings) {
  return configure(ctx, settings, true);
}

Result<std::shared_ptr<ServerTlsContext>> ServerTlsContext::create(
    TlsSettings settings, std::chrono::milliseconds check_interval) {
  Result<SslCtxPtr> ctx = build_server_context(settings);
  if (!ctx) return ctx.status();
  std::shared_ptr<ServerTlsContext> out(
      new ServerTlsContext(std::move(settings), check_interval, std::move(*ctx), true));
  return out;
}

Result<std::shared_ptr<ServerTlsContext>> ServerTlsContext::create_dialing(
    TlsSettings settings, std::chrono::milliseconds check_interval) {
  if (settings.key_store_location.empty()) {
    return Status::error(settings.key_prefix + "keyStore.location: required to dial a peer");
  }
  Result<SslCtxPtr> ctx = build_client_context(settings);
  if (!ctx) return ctx.status();
  std::shared_ptr<ServerTlsContext> out(
      new ServerTlsContext(std::move(settings), check_interval, std::move(*ctx), false));
  return out;
}

ServerTlsContext::ServerTlsContext(TlsSettings settings, std::chrono::milliseconds interval,
                                   SslCtxPtr ctx, bool accepting)
    : settings_(std::move(settings)),
      accepting_(accepting),
      interval_(interval),
      ctx_(std::move(ctx)) {
  stamps_ = stamps();
}

std::vector<ServerTlsContext::FileStamp> ServerTlsContext::stamps() const {
  std::vector<FileStamp> out;
  for (const std::string& path : {settings_.key_store_location, settings_.trust_store_location}) {
    if (path.empty()) continue;
    FileStamp f{path};
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      f.mtime_ns = mtime_ns(st);
      f.size = st.st_size;
    }
    out.push_back(f);
  }
  return out;
}

SslCtxPtr ServerTlsContext::current(std::chrono::steady_clock::time_point now) {
  if (now < next_check_) return ctx_;
  next_check_ = now + interval_;
  std::vector<FileStamp> seen = stamps();
  if (seen == stamps_) return ctx_;
  Result<SslCtxPtr> rebuilt =
      accepting_ ? build_server_context(settings_) : build_client_context(settings_);
  if (!rebuilt) {
    // Perhaps a file is half written: keep the old context and try again next time.
    spdlog::warn("event=tls_reload_failed error=\"{}\"", rebuilt.error());
    return ctx_;
  }
  stamps_ = std::move(seen);
  ctx_ = std::move(*rebuilt);
  ++reloads_;
  spdlog::info("event=tls_reloaded side={} key_store={} trust_store={} reloads={}",
               accepting_ ? "accepting" : "dialing", settings_.key_store_location,
               settings_.trust_store_location, reloads_);
  return ctx_;
}

Result<std::shared_ptr<PeerTlsContexts>> PeerTlsContexts::create(
    TlsSettings settings, std::chrono::milliseconds check_interval) {
  auto accepting = ServerTlsContext::create(settings, check_interval);
  if (!accepting) return accepting.status();
  auto dialing = ServerTlsContext::create_dialing(settings, check_interval);
  if (!dialing) return dialing.status();
  return std::shared_ptr<PeerTlsContexts>(new PeerTlsContexts(
      std::move(*accepting), std::move(*dialing), settings.hostname_verification));
}

PeerTlsContexts::PeerTlsContexts(std::shared_ptr<ServerTlsContext> accepting,
                                 std::shared_ptr<ServerTlsContext> dialing,
                                 bool hostname_verification)
    : accepting_(std::move(accepting)),
      dialing_(std::move(dialing)),
      hostname_verification_(hostname_verification) {}

SslCtxPtr PeerTlsContexts::accepting(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mu_);
  return accepting_->current(now);
}

SslCtxPtr PeerTlsContexts::dialing(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mu_);
  return dialing_->current(now);
}

uint64_t PeerTlsContexts::reloads() const {
  std::lock_guard lock(mu_);
  return std::max(accepting_->reloads(), dialing_->reloads());
}

bool peer_certificate_names_ip(SSL* ssl, const std::string& ip) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  return cert != nullptr && X509_check_ip_asc(cert, ip.c_str(), 0) == 1;
}

bool peer_certificate_names_host(SSL* ssl, const std::string& host) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  return cert != nullptr && !host.empty() &&
         X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

}  // namespace paddock::tls
