// The second half of ConfigReader: typed system properties, and checks of the whole
// config once every entry is read.
#include <fmt/format.h>

#include "config/config_reader.h"
#include "config/java_values.h"
#include "config/log_settings.h"
#include "config/property_catalog.h"

namespace paddock::config {
namespace {

bool is_four_letter_word(std::string_view w) {
  for (std::string_view known : kAllFourLetterWords) {
    if (known == w) return true;
  }
  return false;
}

}  // namespace

void ConfigReader::resolve_properties() {
  for (const auto& [name, value] : cfg().properties) {
    const PropertySpec* spec = find_property_spec(name);
    if (spec == nullptr) continue;
    if (std::optional<std::string> why = check_property_value(*spec, value)) {
      fail(property_origins_[name], *why);
    }
  }
  ServerConfig& c = cfg();
  c.snap_count = c.int_property("zookeeper.snapCount");
  if (c.snap_count < 2) {
    current_ = property_origins_["zookeeper.snapCount"];
    warn(fmt::format("snapCount {} is below 2; using 2", c.snap_count));
    c.snap_count = 2;
  }
  c.pre_alloc_size_kb = c.int_property("zookeeper.preAllocSize");
  c.force_sync = c.switch_property("zookeeper.forceSync");
  c.global_outstanding_limit =
      static_cast<int32_t>(c.int_property("zookeeper.globalOutstandingLimit"));
  c.admin_enable_server = c.switch_property("zookeeper.admin.enableServer");
  c.admin_server_address = c.string_property("zookeeper.admin.serverAddress");
  c.admin_server_port = static_cast<int>(c.int_property("zookeeper.admin.serverPort"));
  c.admin_command_url = c.string_property("zookeeper.admin.commandURL");
  c.admin_idle_timeout_ms = static_cast<int>(c.int_property("zookeeper.admin.idleTimeout"));
  std::string method = c.snapshot_compression_method();
  if (method != "" && method != "gz" && method != "snappy") {
    fail(property_origins_["zookeeper.snapshot.compression.method"],
         fmt::format("unknown snapshot compression method '{}' (use gz or snappy, or leave "
                     "it empty)",
                     method));
  }
  resolve_four_letter_words();
  std::vector<LogSettingError> log_errors;
  c.log = resolve_log_settings(c.properties, log_errors);
  for (const LogSettingError& e : log_errors) fail(property_origins_[e.property], e.message);
}

// As ZooKeeper: comma-separated, trimmed, "*" means every word; srvr is always allowed
// (zkServer.sh status needs it) and isro too in read-only mode.
void ConfigReader::resolve_four_letter_words() {
  std::set<std::string>& words = cfg().four_letter_words;
  words.clear();
  const std::string name = "zookeeper.4lw.commands.whitelist";
  if (std::optional<std::string> list = cfg().property(name)) {
    current_ = property_origins_[name];
    std::string_view rest = *list;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view word = java_trim(rest.substr(0, comma));
      if (word == "*") {
        words.insert(kAllFourLetterWords.begin(), kAllFourLetterWords.end());
        break;
      }
      if (!word.empty()) {
        if (!is_four_letter_word(word)) {
          warn(fmt::format("unknown four-letter word '{}'", word));
        }
        words.emplace(word);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (cfg().read_only_mode_enabled()) words.insert("isro");
  words.insert("srvr");
}

void ConfigReader::check_whole() {
  ServerConfig& c = cfg();
  bool data_dir_given = false;  // an empty dataDir= already has its own error
  for (const auto& [key, value] : c.entries) data_dir_given |= key == "dataDir";
  if (c.data_dir.empty() && !data_dir_given) {
    errors_.push_back(fmt::format("{}: dataDir is not set", source_));
  }
  if (c.data_log_dir.empty()) c.data_log_dir = c.data_dir;
  if (c.client_port == 0 && !c.client_port_address.empty()) {
    errors_.push_back(fmt::format("{}: clientPortAddress is set but clientPort is not", source_));
  }
  if (c.min_session_timeout() > c.max_session_timeout()) {
    errors_.push_back(fmt::format(
        "{}: minSessionTimeout ({} ms) must not be larger than maxSessionTimeout ({} ms)", source_,
        c.min_session_timeout(), c.max_session_timeout()));
  }
  // With a dynamic config file the server lines are not known yet: apply_dynamic_config
  // runs the quorum checks.
  if (!has_dynamic_config_key_) check_quorum(out_, source_, errors_);
}

void check_quorum(LoadedConfig& loaded, std::string_view source, std::vector<std::string>& errors) {
  const ServerConfig& c = loaded.config;
  size_t observers = 0;
  for (const auto& [id, s] : c.servers) observers += s.is_observer() ? 1 : 0;
  size_t participants = c.servers.size() - observers;
  if (participants == 0) {
    if (!c.standalone_enabled) {
      errors.push_back(fmt::format(
          "{}: standaloneEnabled=false needs at least one participant server.N line", source));
    }
    if (observers > 0) {
      errors.push_back(fmt::format("{}: observers without participants", source));
    }
  } else if (participants == 1 && c.standalone_enabled) {
    loaded.warnings.push_back(fmt::format(
        "{}: only one server line; running standalone (set standaloneEnabled=false for a "
        "one-server ensemble)",
        source));
    if (observers > 0) {
      errors.push_back(fmt::format("{}: observers without a quorum of participants", source));
    }
  } else if (participants <= 2) {
    loaded.warnings.push_back(
        fmt::format("{}: {} participant{}: no server failure will be tolerated (use at least 3)",
                    source, participants, participants == 1 ? "" : "s"));
  } else if (participants % 2 == 0) {
    loaded.warnings.push_back(fmt::format(
        "{}: {} participants: an odd number tolerates as many failures with one server less",
        source, participants));
  }
  if (c.is_distributed()) {
    if (c.init_limit == 0) {
      errors.push_back(fmt::format("{}: initLimit is not set (an ensemble needs it)", source));
    }
    if (c.sync_limit == 0) {
      errors.push_back(fmt::format("{}: syncLimit is not set (an ensemble needs it)", source));
    }
  }
}

Status errors_to_status(const std::vector<std::string>& errors) {
  if (errors.empty()) return Status::ok();
  std::string joined;
  for (const std::string& e : errors) {
    if (!joined.empty()) joined += '\n';
    joined += e;
  }
  return Status::error(std::move(joined));
}

}  // namespace paddock::config
