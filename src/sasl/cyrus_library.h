#pragma once
// Cyrus SASL (libsasl2) as one process uses it: initialized once for both sides (the client
// port's SASL server, the quorum's SASL server and client), real mutexes (Cyrus' default
// ones do nothing, and exchanges run on several threads: the pipeline thread, the peer io
// threads and their helper threads), and the in-process auxprop plugin ("paddock") that
// answers DIGEST-MD5's "userPassword" lookups from the table of the connection being
// authenticated -- no sasldb file.
//
// A server connection reaches its table through the context of its SASL_CB_PROXY_POLICY
// callback, which must be `proxy_policy` below with a CyrusServerContext (Cyrus answers
// lookups of SASL_CB_GETOPT with its own wrapper, so that one cannot serve).
#include <sasl/sasl.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace paddock::sasl {

// Cyrus keeps every callback as int (*)(void) and calls it with the arguments its id
// implies; the cast goes through void (*)() so the compiler accepts it.
template <typename F>
auto as_callback(F* f) {
  return reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)()>(f));
}

inline constexpr const char* kAuxpropName = "paddock";

// What one server connection's callbacks answer.
class CyrusServerContext {
 public:
  virtual ~CyrusServerContext() = default;
  // The DIGEST-MD5 password of `user`, or nullptr (unknown user).
  virtual const std::string* password(std::string_view user) const = 0;
  // SASL_CB_PROXY_POLICY: may `auth_identity` act as `requested_user`? SASL_OK, or
  // SASL_NOAUTHZ (the exchange fails).
  virtual int authorize(std::string_view requested_user, std::string_view auth_identity,
                        std::string_view default_realm) = 0;
};

// Once per process: sasl_set_mutex, sasl_server_init, sasl_client_init, the auxprop plugin.
Status init_cyrus();
// Whether Cyrus found a plugin for `mech` (libsasl2-modules, libsasl2-modules-gssapi-mit).
bool mechanism_available(std::string_view mech);

// SASL_CB_PROXY_POLICY for server connections; its context is a CyrusServerContext*.
int proxy_policy(sasl_conn_t* conn, void* context, const char* requested_user, unsigned rlen,
                 const char* auth_identity, unsigned alen, const char* default_realm,
                 unsigned urlen, struct propctx* propctx);
// SASL_CB_LOG: Cyrus' errors as warnings, the rest at debug.
int log_callback(void* context, int level, const char* message);

// Cyrus' last error on `conn`, for a failure message.
std::string cyrus_error(sasl_conn_t* conn, int result);

}  // namespace paddock::sasl
