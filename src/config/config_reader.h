#pragma once
// Internal to config/: the pass that turns zoo.cfg entries and -D properties into a
// ServerConfig, shared by parse_server_config and its helpers. Not for other layers.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/java_properties.h"
#include "config/server_config.h"

namespace paddock::config {

// Where a value came from, for messages: a line of a file, or a -D flag (line 0).
struct Origin {
  std::string source;  // file name as given, or "-D"
  int line = 0;
  std::string key;               // the zoo.cfg key, or the property name for -D
  std::string describe() const;  // "zoo.cfg:12: tickTime" or "-Djute.maxbuffer"
};

class ConfigReader {
 public:
  ConfigReader(std::string_view source_name, std::string_view base_dir, LoadedConfig& out)
      : source_(source_name), base_dir_(base_dir), out_(out) {}

  // Reads every entry (a later duplicate key wins, as in java.util.Properties), applies
  // the -D properties over them, resolves typed properties and checks the whole.
  void read(const std::vector<PropertyLine>& lines,
            const std::map<std::string, std::string>& system_properties);

  const std::vector<std::string>& errors() const { return errors_; }

  // --- used by the per-key handlers
  ServerConfig& cfg() { return out_.config; }
  void error(std::string_view message);  // about the current entry
  void warn(std::string_view message);   // about the current entry
  std::optional<int64_t> integer(std::string_view v, int64_t min, int64_t max);
  std::optional<bool> boolean(std::string_view v);
  void set_int(std::string_view v, int32_t& out, int64_t min = INT32_MIN, int64_t max = INT32_MAX);
  void set_bool(std::string_view v, bool& out);
  void set_port(std::string_view v, int& out);  // 0 (unset) .. 65535
  void set_path(std::string_view v, std::string& out);
  void set_address(std::string_view v, std::string& out);
  void add_server(std::string_view v);
  void add_property(std::string_view v);
  bool has_dynamic_config_key() const { return has_dynamic_config_key_; }

 private:
  void read_entry(const PropertyLine& line);
  void apply_system_properties(const std::map<std::string, std::string>& system_properties);
  void resolve_properties();
  void resolve_four_letter_words();
  void check_whole();
  void check_quorum_auth();
  void fail(const Origin& origin, std::string_view message);

  std::string source_;
  std::string base_dir_;
  LoadedConfig& out_;
  Origin current_;
  bool has_dynamic_config_key_ = false;
  std::map<std::string, Origin> property_origins_;
  std::map<std::string, Origin> key_origins_;  // zoo.cfg keys QuorumPeerConfig consumes
  std::vector<std::string> errors_;
};

// Participant/observer counts, standaloneEnabled and the initLimit/syncLimit an ensemble
// needs, as QuorumPeerConfig checks them. Appends to `errors` and `loaded.warnings`.
void check_quorum(LoadedConfig& loaded, std::string_view source, std::vector<std::string>& errors);

// Joins errors into one Status (ok when there are none).
Status errors_to_status(const std::vector<std::string>& errors);

}  // namespace paddock::config
