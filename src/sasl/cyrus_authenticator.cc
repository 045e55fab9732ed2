#include "sasl/cyrus_authenticator.h"

#include <fmt/format.h>
#include <sasl/sasl.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

#include "sasl/cyrus_library.h"

namespace paddock::sasl {
namespace {

constexpr const char* kService = "zookeeper";

// One connection's exchange: a sasl_conn_t, created on the first token (which decides
// the mechanism).
class CyrusExchange final : public pipeline::SaslExchange, public CyrusServerContext {
 public:
  CyrusExchange(const CyrusAuthenticator& owner, std::string peer)
      : owner_(owner), peer_(std::move(peer)) {
    callbacks_[0] = {SASL_CB_GETOPT, as_callback(&getopt), this};
    // The auxprop plugin finds password() through this callback's context.
    callbacks_[1] = {SASL_CB_PROXY_POLICY, as_callback(&proxy_policy),
                     static_cast<CyrusServerContext*>(this)};
    callbacks_[2] = {SASL_CB_LOG, as_callback(&log_callback), nullptr};
    callbacks_[3] = {SASL_CB_LIST_END, nullptr, nullptr};
  }
  ~CyrusExchange() override {
    if (conn_ != nullptr) sasl_dispose(&conn_);
  }
  CyrusExchange(const CyrusExchange&) = delete;
  CyrusExchange& operator=(const CyrusExchange&) = delete;

  Step step(std::string_view token) override {
    const char* out = nullptr;
    unsigned out_len = 0;
    int r;
    if (conn_ == nullptr) {
      if (Status s = open(token); !s) return failed(s.message());
      // DIGEST-MD5 starts without client data; GSSAPI with the client's first token.
      r = sasl_server_start(conn_, mech_.c_str(), token.empty() ? nullptr : token.data(),
                            static_cast<unsigned>(token.size()), &out, &out_len);
    } else {
      r = sasl_server_step(conn_, token.data(), static_cast<unsigned>(token.size()), &out,
                           &out_len);
    }
    Step step;
    if (out != nullptr) step.token.assign(out, out_len);
    if (r == SASL_CONTINUE) {
      step.status = Step::Status::kContinue;
      return step;
    }
    if (r != SASL_OK) {
      return failed(fmt::format("{}: {}", mech_, sasl_errdetail(conn_)));
    }
    const void* user = nullptr;
    if (sasl_getprop(conn_, SASL_AUTHUSER, &user) != SASL_OK || user == nullptr) {
      return failed(mech_ + ": no authentication id");
    }
    std::optional<std::string> id = authorized_id(static_cast<const char*>(user));
    if (!id) return failed(fmt::format("{}: malformed principal '{}'", mech_,
                                       static_cast<const char*>(user)));
    step.status = Step::Status::kComplete;
    step.authorized_id = std::move(*id);
    return step;
  }

  // CyrusServerContext
  const std::string* password(std::string_view user) const override {
    return owner_.password(user);
  }
  // ZooKeeper's SaslServerCallbackHandler authorizes every authenticated client and then
  // replaces the authorization id with one formed from the authentication id, so the id a
  // client asks to act as never matters (authorized_id above).
  int authorize(std::string_view, std::string_view, std::string_view) override { return SASL_OK; }

 private:
  Status open(std::string_view first_token) {
    const config::SaslSettings& s = owner_.settings();
    std::string host;
    if (s.kerberos_enabled() && (!first_token.empty() || !s.digest_enabled())) {
      mech_ = "GSSAPI";
      host = s.service_host();
      service_ = s.service_name();
    } else {
      mech_ = "DIGEST-MD5";
      host = std::string(CyrusAuthenticator::kDigestServerName);
      service_ = kService;
    }
    int r = sasl_server_new(service_.c_str(), host.c_str(), nullptr, nullptr, nullptr,
                            callbacks_, SASL_SUCCESS_DATA, &conn_);
    if (r != SASL_OK) {
      conn_ = nullptr;
      return Status::error(
          fmt::format("sasl_server_new: {}", sasl_errstring(r, nullptr, nullptr)));
    }
    // SASL_SUCCESS_DATA: the last server data (DIGEST-MD5's rspauth) goes with the
    // completion, as Java's SaslServer gives it: ZooKeeper's clients send nothing after it.
    // ZooKeeper uses SASL for authentication only: no integrity or privacy layer.
    sasl_security_properties_t props{};
    props.min_ssf = 0;
    props.max_ssf = 0;
    props.maxbufsize = 65536;
    props.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT;
    r = sasl_setprop(conn_, SASL_SEC_PROPS, &props);
    if (r != SASL_OK) return Status::error(fmt::format("sasl_setprop: {}", sasl_errdetail(conn_)));
    return Status::ok();
  }

  std::optional<std::string> authorized_id(std::string_view user) const {
    const config::SaslSettings& s = owner_.settings();
    if (mech_ == "DIGEST-MD5") {
      // Cyrus may carry the DIGEST realm on the user ("bob@zk-sasl-md5"); ZooKeeper's is
      // the bare user name.
      std::string suffix = "@" + std::string(CyrusAuthenticator::kDigestServerName);
      if (user.ends_with(suffix)) user.remove_suffix(suffix.size());
      return zookeeper_authorized_id(user, "", s.remove_host_from_principal,
                                     s.remove_realm_from_principal);
    }
    // Cyrus's GSSAPI strips the realm from a principal of krb5's default realm.
    std::string principal(user);
    if (principal.find('@') == std::string::npos) principal += "@" + s.service_realm();
    return zookeeper_authorized_id(principal, s.service_realm(), s.remove_host_from_principal,
                                   s.remove_realm_from_principal);
  }

  Step failed(std::string why) const {
    Step step;
    step.status = Step::Status::kFailed;
    step.error = std::move(why);
    return step;
  }

  static int getopt(void* context, const char*, const char* option, const char** result,
                    unsigned* len) {
    auto* self = static_cast<CyrusExchange*>(context);
    if (std::strcmp(option, "mech_list") == 0) {
      *result = self->mech_.c_str();
    } else if (std::strcmp(option, "auxprop_plugin") == 0) {
      *result = kAuxpropName;
    } else if (std::strcmp(option, "canon_user_plugin") == 0) {
      *result = "INTERNAL";
    } else if (std::strcmp(option, "keytab") == 0 && !self->owner_.settings().keytab.empty()) {
      *result = self->owner_.settings().keytab.c_str();
    } else {
      return SASL_FAIL;
    }
    if (len != nullptr) *len = static_cast<unsigned>(std::strlen(*result));
    return SASL_OK;
  }

  const CyrusAuthenticator& owner_;
  std::string peer_;
  std::string mech_;
  std::string service_;
  sasl_callback_t callbacks_[4];
  sasl_conn_t* conn_ = nullptr;
};

}  // namespace

Result<std::shared_ptr<CyrusAuthenticator>> CyrusAuthenticator::create(
    config::SaslSettings settings) {
  if (!settings.keytab.empty()) {
    // MIT krb5 reads the acceptor keytab from KRB5_KTNAME; set before any GSSAPI call.
    ::setenv("KRB5_KTNAME", ("FILE:" + settings.keytab).c_str(), 1);
  }
  if (Status s = init_cyrus(); !s) return s;
  if (settings.digest_enabled() && !mechanism_available("DIGEST-MD5")) {
    return Status::error(
        "SASL DIGEST-MD5 is not available in Cyrus SASL (install libsasl2-modules)");
  }
  if (settings.kerberos_enabled() && !mechanism_available("GSSAPI")) {
    return Status::error(
        "SASL GSSAPI is not available in Cyrus SASL (install libsasl2-modules-gssapi-mit)");
  }
  return std::shared_ptr<CyrusAuthenticator>(new CyrusAuthenticator(std::move(settings)));
}

std::unique_ptr<pipeline::SaslExchange> CyrusAuthenticator::start(std::string_view peer_ip,
                                                                  uint16_t peer_port) {
  return std::make_unique<CyrusExchange>(*this, fmt::format("{}:{}", peer_ip, peer_port));
}

const std::string* CyrusAuthenticator::password(std::string_view user) const {
  std::string suffix = "@" + std::string(kDigestServerName);
  if (user.ends_with(suffix)) user.remove_suffix(suffix.size());
  auto it = settings_.digest_users.find(std::string(user));
  return it == settings_.digest_users.end() ? nullptr : &it->second;
}

std::optional<std::string> zookeeper_authorized_id(std::string_view authentication_id,
                                                   std::string_view default_realm,
                                                   bool remove_host, bool remove_realm) {
  // KerberosName: "name[/host]@realm" with no further '/' or '@'; without an '@' the whole
  // string is the name.
  const size_t at = authentication_id.find('@');
  if (at == std::string_view::npos) return std::string(authentication_id);
  std::string_view before = authentication_id.substr(0, at);
  std::string_view realm = authentication_id.substr(at + 1);
  const size_t slash = before.find('/');
  std::string_view name = before.substr(0, slash);
  std::optional<std::string_view> host;
  if (slash != std::string_view::npos) host = before.substr(slash + 1);
  if (realm.find_first_of("/@") != std::string_view::npos ||
      (host && host->find('/') != std::string_view::npos)) {
    return std::nullopt;
  }
  // DEFAULT auth_to_local rule: only principals of the default realm have a short name;
  // for others ZooKeeper keeps the id the client asked for (the whole principal).
  if (realm != default_realm) return std::string(authentication_id);
  std::string id(name);
  if (host && !remove_host) id += "/" + std::string(*host);
  if (!remove_realm) id += "@" + std::string(realm);
  return id;
}

}  // namespace paddock::sasl
