#pragma once
// The SASL server of paddockd's client port, on Cyrus SASL (libsasl2): DIGEST-MD5 with the
// JAAS server section's users and Kerberos GSSAPI with its keytab, behind the pipeline's
// SaslAuthenticator seam (pipeline/sasl_authenticator.h).
//
// Which mechanism: ZooKeeper's protocol does not name one (GetSASLRequest carries only a
// token), and a ZooKeeper server offers exactly one -- GSSAPI when its JAAS server section
// logs in with Kerberos, DIGEST-MD5 otherwise. Paddock tells them apart by the client's
// first token, so one server can offer both: DIGEST-MD5 is server-first (the client opens
// with an empty token), GSSAPI is client-first (it opens with its AP-REQ).
//
// DIGEST-MD5 needs the user's password on the server (to compute the expected response),
// so a password-check callback (SASL_CB_SERVER_USERDB_CHECKPASS, used by PLAIN) cannot serve
// it: the users reach Cyrus through an auxprop plugin registered in-process
// (sasl_auxprop_add_plugin("paddock")) whose lookup answers "userPassword" from the
// authenticator's table in memory. The plugin finds the table through the connection's own
// SASL_CB_GETOPT context, so there is no global user table and no sasldb file on disk.
//
// Cyrus is process-global (sasl/cyrus_library.h initializes it once, with the quorum's SASL,
// and gives it mutexes); a connection's steps run one at a time, on the pipeline's SASL
// worker threads or on the thread that drives the pipeline core (pipeline/sasl_worker.h). GSSAPI
// reads the keytab named by KRB5_KTNAME, which create() sets.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "config/auth_settings.h"
#include "pipeline/sasl_authenticator.h"
#include "util/result.h"

namespace paddock::sasl {

class CyrusAuthenticator final : public pipeline::SaslAuthenticator {
 public:
  // Initializes Cyrus SASL (once per process) and checks that the mechanisms the settings
  // ask for are available (libsasl2-modules, libsasl2-modules-gssapi-mit).
  static Result<std::shared_ptr<CyrusAuthenticator>> create(config::SaslSettings settings);

  std::unique_ptr<pipeline::SaslExchange> start(std::string_view peer_ip,
                                                uint16_t peer_port) override;

  const config::SaslSettings& settings() const { return settings_; }
  // The DIGEST-MD5 password of `user` ("bob" or "bob@zk-sasl-md5"), or nullptr.
  const std::string* password(std::string_view user) const;

  // ZooKeeper's DIGEST-MD5 server name and realm (SecurityUtils.createSaslServer).
  static constexpr std::string_view kDigestServerName = "zk-sasl-md5";

 private:
  explicit CyrusAuthenticator(config::SaslSettings settings) : settings_(std::move(settings)) {}
  config::SaslSettings settings_;
};

// The `sasl` id ZooKeeper's SaslServerCallbackHandler forms from an authentication id:
// KerberosName's short name, then "/host" unless removeHostFromPrincipal and "@REALM" unless
// removeRealmFromPrincipal. `default_realm` stands for krb5's default realm: the short name
// of a principal of another realm is the whole principal, as ZooKeeper's DEFAULT rule
// leaves it. nullopt for a malformed principal (an '@' not of name[/host]@REALM).
std::optional<std::string> zookeeper_authorized_id(std::string_view authentication_id,
                                                   std::string_view default_realm,
                                                   bool remove_host, bool remove_realm);

}  // namespace paddock::sasl
