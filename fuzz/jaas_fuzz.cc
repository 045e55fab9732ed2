// JAAS login configuration files (config/jaas_file.h): the SASL users and Kerberos settings
// an operator's -Djava.security.auth.login.config file holds.
//
// Invariants: a refusal says why; a parsed file written back as JAAS text (section names
// and every option value quoted with \" and \\ escapes, module classes and flags as words)
// parses to the same sections, modules and options.
#include <spdlog/spdlog.h>

#include <string>

#include "config/jaas_file.h"
#include "fuzz/fuzz_check.h"

namespace {

using namespace paddock;

bool breaks_line(const std::string& v) {
  return v.find('\n') != std::string::npos || v.find('\r') != std::string::npos;
}

bool writable(const config::JaasFile& f) {
  for (const auto& s : f.sections) {
    if (breaks_line(s.name)) return false;
    for (const auto& m : s.modules) {
      for (const auto& [k, v] : m.options) {
        // Re-expansion and line breaks inside quotes are outside what the writer promises.
        if (v.find("${") != std::string::npos || breaks_line(v)) return false;
      }
    }
  }
  return true;
}

std::string quoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string write_jaas(const config::JaasFile& f) {
  std::string out;
  for (const auto& s : f.sections) {
    out += quoted(s.name) + " {\n";  // a quoted name may hold any character but a line break
    for (const auto& m : s.modules) {
      out += "  " + m.class_name + " " + m.flag;
      for (const auto& [k, v] : m.options) out += "\n    " + k + "=" + quoted(v);
      out += ";\n";
    }
    out += "};\n";
  }
  return out;
}

bool same(const config::JaasFile& a, const config::JaasFile& b) {
  if (a.sections.size() != b.sections.size()) return false;
  for (size_t i = 0; i < a.sections.size(); ++i) {
    const auto& x = a.sections[i];
    const auto& y = b.sections[i];
    if (x.name != y.name || x.modules.size() != y.modules.size()) return false;
    for (size_t j = 0; j < x.modules.size(); ++j) {
      const auto& m = x.modules[j];
      const auto& n = y.modules[j];
      if (m.class_name != n.class_name || m.flag != n.flag || m.options != n.options) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_view(data, size);
  auto parsed = config::parse_jaas(text, "jaas.conf", {{"user.home", "/home/zk"}});
  if (!parsed.is_ok()) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  if (!writable(*parsed)) return 0;
  const std::string again_text = write_jaas(*parsed);
  auto again = config::parse_jaas(again_text, "jaas.conf", {});
  FUZZ_CHECK(again.is_ok(), "written back, it does not parse: %s\n%s", again.error().c_str(),
             again_text.c_str());
  FUZZ_CHECK(same(*parsed, *again), "written back, it parses differently:\n%s",
             again_text.c_str());
  return 0;
}
