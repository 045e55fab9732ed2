#pragma once
// Client authentication settings beyond digest and ip, as ZooKeeper 3.8 reads them: SASL
// from the JAAS file's server section, the authentication providers zoo.cfg registers
// (authProvider.N=<class>), enforced authentication and the SASL super user.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/jaas_file.h"
#include "util/result.h"

namespace paddock::config {

// SASL for clients (op 102), from the JAAS section `zookeeper.sasl.serverconfig` ("Server")
// of the file `java.security.auth.login.config`.
struct SaslSettings {
  std::string jaas_path;
  std::string section;
  // DIGEST-MD5: DigestLoginModule's user_<name>="<password>" options.
  std::map<std::string, std::string> digest_users;
  // GSSAPI: Krb5LoginModule's keyTab and principal ("service/host@REALM"); empty = none.
  std::string keytab;
  std::string principal;
  bool remove_host_from_principal = false;   // zookeeper.kerberos.removeHostFromPrincipal
  bool remove_realm_from_principal = false;  // zookeeper.kerberos.removeRealmFromPrincipal
  bool allow_failed_clients = false;         // zookeeper.allowSaslFailedClients

  bool digest_enabled() const { return !digest_users.empty(); }
  bool kerberos_enabled() const { return !principal.empty(); }
  // The principal's parts: "zookeeper", "host", "REALM".
  std::string service_name() const;
  std::string service_host() const;
  std::string service_realm() const;
};

struct AuthSettings {
  std::optional<SaslSettings> sasl;  // none without a JAAS file or its server section
  // Schemes of the authentication providers zoo.cfg or -D registers beyond digest and ip
  // (zookeeper.authProvider.<n>=<class>): "sasl" for SASLAuthenticationProvider.
  std::set<std::string> provider_schemes;
  std::string super_user;  // zookeeper.superUser: this sasl id also gets super
  // zookeeper.enforce.auth.enabled + enforce.auth.schemes, or sessionRequireClientSASLAuth
  // (which means enabled with the one scheme "sasl"): a connection holding no id of these
  // schemes has every request but auth and sasl refused (-124) and is closed.
  bool enforce = false;
  std::vector<std::string> enforce_schemes;
};

// Quorum SASL (server to server), ZooKeeper 3.8's quorum.auth.* (the switches are ServerConfig
// fields): the JAAS sections quorum.auth.server.saslLoginContext ("QuorumServer") and
// quorum.auth.learner.saslLoginContext ("QuorumLearner") of the same JAAS file.
struct QuorumSaslSettings {
  std::string jaas_path;
  std::string server_section;
  std::string learner_section;
  // quorum.auth.kerberos.servicePrincipal: what a Kerberos learner asks a ticket for
  // ("zkquorum/_HOST": the peer's host from its server.N line).
  std::string service_principal = "zkquorum/localhost";

  // The server section (the side that accepts). ZooKeeper's isDigestAuthn: every login
  // module is org.apache.zookeeper.server.auth.DigestLoginModule -- then any user of
  // `server_users` is let in; otherwise (Kerberos) the learner's principal must be
  // service/host@REALM with a host of a server.N line (CVE-2023-44981).
  bool server_digest_only = true;
  std::map<std::string, std::string> server_users;  // DigestLoginModule user_<name>
  std::string server_principal;                     // Krb5LoginModule: service/host@REALM
  std::string server_keytab;

  // The learner section (the side that dials).
  std::string learner_username;  // DigestLoginModule username/password
  std::string learner_password;
  std::string learner_principal;  // Krb5LoginModule principal and keyTab
  std::string learner_keytab;

  bool server_kerberos() const { return !server_principal.empty(); }
  bool learner_kerberos() const { return !learner_principal.empty(); }
};

// With quorum.auth.enableSasl: both sections of the JAAS file named by
// java.security.auth.login.config, read as ZooKeeper's SaslQuorumAuthServer/Learner do. A
// missing file or section is an error ("Failed to initialize authentication mechanism using
// SASL"), as in ZooKeeper, where it stops the server; so are options Paddock cannot use. Errors
// name the file and line or the property.
Result<QuorumSaslSettings> resolve_quorum_sasl_settings(
    const std::map<std::string, std::string>& properties, const std::optional<JaasFile>& jaas,
    std::string_view server_section, std::string_view learner_section,
    std::string_view service_principal);
// The same, loading the JAAS file the properties name.
Result<QuorumSaslSettings> resolve_quorum_sasl_settings(
    const std::map<std::string, std::string>& properties, std::string_view server_section,
    std::string_view learner_section, std::string_view service_principal);

// The scheme of a provider class Paddock has built in, or nullopt.
std::optional<std::string> auth_provider_scheme(std::string_view class_name);

// From the system properties (zoo.cfg's unconsumed keys and -D flags) and, when
// java.security.auth.login.config names one, the JAAS file. `warnings` gets what does not
// stop the server (a JAAS file without the server section). Errors name the file and line
// or the property.
Result<AuthSettings> resolve_auth_settings(const std::map<std::string, std::string>& properties,
                                           std::vector<std::string>& warnings);
// The same with the JAAS file already parsed (tests).
Result<AuthSettings> resolve_auth_settings(const std::map<std::string, std::string>& properties,
                                           const std::optional<JaasFile>& jaas,
                                           std::vector<std::string>& warnings);

}  // namespace paddock::config
