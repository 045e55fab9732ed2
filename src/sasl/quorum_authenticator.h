#pragma once
// Quorum SASL (server to server, ZooKeeper 3.8's quorum.auth.*) on Cyrus SASL, behind peer/'s
// PeerAuthenticator seam (peer/peer_authenticator.h); the wire side is peer/quorum_sasl.h.
//
// Mechanisms, as ZooKeeper picks them from its JAAS logins (there is no key for it): a
// section with a Krb5LoginModule means GSSAPI, DigestLoginModule means DIGEST-MD5 -- the
// server section decides what the accepting side offers, the learner section what the
// dialing side uses. DIGEST-MD5 runs as service "zookeeper-quorum" on server name
// "zk-quorum-sasl-md5" (also the realm), both sides; the server's users come from
// user_<name> options through the in-process auxprop plugin (cyrus_library.h). GSSAPI: the
// server is its own principal's service/host; a learner asks for
// quorum.auth.kerberos.servicePrincipal with _HOST replaced by the peer's server.N host.
//
// Authorization (ZooKeeper's SaslQuorumServerCallbackHandler, fixed for CVE-2023-44981):
// the authorization id must equal the authentication id; with Kerberos it must moreover be
// service/host@REALM exactly, with a host that is the host of a server.N line as written.
// DIGEST-MD5 accepts any user of the table.
//
// Where the Cyrus calls run: DIGEST-MD5 steps are a few MD5s and run on the peer io thread.
// GSSAPI steps may wait -- a learner's first step asks the KDC for a ticket (and for its own
// TGT from the keytab), a server's reads the keytab and the replay cache -- so they say so
// (step_may_block) and peer/ runs them on its io thread's helper thread: a KDC that does not
// answer delays other Kerberos exchanges of that port, never a peer's packets or votes.
//
// MIT krb5 takes its files from the environment, which create() sets once (before the peer
// threads exist): KRB5_KTNAME (the server section's keytab; one per process, shared with the
// client port's Kerberos), KRB5_CLIENT_KTNAME (the learner's keytab) and KRB5CCNAME (a
// MEMORY cache of this process: a learner logs in from its keytab, as Java's Krb5LoginModule
// with useKeyTab does, and never uses a ticket cache found in the environment). Limitation:
// MIT logs the learner in as the first principal of its keytab, whatever the JAAS principal.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/auth_settings.h"
#include "peer/peer_authenticator.h"
#include "util/result.h"

namespace paddock::sasl {

class CyrusQuorumAuthenticator final : public peer::PeerAuthenticator {
 public:
  static constexpr std::string_view kProtocol = "zookeeper-quorum";
  static constexpr std::string_view kDigestServerName = "zk-quorum-sasl-md5";

  // `member_hosts`: the host of every server.N line as written (ZooKeeper's authzHosts).
  // Initializes Cyrus and checks that the mechanisms are there; sets the krb5 variables.
  static Result<std::shared_ptr<CyrusQuorumAuthenticator>> create(
      config::QuorumSaslSettings settings, std::set<std::string> member_hosts);

  std::unique_ptr<peer::PeerAuthExchange> learner(const std::string& peer_host) override;
  std::unique_ptr<peer::PeerAuthExchange> server(const std::string& peer_address) override;

  const config::QuorumSaslSettings& settings() const { return settings_; }
  const std::set<std::string>& member_hosts() const { return member_hosts_; }
  std::string server_mechanism() const;
  std::string learner_mechanism() const;
  // The DIGEST-MD5 password of a learner user ("test" or "test@zk-quorum-sasl-md5").
  const std::string* password(std::string_view user) const;

 private:
  CyrusQuorumAuthenticator(config::QuorumSaslSettings settings, std::set<std::string> hosts)
      : settings_(std::move(settings)), member_hosts_(std::move(hosts)) {}
  config::QuorumSaslSettings settings_;
  std::set<std::string> member_hosts_;
};

// ZooKeeper's SecurityUtils.getServerPrincipal: "service/_HOST" (exactly two parts split at
// '/', the second exactly "_HOST") becomes "service/<peer host, lower case>"; anything else
// is kept ("service/_HOST@REALM" too, as ZooKeeper does).
std::string quorum_service_principal(std::string_view configured, std::string_view peer_host);
// Its service and host parts, for sasl_client_new ("zkquorum", "zk1.example.com").
std::pair<std::string, std::string> principal_service_and_host(std::string_view principal);

// ZooKeeper's SaslQuorumServerCallbackHandler.handleAuthorizeCallback, with its
// CVE-2023-44981 fix. `authentication_id` as Cyrus reports it (GSSAPI strips the default
// realm from it; `realm` puts it back), `authorization_id` as the learner asked (Java sends
// its whole principal; Cyrus learners send none, which reaches here as the authentication
// id). `digest_only`: ZooKeeper's isDigestAuthn.
struct QuorumAuthorization {
  bool authorized = false;
  std::string id;     // the authorization id, realm restored (the log line's)
  std::string error;  // when refused, ZooKeeper's message
};
QuorumAuthorization authorize_quorum_learner(std::string_view authentication_id,
                                             std::string_view authorization_id, bool digest_only,
                                             std::string_view realm,
                                             const std::set<std::string>& member_hosts);

// Java's String.split("[/@]"): trailing empty strings dropped.
std::vector<std::string> split_principal(std::string_view principal);

}  // namespace paddock::sasl
