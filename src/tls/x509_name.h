#pragma once
// An X.509 distinguished name printed as Java's X500Principal.getName() prints it (RFC 2253
// form), which is the id ZooKeeper's X509AuthenticationProvider gives a client certificate:
// "CN=client,OU=Test,O=Paddock,C=US". RDNs in reverse order of the encoding, separated by
// ','; the AVAs of a multi-valued RDN joined by '+'; RFC 2253's keywords (CN, C, L, ST, O,
// OU, STREET, DC, UID), any other attribute as its dotted OID with '#' and the hex of its
// DER value (emailAddress becomes "1.2.840.113549.1.9.1=#16..."); in string values the
// characters , = + < > # ; " \ are escaped with a backslash, as are leading and trailing
// spaces, and NUL is written \00.
#include <string>

#include <openssl/x509.h>

namespace paddock::tls {

std::string java_rfc2253_name(const X509_NAME* name);

}  // namespace paddock::tls
