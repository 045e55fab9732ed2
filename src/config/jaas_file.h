#pragma once
// JAAS login configuration files (`-Djava.security.auth.login.config=...`), the format
// ZooKeeper reads its SASL users and Kerberos keytab from:
//
//   Server {                                   // a section (a JAAS "application")
//     org.apache.zookeeper.server.auth.DigestLoginModule required
//     user_bob="bobsecret";                    // one login module: class, flag, options, ';'
//     com.sun.security.auth.module.Krb5LoginModule required
//     useKeyTab=true keyTab="/etc/zk.keytab" principal="zookeeper/host@REALM";
//   };
//
// As Java's ConfigFile reads it: `//` and `/* */` comments, section names and option
// values quoted ("...", with java.io.StreamTokenizer's escapes: \" \\ \t \n and the like,
// octal \ddd, any other escaped character as itself) or bare words, ${name} expanded from
// the system properties given (an unknown name is an error, where Java would expand it to
// ""), flags required, requisite, sufficient or optional (any case). Every error names the
// source and line.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <map>

#include "util/result.h"

namespace paddock::config {

struct JaasModule {
  std::string class_name;
  std::string flag;  // lower case
  std::vector<std::pair<std::string, std::string>> options;  // in file order
  int line = 0;                                              // where the class name is

  // The last value given for `name`, as Java's option map keeps it.
  std::optional<std::string> option(std::string_view name) const;
};

struct JaasSection {
  std::string name;
  std::vector<JaasModule> modules;
  int line = 0;
};

struct JaasFile {
  std::string source;  // the name errors and messages use (the path)
  std::vector<JaasSection> sections;

  const JaasSection* find(std::string_view name) const;
};

Result<JaasFile> parse_jaas(std::string_view text, std::string_view source_name,
                            const std::map<std::string, std::string>& system_properties = {});

// Reads and parses the file at `path`.
Result<JaasFile> load_jaas(const std::string& path,
                           const std::map<std::string, std::string>& system_properties = {});

}  // namespace paddock::config
