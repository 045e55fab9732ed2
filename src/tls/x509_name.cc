#include "tls/x509_name.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <array>
#include <string_view>

namespace paddock::tls {
namespace {

struct Keyword {
  int nid;
  std::string_view name;
};
// The keywords Java's RFC 2253 printer uses; every other attribute is printed as an OID.
constexpr std::array<Keyword, 9> kKeywords = {{
    {NID_commonName, "CN"},
    {NID_countryName, "C"},
    {NID_localityName, "L"},
    {NID_stateOrProvinceName, "ST"},
    {NID_organizationName, "O"},
    {NID_organizationalUnitName, "OU"},
    {NID_streetAddress, "STREET"},
    {NID_domainComponent, "DC"},
    {NID_userId, "UID"},
}};

bool is_string_type(int type) {
  switch (type) {
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_UNIVERSALSTRING:
    case V_ASN1_GENERALSTRING:
      return true;
    default:
      return false;
  }
}

void append_hex_der(std::string& out, const ASN1_STRING* value) {
  // The DER of the value: its tag, length and content.
  unsigned char* der = nullptr;
  ASN1_TYPE* any = ASN1_TYPE_new();
  ASN1_STRING* copy = ASN1_STRING_dup(value);
  ASN1_TYPE_set(any, ASN1_STRING_type(value), copy);
  const int n = i2d_ASN1_TYPE(any, &der);
  ASN1_TYPE_free(any);
  out += '#';
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < n; ++i) {
    out += kHex[der[i] >> 4];
    out += kHex[der[i] & 15];
  }
  OPENSSL_free(der);
}

void append_escaped(std::string& out, std::string_view value) {
  static constexpr std::string_view kEscapees = ",=+<>#;\"\\";
  size_t lead = 0;
  while (lead < value.size() && (value[lead] == ' ' || value[lead] == '\r')) ++lead;
  size_t trail = value.size();
  while (trail > lead && (value[trail - 1] == ' ' || value[trail - 1] == '\r')) --trail;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\0') {
      out += "\\00";
      continue;
    }
    if (kEscapees.find(c) != std::string_view::npos || i < lead || i >= trail) out += '\\';
    out += c;
  }
}

void append_ava(std::string& out, const X509_NAME_ENTRY* entry) {
  const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(entry);
  const int nid = OBJ_obj2nid(object);
  std::string_view keyword;
  for (const Keyword& k : kKeywords) {
    if (k.nid == nid) keyword = k.name;
  }
  if (keyword.empty() || !is_string_type(ASN1_STRING_type(value))) {
    if (keyword.empty()) {
      char oid[128];
      OBJ_obj2txt(oid, sizeof oid, object, 1);
      out += oid;
    } else {
      out += keyword;
    }
    out += '=';
    append_hex_der(out, value);
    return;
  }
  out += keyword;
  out += '=';
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, value);
  if (n >= 0) {
    append_escaped(out, std::string_view(reinterpret_cast<const char*>(utf8),
                                         static_cast<size_t>(n)));
  }
  OPENSSL_free(utf8);
}

}  // namespace

std::string java_rfc2253_name(const X509_NAME* name) {
  std::string out;
  const int count = X509_NAME_entry_count(name);
  // Entries are stored in encoding order with an RDN index ("set"); print the last RDN first.
  int i = count - 1;
  while (i >= 0) {
    const int set = X509_NAME_ENTRY_set(X509_NAME_get_entry(name, i));
    int first = i;
    while (first > 0 && X509_NAME_ENTRY_set(X509_NAME_get_entry(name, first - 1)) == set) --first;
    if (!out.empty()) out += ',';
    for (int j = first; j <= i; ++j) {
      if (j > first) out += '+';
      append_ava(out, X509_NAME_get_entry(name, j));
    }
    i = first - 1;
  }
  return out;
}

}  // namespace paddock::tls
