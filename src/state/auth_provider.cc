#include "state/auth_provider.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <optional>

namespace paddock::state {
namespace {

// Java's Integer.parseInt: an optional sign, then at least one decimal digit, within int range.
std::optional<int64_t> parse_java_int(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
    if (v > (int64_t{1} << 31)) return std::nullopt;
  }
  v = negative ? -v : v;
  if (v < INT32_MIN || v > INT32_MAX) return std::nullopt;
  return v;
}

// IPv4 dotted quad as IPAuthenticationProvider parses it (exactly four Integer.parseInt parts,
// each 0..255).
std::optional<std::vector<uint8_t>> parse_ipv4(std::string_view addr) {
  std::vector<uint8_t> out;
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    size_t dot = addr.find('.', start);
    if ((part < 3) != (dot != std::string_view::npos)) return std::nullopt;
    std::string_view piece = addr.substr(start, part < 3 ? dot - start : std::string_view::npos);
    std::optional<int64_t> v = parse_java_int(piece);
    if (!v || *v < 0 || *v > 255) return std::nullopt;
    out.push_back(static_cast<uint8_t>(*v));
    start = dot + 1;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One group list of an IPv6 address ("2001:db8:1" or ""), as 16-bit values.
std::optional<std::vector<uint16_t>> parse_ipv6_groups(std::string_view s) {
  std::vector<uint16_t> groups;
  if (s.empty()) return groups;
  size_t start = 0;
  while (true) {
    size_t colon = s.find(':', start);
    std::string_view g = s.substr(start, colon == std::string_view::npos ? s.npos : colon - start);
    if (g.empty() || g.size() > 4) return std::nullopt;
    uint16_t v = 0;
    for (char c : g) {
      int h = hex_value(c);
      if (h < 0) return std::nullopt;
      v = static_cast<uint16_t>(v * 16 + h);
    }
    groups.push_back(v);
    if (colon == std::string_view::npos) return groups;
    start = colon + 1;
  }
}

// IPv6 text ("::1", "fe80::1%eth0", "0:0:0:0:0:0:0:1", with an optional embedded IPv4 tail).
std::optional<std::vector<uint8_t>> parse_ipv6(std::string_view addr) {
  if (size_t pct = addr.find('%'); pct != std::string_view::npos) addr = addr.substr(0, pct);
  if (addr.find(':') == std::string_view::npos) return std::nullopt;
  std::vector<uint8_t> tail4;
  if (size_t last = addr.rfind(':'); addr.find('.', last) != std::string_view::npos) {
    auto v4 = parse_ipv4(addr.substr(last + 1));
    if (!v4) return std::nullopt;
    tail4 = *v4;
    addr = addr.substr(0, last + 1);
    if (addr.size() >= 2 && addr.substr(addr.size() - 2) == "::") {
      // keep the "::" for the split below
    } else {
      addr.remove_suffix(1);
    }
  }
  size_t dc = addr.find("::");
  std::optional<std::vector<uint16_t>> head, rest;
  if (dc == std::string_view::npos) {
    head = parse_ipv6_groups(addr);
    rest = std::vector<uint16_t>{};
  } else {
    if (addr.find("::", dc + 1) != std::string_view::npos) return std::nullopt;
    head = parse_ipv6_groups(addr.substr(0, dc));
    rest = parse_ipv6_groups(addr.substr(dc + 2));
  }
  if (!head || !rest) return std::nullopt;
  const size_t groups = 8 - tail4.size() / 2;
  size_t have = head->size() + rest->size();
  if (have > groups || (dc == std::string_view::npos && have != groups)) return std::nullopt;
  if (dc != std::string_view::npos && have == groups) return std::nullopt;
  std::vector<uint8_t> out;
  auto put = [&](uint16_t g) {
    out.push_back(static_cast<uint8_t>(g >> 8));
    out.push_back(static_cast<uint8_t>(g & 0xff));
  };
  for (uint16_t g : *head) put(g);
  for (size_t i = have; i < groups; ++i) put(0);
  for (uint16_t g : *rest) put(g);
  out.insert(out.end(), tail4.begin(), tail4.end());
  return out;
}

std::optional<std::vector<uint8_t>> parse_ip(std::string_view addr) {
  if (auto v4 = parse_ipv4(addr)) return v4;
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
    addr = addr.substr(1, addr.size() - 2);
  }
  return parse_ipv6(addr);
}

void mask_bits(std::vector<uint8_t>& addr, int64_t bits) {
  for (size_t i = 0; i < addr.size(); ++i) {
    int64_t keep = bits - static_cast<int64_t>(i) * 8;
    if (keep >= 8) continue;
    addr[i] = keep <= 0 ? 0 : static_cast<uint8_t>(addr[i] & (0xff << (8 - keep)));
  }
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string digest_of(std::string_view user_password) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(user_password.data(), user_password.size(), md.data(), &md_len, EVP_sha1(), nullptr);
  std::string_view user = user_password.substr(0, user_password.find(':'));
  return std::string(user) + ":" +
         base64_encode(std::string_view(reinterpret_cast<const char*>(md.data()), md_len));
}

std::vector<proto::Id> authenticate_ids(std::string_view scheme, std::string_view auth,
                                        std::string_view peer_ip, std::string_view super_digest) {
  std::vector<proto::Id> ids;
  if (scheme == "digest") {
    std::string id = digest_of(auth);
    if (!super_digest.empty() && id == super_digest) ids.push_back(proto::Id{"super", ""});
    ids.push_back(proto::Id{"digest", std::move(id)});
  } else if (scheme == "ip" && !peer_ip.empty()) {
    ids.push_back(proto::Id{"ip", std::string(peer_ip)});
  }
  return ids;
}

bool is_valid_digest_id(std::string_view id) {
  // Java's id.split(":").length == 2: split on every ':', drop trailing empty parts.
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = id.find(':', start);
    parts.push_back(id.substr(start, colon == std::string_view::npos ? id.npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() == 1) return false;  // no ':' at all: one part
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts.size() == 2;
}

bool is_valid_ip_acl(std::string_view expr) {
  size_t slash = expr.find('/');
  auto addr = parse_ipv4(expr.substr(0, slash));
  if (!addr) return false;
  if (slash == std::string_view::npos) return true;
  std::optional<int64_t> bits = parse_java_int(expr.substr(slash + 1));
  return bits && *bits >= 0 && *bits <= 32;
}

bool ip_matches(std::string_view client_ip, std::string_view acl_expr) {
  size_t slash = acl_expr.find('/');
  auto acl_addr = parse_ip(acl_expr.substr(0, slash));
  if (!acl_addr) return false;
  const int64_t max_bits = static_cast<int64_t>(acl_addr->size()) * 8;
  int64_t bits = max_bits;
  if (slash != std::string_view::npos) {
    std::optional<int64_t> parsed = parse_java_int(acl_expr.substr(slash + 1));
    if (!parsed || *parsed < 0 || *parsed > max_bits) return false;
    bits = *parsed;
  }
  auto remote = parse_ip(client_ip);
  if (!remote || remote->size() != acl_addr->size()) return false;
  mask_bits(*acl_addr, bits);
  mask_bits(*remote, bits);
  return *remote == *acl_addr;
}

bool is_valid_sasl_id(std::string_view id) {
  // KerberosName's pattern ([^/@]*)(/([^/@]*))?@([^/@]*); a name without '@' is valid whole.
  const size_t at = id.find('@');
  if (at == std::string_view::npos) return true;
  std::string_view before = id.substr(0, at);
  std::string_view realm = id.substr(at + 1);
  const size_t slash = before.find('/');
  return realm.find_first_of("/@") == std::string_view::npos &&
         (slash == std::string_view::npos || before.find('/', slash + 1) == std::string_view::npos);
}

bool is_authenticated_scheme(std::string_view scheme) {
  return scheme == "digest" || scheme == "sasl" || scheme == "x509";
}

std::string who_am_i_user(const proto::Id& id) {
  if (id.scheme == "digest") return id.id.substr(0, id.id.find(':'));
  return id.id;
}

}  // namespace paddock::state
