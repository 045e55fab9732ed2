// zoo.cfg and dynamic config files (config/java_properties.h, config/server_config.h): the
// operator's file, or a file an attacker with write access to a config dir plants.
//
// Invariants: parsing is deterministic; property line numbers increase and lie inside the
// text; a refusal says why; a file that parses as zoo.cfg can be applied as a dynamic config
// file without crashing.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "config/java_properties.h"
#include "config/server_config.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace paddock;
  std::string_view text = fuzz::as_view(data, size);
  const int physical_lines =
      1 + static_cast<int>(std::count(text.begin(), text.end(), '\n')) +
      static_cast<int>(std::count(text.begin(), text.end(), '\r'));

  auto lines = config::parse_java_properties(text, "zoo.cfg");
  if (lines.is_ok()) {
    int last = 0;
    for (const config::PropertyLine& l : *lines) {
      FUZZ_CHECK(l.line >= 1 && l.line <= physical_lines, "line %d of %d", l.line,
                 physical_lines);
      FUZZ_CHECK(l.line > last, "line numbers go back: %d after %d", l.line, last);
      last = l.line;
    }
    auto again = config::parse_java_properties(text, "zoo.cfg");
    FUZZ_CHECK(again.is_ok() && again->size() == lines->size());
  }

  auto loaded = config::parse_server_config(text, "zoo.cfg", {}, "/var/lib/paddock");
  auto twice = config::parse_server_config(text, "zoo.cfg", {}, "/var/lib/paddock");
  FUZZ_CHECK(loaded.is_ok() == twice.is_ok(), "parse_server_config is not deterministic");
  if (!loaded.is_ok()) {
    FUZZ_CHECK(!loaded.error().empty());
    return 0;
  }
  FUZZ_CHECK(loaded->config.entries == twice->config.entries);
  // The same text as a dynamic config file (server.N lines and "version").
  (void)config::apply_dynamic_config(*loaded, text, "zoo.cfg.dynamic");
  return 0;
}
