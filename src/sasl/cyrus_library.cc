#include "sasl/cyrus_library.h"

#include <fmt/format.h>
#include <sasl/saslplug.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <mutex>

namespace paddock::sasl {
namespace {

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

sasl_callback_t kGlobalCallbacks[] = {{SASL_CB_LOG, as_callback(&log_callback), nullptr},
                                      {SASL_CB_GETOPT, as_callback(&global_getopt), nullptr},
                                      {SASL_CB_LIST_END, nullptr, nullptr}};

// The in-memory auxprop plugin: "userPassword" from the connection's CyrusServerContext.
int auxprop_lookup(void*, sasl_server_params_t* sparams, unsigned flags, const char* user,
                   unsigned ulen) {
  if (sparams == nullptr || user == nullptr) return SASL_BADPARAM;
  sasl_callback_ft policy_fn = nullptr;
  void* context = nullptr;
  if (sparams->utils->getcallback(sparams->utils->conn, SASL_CB_PROXY_POLICY, &policy_fn,
                                  &context) != SASL_OK ||
      policy_fn != as_callback(&proxy_policy) || context == nullptr) {
    return SASL_NOUSER;
  }
  const auto* server = static_cast<const CyrusServerContext*>(context);
  const std::string* password = server->password(std::string_view(user, ulen));
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

sasl_auxprop_plug_t kAuxprop = {
    0, 0, nullptr, nullptr, &auxprop_lookup, const_cast<char*>(kAuxpropName), nullptr};

int auxprop_init(const sasl_utils_t*, int max_version, int* out_version, sasl_auxprop_plug_t** plug,
                 const char*) {
  if (max_version < SASL_AUXPROP_PLUG_VERSION) return SASL_BADVERS;
  *out_version = SASL_AUXPROP_PLUG_VERSION;
  *plug = &kAuxprop;
  return SASL_OK;
}

// Cyrus' mutex hooks over std::mutex (its defaults are no-ops).
void* mutex_alloc() { return new std::mutex(); }
int mutex_lock(void* m) {
  static_cast<std::mutex*>(m)->lock();
  return SASL_OK;
}
int mutex_unlock(void* m) {
  static_cast<std::mutex*>(m)->unlock();
  return SASL_OK;
}
void mutex_free(void* m) { delete static_cast<std::mutex*>(m); }

}  // namespace

Status init_cyrus() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    sasl_set_mutex(&mutex_alloc, &mutex_lock, &mutex_unlock, &mutex_free);
    int r = sasl_server_init(kGlobalCallbacks, "paddock");
    if (r != SASL_OK) {
      failure = fmt::format("sasl_server_init: {}", sasl_errstring(r, nullptr, nullptr));
      return;
    }
    r = sasl_client_init(kGlobalCallbacks);
    if (r != SASL_OK) {
      failure = fmt::format("sasl_client_init: {}", sasl_errstring(r, nullptr, nullptr));
      return;
    }
    r = sasl_auxprop_add_plugin(kAuxpropName, &auxprop_init);
    if (r != SASL_OK) {
      failure = fmt::format("sasl_auxprop_add_plugin: {}", sasl_errstring(r, nullptr, nullptr));
    }
  });
  if (!failure.empty()) return Status::error(failure);
  return Status::ok();
}

bool mechanism_available(std::string_view mech) {
  const char** mechs = sasl_global_listmech();
  for (; mechs != nullptr && *mechs != nullptr; ++mechs) {
    if (mech == *mechs) return true;
  }
  return false;
}

int proxy_policy(sasl_conn_t*, void* context, const char* requested_user, unsigned rlen,
                 const char* auth_identity, unsigned alen, const char* default_realm,
                 unsigned urlen, struct propctx*) {
  auto* server = static_cast<CyrusServerContext*>(context);
  if (server == nullptr) return SASL_NOAUTHZ;
  return server->authorize(
      requested_user ? std::string_view(requested_user, rlen) : std::string_view(),
      auth_identity ? std::string_view(auth_identity, alen) : std::string_view(),
      default_realm ? std::string_view(default_realm, urlen) : std::string_view());
}

int log_callback(void*, int level, const char* message) {
  if (level <= SASL_LOG_ERR) {
    spdlog::warn("event=sasl_library_error message=\"{}\"", message ? message : "");
  } else {
    spdlog::debug("event=sasl_library level={} message=\"{}\"", level, message ? message : "");
  }
  return SASL_OK;
}

std::string cyrus_error(sasl_conn_t* conn, int result) {
  const char* detail = conn != nullptr ? sasl_errdetail(conn) : nullptr;
  return detail != nullptr ? std::string(detail) : sasl_errstring(result, nullptr, nullptr);
}

}  // namespace paddock::sasl
