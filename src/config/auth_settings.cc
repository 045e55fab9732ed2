#include "config/auth_settings.h"

#include <fmt/format.h>

#include <algorithm>

namespace paddock::config {
namespace {

constexpr std::string_view kJaasProperty = "java.security.auth.login.config";
constexpr std::string_view kSectionProperty = "zookeeper.sasl.serverconfig";
constexpr std::string_view kProviderPrefix = "zookeeper.authProvider.";

std::optional<std::string> get(const std::map<std::string, std::string>& props,
                               std::string_view name) {
  auto it = props.find(std::string(name));
  if (it == props.end()) return std::nullopt;
  return it->second;
}

std::string trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return std::string(s);
}

// Boolean.parseBoolean, strict: true/false in any case, anything else is an error.
Result<bool> flag(const std::map<std::string, std::string>& props, std::string_view name) {
  std::optional<std::string> v = get(props, name);
  if (!v) return false;
  std::string t = trim(*v);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "true") return true;
  if (t == "false") return false;
  return Status::error(fmt::format("{}: invalid value '{}' (use true or false)", name, *v));
}

bool ends_with_class(std::string_view class_name, std::string_view simple) {
  return class_name == simple ||
         (class_name.ends_with(simple) && class_name[class_name.size() - simple.size() - 1] == '.');
}

// The server section's login modules -> what SASL can offer.
Status read_server_section(const JaasFile& jaas, const JaasSection& section, SaslSettings& out) {
  for (const JaasModule& m : section.modules) {
    const std::string where = fmt::format("{}:{}: {}", jaas.source, m.line, m.class_name);
    if (ends_with_class(m.class_name, "DigestLoginModule")) {
      for (const auto& [name, value] : m.options) {
        if (name.starts_with("user_") && name.size() > 5) out.digest_users[name.substr(5)] = value;
      }
      if (out.digest_users.empty()) {
        return Status::error(where + ": no user_<name>=\"<password>\" option: no user could "
                                     "authenticate with DIGEST-MD5");
      }
    } else if (ends_with_class(m.class_name, "Krb5LoginModule")) {
      std::optional<std::string> principal = m.option("principal");
      std::optional<std::string> keytab = m.option("keyTab");
      std::optional<std::string> use_keytab = m.option("useKeyTab");
      if (!principal || principal->empty()) return Status::error(where + ": principal is not set");
      if (!keytab || keytab->empty() || !use_keytab || trim(*use_keytab) != "true") {
        return Status::error(where +
                             ": Paddock needs useKeyTab=true and keyTab=\"<file>\" for the "
                             "service's key (a ticket cache cannot accept clients)");
      }
      const std::string& p = *principal;
      const size_t slash = p.find('/');
      const size_t at = p.find('@');
      if (slash == std::string::npos || slash == 0 || at == std::string::npos || at < slash + 2 ||
          at + 1 == p.size() || p.find('/', slash + 1) != std::string::npos) {
        return Status::error(
            where + fmt::format(": principal '{}' is not of the form service/host@REALM", p));
      }
      out.principal = p;
      out.keytab = *keytab;
    } else {
      return Status::error(where +
                           ": login module not supported (Paddock's SASL server reads "
                           "DigestLoginModule users and a Krb5LoginModule keytab)");
    }
  }
  return Status::ok();
}

constexpr std::string_view kDigestLoginModule =
    "org.apache.zookeeper.server.auth.DigestLoginModule";

// A Krb5LoginModule's keytab and principal, which Paddock needs both of.
Status read_kerberos_login(const JaasModule& m, const std::string& where, std::string& principal,
                           std::string& keytab) {
  std::optional<std::string> p = m.option("principal");
  std::optional<std::string> k = m.option("keyTab");
  std::optional<std::string> use_keytab = m.option("useKeyTab");
  if (!p || p->empty()) return Status::error(where + ": principal is not set");
  if (!k || k->empty() || !use_keytab || trim(*use_keytab) != "true") {
    return Status::error(where +
                         ": Paddock needs useKeyTab=true and keyTab=\"<file>\" (it logs in "
                         "from a keytab, not from a ticket cache)");
  }
  principal = *p;
  keytab = *k;
  return Status::ok();
}

bool is_service_principal(std::string_view p) {
  const size_t slash = p.find('/');
  const size_t at = p.find('@');
  return slash != std::string_view::npos && slash > 0 && at != std::string_view::npos &&
         at > slash + 1 && at + 1 < p.size() && p.find('/', slash + 1) == std::string_view::npos &&
         p.find('@', at + 1) == std::string_view::npos;
}

Status read_quorum_server_section(const JaasFile& jaas, const JaasSection& section,
                                  QuorumSaslSettings& out) {
  for (const JaasModule& m : section.modules) {
    const std::string where = fmt::format("{}:{}: {}", jaas.source, m.line, m.class_name);
    // ZooKeeper's rule (fixed for CVE-2023-44981): digest mode only when every module is
    // exactly its DigestLoginModule.
    if (trim(m.class_name) != kDigestLoginModule) out.server_digest_only = false;
    if (ends_with_class(m.class_name, "DigestLoginModule")) {
      for (const auto& [name, value] : m.options) {
        if (name.starts_with("user_") && name.size() > 5) out.server_users[name.substr(5)] = value;
      }
    } else if (ends_with_class(m.class_name, "Krb5LoginModule")) {
      if (Status s = read_kerberos_login(m, where, out.server_principal, out.server_keytab); !s) {
        return s;
      }
      if (!is_service_principal(out.server_principal)) {
        return Status::error(where + fmt::format(": principal '{}' is not of the form "
                                                 "service/host@REALM (a quorum server's own "
                                                 "service principal)",
                                                 out.server_principal));
      }
    } else {
      return Status::error(where +
                           ": login module not supported (Paddock's quorum SASL reads "
                           "DigestLoginModule users and a Krb5LoginModule keytab)");
    }
  }
  if (!out.server_kerberos() && out.server_users.empty()) {
    return Status::error(fmt::format(
        "{}:{}: {}: no user_<name>=\"<password>\" option: no learner could authenticate with "
        "DIGEST-MD5",
        jaas.source, section.line, section.name));
  }
  return Status::ok();
}

Status read_quorum_learner_section(const JaasFile& jaas, const JaasSection& section,
                                   QuorumSaslSettings& out) {
  for (const JaasModule& m : section.modules) {
    const std::string where = fmt::format("{}:{}: {}", jaas.source, m.line, m.class_name);
    if (ends_with_class(m.class_name, "DigestLoginModule")) {
      std::optional<std::string> user = m.option("username");
      std::optional<std::string> password = m.option("password");
      if (!user || user->empty() || !password) {
        return Status::error(where +
                             ": a learner's DigestLoginModule needs username=\"...\" "
                             "and password=\"...\"");
      }
      out.learner_username = *user;
      out.learner_password = *password;
    } else if (ends_with_class(m.class_name, "Krb5LoginModule")) {
      if (Status s = read_kerberos_login(m, where, out.learner_principal, out.learner_keytab); !s) {
        return s;
      }
    } else {
      return Status::error(where +
                           ": login module not supported (Paddock's quorum SASL learner reads a "
                           "DigestLoginModule username/password or a Krb5LoginModule keytab)");
    }
  }
  if (!out.learner_kerberos() && out.learner_username.empty()) {
    return Status::error(
        fmt::format("{}:{}: {}: no login module", jaas.source, section.line, section.name));
  }
  return Status::ok();
}

Status read_enforcement(const std::map<std::string, std::string>& props, AuthSettings& out) {
  Result<bool> require_sasl = flag(props, "zookeeper.sessionRequireClientSASLAuth");
  if (!require_sasl) return require_sasl.status();
  if (*require_sasl) {
    out.enforce = true;
    out.enforce_schemes = {"sasl"};
  } else {
    Result<bool> enabled = flag(props, "zookeeper.enforce.auth.enabled");
    if (!enabled) return enabled.status();
    out.enforce = *enabled;
    std::string list = get(props, "zookeeper.enforce.auth.schemes").value_or("");
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = std::min(list.find(',', pos), list.size());
      std::string scheme = trim(std::string_view(list).substr(pos, comma - pos));
      if (!scheme.empty()) out.enforce_schemes.push_back(scheme);
      pos = comma + 1;
    }
  }
  if (!out.enforce) return Status::ok();
  if (out.enforce_schemes.empty()) {
    return Status::error(
        "zookeeper.enforce.auth.enabled is true: zookeeper.enforce.auth.schemes must name at "
        "least one scheme");
  }
  for (const std::string& s : out.enforce_schemes) {
    if (s == "digest" || s == "ip" || out.provider_schemes.count(s) != 0) continue;
    return Status::error(fmt::format(
        "authentication scheme '{}' required by enforce.auth.schemes/"
        "sessionRequireClientSASLAuth is not available{}",
        s,
        s == "sasl" ? " (add authProvider.1=org.apache.zookeeper.server.auth."
                      "SASLAuthenticationProvider)"
                    : ""));
  }
  return Status::ok();
}

}  // namespace

std::string SaslSettings::service_name() const { return principal.substr(0, principal.find('/')); }

std::string SaslSettings::service_host() const {
  const size_t slash = principal.find('/');
  if (slash == std::string::npos) return "";
  return principal.substr(slash + 1, principal.find('@') - slash - 1);
}

std::string SaslSettings::service_realm() const {
  const size_t at = principal.find('@');
  return at == std::string::npos ? "" : principal.substr(at + 1);
}

std::optional<std::string> auth_provider_scheme(std::string_view class_name) {
  if (trim(class_name) == "org.apache.zookeeper.server.auth.SASLAuthenticationProvider") {
    return "sasl";
  }
  return std::nullopt;
}

Result<AuthSettings> resolve_auth_settings(const std::map<std::string, std::string>& properties,
                                           const std::optional<JaasFile>& jaas,
                                           std::vector<std::string>& warnings) {
  AuthSettings out;
  for (const auto& [name, value] : properties) {
    if (!name.starts_with(kProviderPrefix)) continue;
    if (std::optional<std::string> scheme = auth_provider_scheme(value)) {
      out.provider_schemes.insert(*scheme);
    }
  }
  out.super_user = get(properties, "zookeeper.superUser").value_or("");
  if (Status s = read_enforcement(properties, out); !s) return s;
  if (!jaas) return out;
  const std::string section = get(properties, kSectionProperty).value_or("Server");
  const JaasSection* server = jaas->find(section);
  if (server == nullptr) {
    warnings.push_back(fmt::format("{}: no JAAS section named '{}': SASL is off for clients",
                                   jaas->source, section));
    return out;
  }
  SaslSettings sasl;
  sasl.jaas_path = jaas->source;
  sasl.section = section;
  if (Status s = read_server_section(*jaas, *server, sasl); !s) return s;
  for (auto [name, field] : {std::pair{"zookeeper.kerberos.removeHostFromPrincipal",
                                       &sasl.remove_host_from_principal},
                             std::pair{"zookeeper.kerberos.removeRealmFromPrincipal",
                                       &sasl.remove_realm_from_principal},
                             std::pair{"zookeeper.allowSaslFailedClients",
                                       &sasl.allow_failed_clients}}) {
    Result<bool> v = flag(properties, name);
    if (!v) return v.status();
    *field = *v;
  }
  out.sasl = std::move(sasl);
  return out;
}

Result<QuorumSaslSettings> resolve_quorum_sasl_settings(
    const std::map<std::string, std::string>& properties, const std::optional<JaasFile>& jaas,
    std::string_view server_section, std::string_view learner_section,
    std::string_view service_principal) {
  const std::string failed = "Failed to initialize authentication mechanism using SASL";
  if (!jaas) {
    return Status::error(fmt::format(
        "quorum.auth.enableSasl=true: {}: no JAAS file (give -D{}=<file> with the sections "
        "'{}' and '{}')",
        failed, kJaasProperty, server_section, learner_section));
  }
  QuorumSaslSettings out;
  out.jaas_path = jaas->source;
  out.server_section = server_section;
  out.learner_section = learner_section;
  out.service_principal = service_principal;
  for (std::string_view name : {server_section, learner_section}) {
    if (jaas->find(name) == nullptr) {
      return Status::error(fmt::format(
          "{}: SASL-authentication failed because the specified JAAS configuration section "
          "'{}' could not be found in {}",
          failed, name, jaas->source));
    }
  }
  if (Status s = read_quorum_server_section(*jaas, *jaas->find(server_section), out); !s) return s;
  if (Status s = read_quorum_learner_section(*jaas, *jaas->find(learner_section), out); !s) {
    return s;
  }
  if (out.learner_kerberos()) {
    // What the learner asks a ticket for: service/host, _HOST allowed for the host.
    std::string_view p = service_principal;
    const size_t slash = p.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == p.size() ||
        p[slash + 1] == '@') {
      return Status::error(fmt::format(
          "quorum.auth.kerberos.servicePrincipal: '{}' is not of the form service/host (or "
          "service/_HOST) with an optional @REALM",
          service_principal));
    }
  }
  // MIT krb5 takes a process's acceptor keytab from KRB5_KTNAME: one for the client port's
  // SASL and the quorum's. Two different files cannot both be read.
  if (out.server_kerberos()) {
    const std::string client_section = get(properties, kSectionProperty).value_or("Server");
    if (const JaasSection* client = jaas->find(client_section)) {
      for (const JaasModule& m : client->modules) {
        std::optional<std::string> keytab = m.option("keyTab");
        if (ends_with_class(m.class_name, "Krb5LoginModule") && keytab && !keytab->empty() &&
            *keytab != out.server_keytab) {
          return Status::error(fmt::format(
              "{}:{}: keyTab \"{}\" of section '{}' differs from \"{}\" of section '{}': "
              "Paddock's Kerberos (MIT krb5) reads one service keytab per process; put both "
              "principals in one keytab (ktutil) and name it in both sections",
              jaas->source, m.line, *keytab, client_section, out.server_keytab, server_section));
        }
      }
    }
  }
  return out;
}

Result<QuorumSaslSettings> resolve_quorum_sasl_settings(
    const std::map<std::string, std::string>& properties, std::string_view server_section,
    std::string_view learner_section, std::string_view service_principal) {
  std::optional<JaasFile> jaas;
  if (std::optional<std::string> path = get(properties, kJaasProperty); path && !path->empty()) {
    Result<JaasFile> loaded = load_jaas(*path, properties);
    if (!loaded) return loaded.status();
    jaas = std::move(*loaded);
  }
  return resolve_quorum_sasl_settings(properties, jaas, server_section, learner_section,
                                      service_principal);
}

Result<AuthSettings> resolve_auth_settings(const std::map<std::string, std::string>& properties,
                                           std::vector<std::string>& warnings) {
  std::optional<JaasFile> jaas;
  if (std::optional<std::string> path = get(properties, kJaasProperty); path && !path->empty()) {
    Result<JaasFile> loaded = load_jaas(*path, properties);
    if (!loaded) return loaded.status();
    jaas = std::move(*loaded);
  }
  return resolve_auth_settings(properties, jaas, warnings);
}

}  // namespace paddock::config
