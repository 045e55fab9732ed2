#pragma once
// What ZooKeeper 3.8's authentication providers do, as pure functions: the id an AuthPacket
// proves (digest, ip), whether an id is well formed in an ACL, and how ids show in whoAmI.
// The providers registered by default in ZooKeeper are "digest" and "ip"; "world" and "auth"
// are handled by the ACL code (acl_check.h), "super" is granted by the digest provider.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/types.h"

namespace paddock::state {

// "user:base64(sha1("user:password"))" for `user_password` = "user:password". Without a
// colon the whole string is the user (ZooKeeper hashes it the same way).
std::string digest_of(std::string_view user_password);

// Standard base64 with padding (what Java's Base64 encoder writes).
std::string base64_encode(std::string_view bytes);

// The ids an AuthPacket{scheme, auth} adds to the connection, in ZooKeeper's order, or none
// when it fails (AUTHFAILED, then the server closes the connection):
//   digest -> [super:"" if "user:hash" equals super_digest], digest:"user:hash";
//   ip     -> ip:<peer_ip> (the connection's own address; the packet's text is ignored);
//   any other scheme -> none.
std::vector<proto::Id> authenticate_ids(std::string_view scheme, std::string_view auth,
                                        std::string_view peer_ip, std::string_view super_digest);

// Whether an ACL id of a registered scheme is well formed (DigestAuthenticationProvider /
// IPAuthenticationProvider.isValid). Schemes without a provider are never valid here.
bool is_valid_digest_id(std::string_view id);
bool is_valid_ip_acl(std::string_view expr);  // "a.b.c.d" or "a.b.c.d/bits"; IPv4 only, as 3.8.0

// Whether `client_ip` (the connection's address) falls in `acl_expr` ("addr" or "addr/bits").
// Handles IPv4 and IPv6 textual forms; an expression and an address of different families
// never match.
bool ip_matches(std::string_view client_ip, std::string_view acl_expr);

// Whether `id` is a valid ACL id of the sasl scheme (SASLAuthenticationProvider.isValid:
// KerberosName parses it -- anything without '@', or name[/host]@REALM).
bool is_valid_sasl_id(std::string_view id);

// Whether ids of this scheme count as authenticated users for the "auth" ACL scheme
// (digest, sasl and x509 yes; ip no; unregistered schemes such as "super" are skipped).
bool is_authenticated_scheme(std::string_view scheme);

// The user whoAmI reports for an id: the part before the first ':' for digest, the id
// itself otherwise.
std::string who_am_i_user(const proto::Id& id);

}  // namespace paddock::state
