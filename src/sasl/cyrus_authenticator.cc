#include "sasl/cyrus_authenticator.h"

#include <fmt/format.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace paddock::sasl {
namespace {

// Cyrus keeps every callback as int (*)(void) and calls it with the arguments its id
// implies; the cast goes through void (*)() so the compiler accepts it.
template <typename F>
auto as_callback(F* f) {
  return reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)()>(f));
}

constexpr const char* kAuxpropName = "paddock";
constexpr const char* kService = "zookeeper";

// --- Cyrus callbacks ------------------------------------------------------------------

int log_callback(void*, int level, const char* message) {
  if (level <= SASL_LOG_ERR) {
    spdlog::warn("event=sasl_library_error message=\"{}\"", message ? message : "");
  } else {
    spdlog::debug("event=sasl_library level={} message=\"{}\"", level, message ? message : "");
  }
  return SASL_OK;
}

// Options Cyrus asks for while no connection exists (plugin loading).
int global_getopt(void*, const char*, const char* option, const char** result, unsigned* len) {
  if (std::strcmp(option, "auxprop_plugin") == 0) {
    *result = kAuxpropName;
  } else {
    return SASL_FAIL;
  }
  if (len != nullptr) *len = static_cast<unsigned>(std::strlen(*result));
  return SASL_OK;
}

sasl_callback_t kGlobalCallbacks[] = {
    {SASL_CB_LOG, as_callback(&log_callback), nullptr},
    {SASL_CB_GETOPT, as_callback(&global_getopt), nullptr},
    {SASL_CB_LIST_END, nullptr, nullptr}};

class CyrusExchange;

// The in-memory auxprop plugin: "userPassword" of the DIGEST-MD5 users.
int auxprop_lookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
                   unsigned ulen);

sasl_auxprop_plug_t kAuxprop = {
    0, 0, nullptr, nullptr, &auxprop_lookup, const_cast<char*>(kAuxpropName), nullptr};

int auxprop_init(const sasl_utils_t*, int max_version, int* out_version,
                 sasl_auxprop_plug_t** plug, const char*) {
  if (max_version < SASL_AUXPROP_PLUG_VERSION) return SASL_BADVERS;
  *out_version = SASL_AUXPROP_PLUG_VERSION;
  *plug = &kAuxprop;
  return SASL_OK;
}

Status init_cyrus_once() {
  static std::once_flag once;
  static int result = SASL_OK;
  static std::string detail;
  std::call_once(once, [] {
    result = sasl_server_init(kGlobalCallbacks, "paddock");
    if (result != SASL_OK) {
      detail = fmt::format("sasl_server_init: {}", sasl_errstring(result, nullptr, nullptr));
      return;
    }
    result = sasl_auxprop_add_plugin(kAuxpropName, &auxprop_init);
    if (result != SASL_OK) {
      detail = fmt::format("sasl_auxprop_add_plugin: {}", sasl_errstring(result, nullptr, nullptr));
    }
  });
  if (result != SASL_OK) return Status::error(detail);
  return Status::ok();
}

bool mechanism_available(std::string_view mech) {
  const char** mechs = sasl_global_listmech();
  for (; mechs != nullptr && *mechs != nullptr; ++mechs) {
    if (mech == *mechs) return true;
  }
  return false;
}

// One connection's exchange: a sasl_conn_t, created on the first token (which decides
// the mechanism).
class CyrusExchange final : public pipeline::SaslExchange {
 public:
  CyrusExchange(const CyrusAuthenticator& owner, std::string peer)
      : owner_(owner), peer_(std::move(peer)) {
    callbacks_[0] = {SASL_CB_GETOPT, as_callback(&getopt), this};
    callbacks_[1] = {SASL_CB_PROXY_POLICY, as_callback(&authorize), this};
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

  const CyrusAuthenticator& owner() const { return owner_; }

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

 public:
  // ZooKeeper's SaslServerCallbackHandler authorizes every authenticated client and then
  // replaces the authorization id with one formed from the authentication id, so the id a
  // client asks to act as never matters (authorized_id above). Its context is the exchange
  // (the auxprop lookup finds the exchange through it).
  static int authorize(sasl_conn_t*, void*, const char*, unsigned, const char*, unsigned,
                       const char*, unsigned, struct propctx*) {
    return SASL_OK;
  }
};

int auxprop_lookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
                   unsigned ulen) {
  if (sparams == nullptr || user == nullptr) return SASL_BADPARAM;
  // The connection's exchange, through the context of its proxy-policy callback (Cyrus
  // answers a lookup of SASL_CB_GETOPT with its own wrapper, so that one cannot serve).
  sasl_callback_ft policy_fn = nullptr;
  void* context = nullptr;
  if (sparams->utils->getcallback(sparams->utils->conn, SASL_CB_PROXY_POLICY, &policy_fn,
                                  &context) != SASL_OK ||
      policy_fn != as_callback(&CyrusExchange::authorize) ||
      context == nullptr) {
    return SASL_NOUSER;
  }
  const auto* exchange = static_cast<const CyrusExchange*>(context);
  const std::string* password = exchange->owner().password(std::string_view(user, ulen));
  if (password == nullptr) return SASL_NOUSER;
  const struct propval* to_fetch = sparams->utils->prop_get(sparams->propctx);
  if (to_fetch == nullptr) return SASL_NOMEM;
  for (const struct propval* cur = to_fetch; cur->name != nullptr; ++cur) {
    // Names starting with '*' belong to the authentication id, the others to the
    // authorization id (sasldb's rule).
    const bool authid_prop = cur->name[0] == '*';
    if (authid_prop == ((flags & SASL_AUXPROP_AUTHZID) != 0)) continue;
    const char* name = authid_prop ? cur->name + 1 : cur->name;
    if (std::strcmp(name, SASL_AUX_PASSWORD_PROP) != 0) continue;
    if (cur->values != nullptr) {
      if ((flags & SASL_AUXPROP_OVERRIDE) == 0) continue;
      sparams->utils->prop_erase(sparams->propctx, cur->name);
    }
    sparams->utils->prop_set(sparams->propctx, cur->name, password->c_str(),
                             static_cast<int>(password->size()));
  }
  return SASL_OK;
}

}  // namespace

Result<std::shared_ptr<CyrusAuthenticator>> CyrusAuthenticator::create(
    config::SaslSettings settings) {
  if (!settings.keytab.empty()) {
    // MIT krb5 reads the acceptor keytab from KRB5_KTNAME; set before any GSSAPI call.
    ::setenv("KRB5_KTNAME", ("FILE:" + settings.keytab).c_str(), 1);
  }
  if (Status s = init_cyrus_once(); !s) return s;
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
