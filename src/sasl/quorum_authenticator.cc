#include "sasl/quorum_authenticator.h"

#include <fmt/format.h>
#include <sasl/sasl.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "sasl/cyrus_library.h"

namespace paddock::sasl {
namespace {

constexpr const char* kDigest = "DIGEST-MD5";
constexpr const char* kGssapi = "GSSAPI";

// ZooKeeper's quorum SASL is authentication only: no integrity or privacy layer, the stream
// goes on in clear after SUCCESS (a Java peer never wraps it).
Status no_security_layer(sasl_conn_t* conn) {
  sasl_security_properties_t props{};
  props.min_ssf = 0;
  props.max_ssf = 0;
  props.maxbufsize = 65536;  // the offer a Java GSSAPI server makes ("01 00 00": none, 64 KiB)
  props.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT;
  const int r = sasl_setprop(conn, SASL_SEC_PROPS, &props);
  if (r != SASL_OK) return Status::error("sasl_setprop: " + cyrus_error(conn, r));
  return Status::ok();
}

std::optional<std::string> output(const char* out, unsigned len) {
  if (out == nullptr) return std::nullopt;
  return std::string(out, len);
}

std::string_view without_suffix(std::string_view s, std::string_view suffix) {
  if (s.ends_with(suffix)) s.remove_suffix(suffix.size());
  return s;
}

// --- the accepting side ------------------------------------------------------------------

class ServerExchange final : public peer::PeerAuthExchange, public CyrusServerContext {
 public:
  ServerExchange(const CyrusQuorumAuthenticator& owner, std::string peer)
      : owner_(owner), peer_(std::move(peer)), mech_(owner.server_mechanism()) {
    callbacks_[0] = {SASL_CB_GETOPT, as_callback(&getopt), this};
    callbacks_[1] = {SASL_CB_PROXY_POLICY, as_callback(&proxy_policy),
                     static_cast<CyrusServerContext*>(this)};
    callbacks_[2] = {SASL_CB_LOG, as_callback(&log_callback), nullptr};
    callbacks_[3] = {SASL_CB_LIST_END, nullptr, nullptr};
  }
  ~ServerExchange() override {
    if (conn_ != nullptr) sasl_dispose(&conn_);
  }
  ServerExchange(const ServerExchange&) = delete;
  ServerExchange& operator=(const ServerExchange&) = delete;

  std::string mechanism() const override { return mech_; }
  bool step_may_block() const override { return mech_ == kGssapi; }

  peer::PeerAuthStep step(const std::optional<std::string>& input) override {
    const char* data = input ? input->data() : nullptr;
    const auto len = static_cast<unsigned>(input ? input->size() : 0);
    const char* out = nullptr;
    unsigned out_len = 0;
    int r;
    if (conn_ == nullptr) {
      if (Status s = open(); !s) return failed(s.message());
      // DIGEST-MD5 is server-first (the learner's first token is empty); GSSAPI's first token
      // is the AP-REQ.
      r = sasl_server_start(conn_, mech_.c_str(), len > 0 ? data : nullptr, len, &out, &out_len);
    } else {
      r = sasl_server_step(conn_, data, len, &out, &out_len);
    }
    peer::PeerAuthStep step;
    step.token = output(out, out_len);
    if (r == SASL_CONTINUE) {
      step.status = peer::PeerAuthStep::Status::kContinue;
      return step;
    }
    if (r != SASL_OK) {
      return failed(!authz_.error.empty() ? authz_.error
                                          : fmt::format("{}: {}", mech_, cyrus_error(conn_, r)));
    }
    if (!authz_.authorized) return failed(mech_ + ": the learner was never authorized");
    step.status = peer::PeerAuthStep::Status::kComplete;
    step.peer_id = authz_.id;
    return step;
  }

  // CyrusServerContext. (An unknown user is reported by the exchange's failure, which the
  // peer layer logs rate-limited; Cyrus also looks GSSAPI's principals up here.)
  const std::string* password(std::string_view user) const override {
    return mech_ == kDigest ? owner_.password(user) : nullptr;
  }
  int authorize(std::string_view requested, std::string_view auth_identity,
                std::string_view) override {
    const config::QuorumSaslSettings& s = owner_.settings();
    const std::string realm = s.server_principal.substr(
        std::min(s.server_principal.size(), s.server_principal.find('@') + 1));
    authz_ = authorize_quorum_learner(auth_identity, requested.empty() ? auth_identity : requested,
                                      s.server_digest_only, realm, owner_.member_hosts());
    if (!authz_.authorized) return SASL_NOAUTHZ;
    return SASL_OK;
  }

 private:
  Status open() {
    const config::QuorumSaslSettings& s = owner_.settings();
    std::string service(CyrusQuorumAuthenticator::kProtocol);
    std::string host(CyrusQuorumAuthenticator::kDigestServerName);
    if (mech_ == kGssapi) std::tie(service, host) = principal_service_and_host(s.server_principal);
    // SASL_SUCCESS_DATA: DIGEST-MD5's rspauth comes with the completion, in the SUCCESS packet,
    // as from ZooKeeper (without it Cyrus adds a round the Java learner answers with -1).
    int r = sasl_server_new(service.c_str(), host.c_str(), nullptr, nullptr, nullptr, callbacks_,
                            SASL_SUCCESS_DATA, &conn_);
    if (r != SASL_OK) {
      conn_ = nullptr;
      return Status::error(fmt::format("sasl_server_new: {}", sasl_errstring(r, nullptr, nullptr)));
    }
    return no_security_layer(conn_);
  }

  peer::PeerAuthStep failed(std::string why) const {
    peer::PeerAuthStep step;
    step.status = peer::PeerAuthStep::Status::kFailed;
    step.error = std::move(why);
    return step;
  }

  static int getopt(void* context, const char*, const char* option, const char** result,
                    unsigned* len) {
    auto* self = static_cast<ServerExchange*>(context);
    if (std::strcmp(option, "mech_list") == 0) {
      *result = self->mech_.c_str();
    } else if (std::strcmp(option, "auxprop_plugin") == 0) {
      *result = kAuxpropName;
    } else if (std::strcmp(option, "canon_user_plugin") == 0) {
      *result = "INTERNAL";
    } else {
      return SASL_FAIL;
    }
    if (len != nullptr) *len = static_cast<unsigned>(std::strlen(*result));
    return SASL_OK;
  }

  const CyrusQuorumAuthenticator& owner_;
  std::string peer_;
  std::string mech_;
  sasl_callback_t callbacks_[4];
  sasl_conn_t* conn_ = nullptr;
  QuorumAuthorization authz_;
};

// --- the dialing side --------------------------------------------------------------------

class LearnerExchange final : public peer::PeerAuthExchange {
 public:
  LearnerExchange(const CyrusQuorumAuthenticator& owner, std::string peer_host)
      : owner_(owner), peer_host_(std::move(peer_host)), mech_(owner.learner_mechanism()) {
    callbacks_[0] = {SASL_CB_AUTHNAME, as_callback(&simple), this};
    callbacks_[1] = {SASL_CB_USER, as_callback(&simple), this};
    callbacks_[2] = {SASL_CB_PASS, as_callback(&secret), this};
    callbacks_[3] = {SASL_CB_GETREALM, as_callback(&realm), this};
    callbacks_[4] = {SASL_CB_LOG, as_callback(&log_callback), nullptr};
    callbacks_[5] = {SASL_CB_LIST_END, nullptr, nullptr};
  }
  ~LearnerExchange() override {
    if (conn_ != nullptr) sasl_dispose(&conn_);
  }
  LearnerExchange(const LearnerExchange&) = delete;
  LearnerExchange& operator=(const LearnerExchange&) = delete;

  std::string mechanism() const override { return mech_; }
  bool step_may_block() const override { return mech_ == kGssapi; }

  peer::PeerAuthStep step(const std::optional<std::string>& input) override {
    const char* out = nullptr;
    unsigned out_len = 0;
    int r;
    if (conn_ == nullptr) {
      if (Status s = open(); !s) return failed(s.message());
      const char* chosen = nullptr;
      r = sasl_client_start(conn_, mech_.c_str(), nullptr, &out, &out_len, &chosen);
      if (mech_ == kDigest && r == SASL_CONTINUE) {
        // Cyrus' DIGEST-MD5 client remembers the last server's nonce process-wide and, from
        // the second exchange on, opens with a "subsequent authentication" response
        // (nc=00000002). ZooKeeper's learner always opens with an empty token; both ZooKeeper's
        // server and Cyrus' answer such a response with a fresh challenge anyway, on which
        // Cyrus falls back to a full exchange. So it is not sent: the bytes stay ZooKeeper's.
        out = nullptr;
        out_len = 0;
      }
    } else {
      r = sasl_client_step(conn_, input ? input->data() : nullptr,
                           static_cast<unsigned>(input ? input->size() : 0), nullptr, &out,
                           &out_len);
    }
    peer::PeerAuthStep step;
    step.token = output(out, out_len);
    if (r == SASL_CONTINUE) {
      step.status = peer::PeerAuthStep::Status::kContinue;
    } else if (r == SASL_OK) {
      step.status = peer::PeerAuthStep::Status::kComplete;
    } else {
      return failed(fmt::format("{}: {}", mech_, cyrus_error(conn_, r)));
    }
    return step;
  }

 private:
  Status open() {
    const config::QuorumSaslSettings& s = owner_.settings();
    std::string service(CyrusQuorumAuthenticator::kProtocol);
    std::string host(CyrusQuorumAuthenticator::kDigestServerName);
    if (mech_ == kGssapi) {
      const std::string principal = quorum_service_principal(s.service_principal, peer_host_);
      std::tie(service, host) = principal_service_and_host(principal);
      spdlog::debug("event=quorum_sasl_client principal={} service={} host={}", s.learner_principal,
                    service, host);
    }
    int r = sasl_client_new(service.c_str(), host.c_str(), nullptr, nullptr, callbacks_, 0, &conn_);
    if (r != SASL_OK) {
      conn_ = nullptr;
      return Status::error(fmt::format("sasl_client_new: {}", sasl_errstring(r, nullptr, nullptr)));
    }
    return no_security_layer(conn_);
  }

  peer::PeerAuthStep failed(std::string why) const {
    peer::PeerAuthStep step;
    step.status = peer::PeerAuthStep::Status::kFailed;
    step.error = std::move(why);
    return step;
  }

  // AUTHNAME: the DIGEST-MD5 user. USER (the authorization id): none -- Cyrus then sends
  // none, and a ZooKeeper server takes the authentication id, as its own learners ask for.
  static int simple(void* context, int id, const char** result, unsigned* len) {
    auto* self = static_cast<LearnerExchange*>(context);
    *result = id == SASL_CB_AUTHNAME ? self->owner_.settings().learner_username.c_str() : "";
    if (len != nullptr) *len = static_cast<unsigned>(std::strlen(*result));
    return SASL_OK;
  }
  static int secret(sasl_conn_t*, void* context, int, sasl_secret_t** out) {
    auto* self = static_cast<LearnerExchange*>(context);
    const std::string& password = self->owner_.settings().learner_password;
    self->secret_.assign(sizeof(sasl_secret_t) + password.size() + 1, 0);
    auto* s = reinterpret_cast<sasl_secret_t*>(self->secret_.data());
    s->len = password.size();
    std::memcpy(s->data, password.data(), password.size());
    *out = s;
    return SASL_OK;
  }
  // The realm the server offers (ZooKeeper's: zk-quorum-sasl-md5).
  static int realm(void*, int, const char** available, const char** result) {
    *result = available != nullptr && available[0] != nullptr ? available[0] : "";
    return SASL_OK;
  }

  const CyrusQuorumAuthenticator& owner_;
  std::string peer_host_;
  std::string mech_;
  sasl_callback_t callbacks_[6];
  std::vector<char> secret_;
  sasl_conn_t* conn_ = nullptr;
};

}  // namespace

Result<std::shared_ptr<CyrusQuorumAuthenticator>> CyrusQuorumAuthenticator::create(
    config::QuorumSaslSettings settings, std::set<std::string> member_hosts) {
  // MIT krb5 reads these when a GSSAPI exchange starts; set before any peer thread exists.
  if (settings.server_kerberos()) {
    ::setenv("KRB5_KTNAME", ("FILE:" + settings.server_keytab).c_str(), 1);
  }
  if (settings.learner_kerberos()) {
    ::setenv("KRB5_CLIENT_KTNAME", ("FILE:" + settings.learner_keytab).c_str(), 1);
    ::setenv("KRB5CCNAME", "MEMORY:paddock-quorum-learner", 1);
  }
  if (Status s = init_cyrus(); !s) return s;
  auto authenticator = std::shared_ptr<CyrusQuorumAuthenticator>(
      new CyrusQuorumAuthenticator(std::move(settings), std::move(member_hosts)));
  for (const std::string& mech :
       {authenticator->server_mechanism(), authenticator->learner_mechanism()}) {
    if (!mechanism_available(mech)) {
      return Status::error(
          fmt::format("quorum SASL: {} is not available in Cyrus SASL (install {})", mech,
                      mech == kGssapi ? "libsasl2-modules-gssapi-mit" : "libsasl2-modules"));
    }
  }
  if (authenticator->settings().server_digest_only) {
    spdlog::warn(
        "event=quorum_sasl_digest: Using DIGEST-MD5 for quorum authorization (any "
        "user of section {} may join; no host check)",
        authenticator->settings().server_section);
  }
  spdlog::info(
      "event=quorum_sasl_mechanisms: QuorumLearner will use {} as SASL mechanism; the "
      "quorum server offers {}",
      authenticator->learner_mechanism(), authenticator->server_mechanism());
  return authenticator;
}

std::unique_ptr<peer::PeerAuthExchange> CyrusQuorumAuthenticator::learner(
    const std::string& peer_host) {
  return std::make_unique<LearnerExchange>(*this, peer_host);
}

std::unique_ptr<peer::PeerAuthExchange> CyrusQuorumAuthenticator::server(
    const std::string& peer_address) {
  return std::make_unique<ServerExchange>(*this, peer_address);
}

std::string CyrusQuorumAuthenticator::server_mechanism() const {
  return settings_.server_kerberos() ? kGssapi : kDigest;
}

std::string CyrusQuorumAuthenticator::learner_mechanism() const {
  return settings_.learner_kerberos() ? kGssapi : kDigest;
}

const std::string* CyrusQuorumAuthenticator::password(std::string_view user) const {
  user = without_suffix(user, "@" + std::string(kDigestServerName));
  auto it = settings_.server_users.find(std::string(user));
  return it == settings_.server_users.end() ? nullptr : &it->second;
}

std::string quorum_service_principal(std::string_view configured, std::string_view peer_host) {
  const size_t slash = configured.find('/');
  if (slash == std::string_view::npos ||
      configured.find('/', slash + 1) != std::string_view::npos ||
      configured.substr(slash + 1) != "_HOST") {
    return std::string(configured);
  }
  std::string host(peer_host);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::string(configured.substr(0, slash + 1)) + host;
}

std::pair<std::string, std::string> principal_service_and_host(std::string_view principal) {
  principal = principal.substr(0, principal.find('@'));
  const size_t slash = principal.find('/');
  if (slash == std::string_view::npos) return {std::string(principal), ""};
  return {std::string(principal.substr(0, slash)), std::string(principal.substr(slash + 1))};
}

std::vector<std::string> split_principal(std::string_view principal) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = principal.find_first_of("/@", start);
    parts.emplace_back(principal.substr(start, at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

QuorumAuthorization authorize_quorum_learner(std::string_view authentication_id,
                                             std::string_view authorization_id, bool digest_only,
                                             std::string_view realm,
                                             const std::set<std::string>& member_hosts) {
  QuorumAuthorization out;
  if (digest_only) {
    // Cyrus may carry the DIGEST realm on the names ("test@zk-quorum-sasl-md5").
    const std::string suffix = "@" + std::string(CyrusQuorumAuthenticator::kDigestServerName);
    const std::string_view authn = without_suffix(authentication_id, suffix);
    const std::string_view authz = without_suffix(authorization_id, suffix);
    out.id = authz;
    out.authorized = authn == authz;
    if (!out.authorized) {
      out.error = fmt::format("DIGEST-MD5: {} is not authorized to act as {}", authn, authz);
    }
    return out;
  }
  // Cyrus' GSSAPI reports the authentication id without krb5's default realm; a Java learner
  // asks for its whole principal. Equal when they agree once the realm is back.
  const bool bare = authentication_id.find('@') == std::string_view::npos;
  const bool same =
      authorization_id == authentication_id ||
      (bare && authorization_id == std::string(authentication_id) + "@" + std::string(realm));
  out.id = authorization_id.find('@') == std::string_view::npos
               ? std::string(authorization_id) + "@" + std::string(realm)
               : std::string(authorization_id);
  if (same) {
    // CVE-2023-44981: exactly service/host@REALM, host one of a server.N line. Anything else
    // -- eve@REALM, a bare name, extra '/' or '@' -- is refused.
    const std::vector<std::string> parts = split_principal(out.id);
    out.authorized = parts.size() == 3 && member_hosts.count(parts[1]) > 0;
  }
  if (!out.authorized) {
    out.error =
        fmt::format("SASL authorization completed, {} is not authorized to connect", out.id);
  }
  return out;
}

}  // namespace paddock::sasl
