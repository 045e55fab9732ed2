#pragma once
// Who a console request acts as. The console's tree operations run on a client session of
// this server's own client port authenticated as that identity (session_pool.h), so the
// server's ACLs decide what a console user may read and change, exactly as for any client.
//
// Digest is what exists today: the page sends HTTP Basic credentials on every API call and
// the session sends them as add_auth("digest", "user:password"). x509 is the seam left for
// the security work: once the admin server speaks TLS, the client certificate of the admin
// connection becomes ConsoleIdentity{"x509", its subject} in identity_of_request()
// (console.cc), and the pooled session has to present that certificate to the client port.
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace paddock::console {

struct ConsoleIdentity {
  std::string scheme;      // "": anonymous (world:anyone, and ip:<loopback>); "digest"
  std::string credential;  // digest: "user:password", as add_auth sends it

  bool anonymous() const { return scheme.empty(); }
  // What the page shows: "digest:alice", or "anonymous". Never the password.
  std::string display_name() const;
  friend bool operator==(const ConsoleIdentity&, const ConsoleIdentity&) = default;
};

// From an Authorization header: none means anonymous; "Basic <base64 user:password>" a
// digest identity. Anything else is an error the caller answers with 400 (no
// WWW-Authenticate: the page asks for credentials itself, the browser must not).
Result<ConsoleIdentity> identity_from_authorization(std::optional<std::string_view> header);

}  // namespace paddock::console
