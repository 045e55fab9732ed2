#pragma once
// OpenSSL contexts built from ZooKeeper 3.8's ssl.* settings (X509Util's keys): key store and
// trust store (PEM or PKCS12; a JKS store is refused with the keytool command that converts
// it), client authentication, protocol versions, cipher suites (Java's names), CRL checking.
// ServerTlsContext rebuilds its context when the store files change, so a rotated
// certificate is used by the next connection without a restart.
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "util/result.h"

namespace paddock::tls {

enum class ClientAuth { kNone, kWant, kNeed };

// ZooKeeper's ssl.* keys, as text (as given in zoo.cfg or -Dzookeeper.ssl.*).
struct TlsSettings {
  std::string key_store_location;    // ssl.keyStore.location
  std::string key_store_password;    // ssl.keyStore.password
  std::string key_store_type;        // ssl.keyStore.type: PEM, PKCS12, JKS; "" = by extension
  std::string trust_store_location;  // ssl.trustStore.location; "" = the system's CAs
  std::string trust_store_password;  // ssl.trustStore.password
  std::string trust_store_type;      // ssl.trustStore.type
  std::string client_auth = "need";  // ssl.clientAuth: none, want, need
  std::string protocol = "TLSv1.2";  // ssl.protocol
  std::string enabled_protocols;     // ssl.enabledProtocols, comma separated; "" = protocol
  std::string cipher_suites;         // ssl.ciphersuites, Java (IANA) names, comma separated
  bool hostname_verification = true; // ssl.hostnameVerification
  bool crl = false;                  // ssl.crl: check revocation with the trust store's CRLs
  bool ocsp = false;                 // ssl.ocsp
  // How keys are named in errors: "ssl." for zoo.cfg-style names.
  std::string key_prefix = "ssl.";
};

ClientAuth parse_client_auth(const std::string& text);  // unknown text -> kNeed (checked earlier)

using SslCtxPtr = std::shared_ptr<SSL_CTX>;

// A server context: our key and certificate chain, the peers we trust, the versions and
// suites allowed. An error names the key and the file.
Result<SslCtxPtr> build_server_context(const TlsSettings& settings);
// A client context (tests, tools): trust store and optional key store from the same keys.
Result<SslCtxPtr> build_client_context(const TlsSettings& settings);
// What build_server_context sets, on a context another library made (the admin server's
// HTTPS, on cpp-httplib).
Status configure_server_context(SSL_CTX* ctx, const TlsSettings& settings);

// The context new connections use, rebuilt when a store file's modification time or size
// changes (checked at most every `check_interval`). A rebuild that fails keeps the old
// context and logs a warning. Not thread-safe: one thread (the acceptor's) calls current().
// create() makes the accepting side's context; create_dialing() the dialing side's, with the
// same key store presented as a client certificate (a server dialing a peer).
class ServerTlsContext {
 public:
  static Result<std::shared_ptr<ServerTlsContext>> create(
      TlsSettings settings, std::chrono::milliseconds check_interval = std::chrono::seconds(1));
  static Result<std::shared_ptr<ServerTlsContext>> create_dialing(
      TlsSettings settings, std::chrono::milliseconds check_interval = std::chrono::seconds(1));

  SslCtxPtr current(std::chrono::steady_clock::time_point now);
  uint64_t reloads() const { return reloads_; }
  const TlsSettings& settings() const { return settings_; }

 private:
  struct FileStamp {
    std::string path;
    int64_t mtime_ns = 0;
    int64_t size = -1;
    bool operator==(const FileStamp&) const = default;
  };
  ServerTlsContext(TlsSettings settings, std::chrono::milliseconds interval, SslCtxPtr ctx,
                   bool accepting);
  std::vector<FileStamp> stamps() const;

  TlsSettings settings_;
  bool accepting_;
  std::chrono::milliseconds interval_;
  SslCtxPtr ctx_;
  std::vector<FileStamp> stamps_;
  std::chrono::steady_clock::time_point next_check_{};
  uint64_t reloads_ = 0;
};

// TLS between servers (ZooKeeper's sslQuorum with the ssl.quorum.* keys): one key store
// serves both ends of a link, so a server holds the accepting and the dialing context,
// reloaded together when the store files change. Thread-safe: the election and quorum io
// threads both ask. An accepted peer must present a certificate unless ssl.quorum.clientAuth
// says otherwise (need is ZooKeeper's default).
class PeerTlsContexts {
 public:
  static Result<std::shared_ptr<PeerTlsContexts>> create(
      TlsSettings settings, std::chrono::milliseconds check_interval = std::chrono::seconds(1));
  SslCtxPtr accepting(std::chrono::steady_clock::time_point now);
  SslCtxPtr dialing(std::chrono::steady_clock::time_point now);
  // ssl.quorum.hostnameVerification: a dialed peer's certificate must name the host dialed,
  // an accepted peer's the address it connected from.
  bool hostname_verification() const { return hostname_verification_; }
  uint64_t reloads() const;

 private:
  PeerTlsContexts(std::shared_ptr<ServerTlsContext> accepting,
                  std::shared_ptr<ServerTlsContext> dialing, bool hostname_verification);
  mutable std::mutex mu_;
  std::shared_ptr<ServerTlsContext> accepting_;
  std::shared_ptr<ServerTlsContext> dialing_;
  bool hostname_verification_;
};

// Whether `ssl`'s peer certificate names `ip` (an IP SAN), or `host` (a DNS SAN or the CN):
// how ZooKeeper verifies a peer that connected to it, by its address and failing that by the
// name the address resolves back to (the caller resolves, off its event loop).
bool peer_certificate_names_ip(SSL* ssl, const std::string& ip);
bool peer_certificate_names_host(SSL* ssl, const std::string& host);

// The last OpenSSL error(s) as text, clearing the queue.
std::string openssl_errors();

}  // namespace paddock::tls
