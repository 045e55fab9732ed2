// Entry points of config/: parsing zoo.cfg text, the dynamic config file and myid, and
// loading them from disk.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_reader.h"
#include "config/java_properties.h"
#include "config/java_values.h"
#include "config/server_config.h"

namespace paddock::config {
namespace {

// The file's content; nullopt with `error` set when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    error = "read failed";
    return std::nullopt;
  }
  return content.str();
}

bool is_wildcard(std::string_view address) {
  return address.empty() || address == "0.0.0.0" || address == "::";
}

// ZooKeeper's setupClientPort: a server line's client address wins over clientPort and
// clientPortAddress, which may only repeat it.
Status take_client_address(ServerConfig& c, const ServerEntry& self) {
  if (!self.has_client_address()) return Status::ok();
  if (c.client_port != 0) {
    bool differs =
        c.client_port != self.client_port ||
        (!is_wildcard(c.client_port_address) && c.client_port_address != self.client_address);
    if (differs) {
      return Status::error(fmt::format(
          "{}: clientPort/clientPortAddress ({}:{}) differ from the client address of "
          "server.{} ({}:{})",
          c.config_path, c.client_port_address.empty() ? "0.0.0.0" : c.client_port_address,
          c.client_port, self.id, self.client_address, self.client_port));
    }
  }
  c.client_port = self.client_port;
  c.client_port_address = self.client_address;
  return Status::ok();
}

std::string list_ids(const std::map<int64_t, ServerEntry>& servers) {
  std::string ids;
  for (const auto& [id, s] : servers) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  return ids;
}

}  // namespace

Result<LoadedConfig> parse_server_config(
    std::string_view text, std::string_view source_name,
    const std::map<std::string, std::string>& system_properties, std::string_view base_dir) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties(text, source_name);
  if (!lines) return lines.status();
  LoadedConfig loaded;
  loaded.config.config_path = std::string(source_name);
  ConfigReader reader(source_name, base_dir, loaded);
  reader.read(*lines, system_properties);
  if (Status s = errors_to_status(reader.errors()); !s) return s;
  return loaded;
}

Status apply_dynamic_config(LoadedConfig& loaded, std::string_view text,
                            std::string_view source_name) {
  Result<std::vector<PropertyLine>> lines = parse_java_properties(text, source_name);
  if (!lines) return lines.status();
  std::vector<std::string> errors;
  for (const PropertyLine& line : *lines) {
    std::string_view key = java_trim(line.key);
    std::string_view value = java_trim(line.value);
    auto fail = [&](std::string_view why) {
      errors.push_back(fmt::format("{}:{}: {}: {}", source_name, line.line, key, why));
    };
    if (key.starts_with("server.")) {
      Result<ServerEntry> entry = parse_server_line(key, value);
      if (!entry) {
        fail(entry.error());
        continue;
      }
      int64_t id = entry->id;
      loaded.config.servers[id] = std::move(*entry);
    } else if (key == "version") {
      std::optional<int64_t> v = parse_java_decode("0x" + std::string(value), 0, INT64_MAX);
      if (!v) fail(fmt::format("'{}' is not a hexadecimal config version", value));
      if (v) loaded.config.config_version = *v;
    } else if (key.starts_with("group") || key.starts_with("weight")) {
      fail("hierarchical quorums (group/weight) are not supported by Paddock");
    } else {
      fail("not allowed in a dynamic config file (only server.N and version)");
    }
  }
  check_quorum(loaded, source_name, errors);
  return errors_to_status(errors);
}

Status apply_my_id(LoadedConfig& loaded, const std::optional<std::string>& myid_text,
                   std::string_view myid_path) {
  ServerConfig& c = loaded.config;
  if (!c.servers.empty() && myid_text) {
    std::string_view first = *myid_text;
    first = first.substr(0, first.find('\n'));
    if (first.ends_with('\r')) first.remove_suffix(1);
    std::optional<int64_t> id = parse_java_integer(first, INT64_MIN, INT64_MAX);
    if (!id) {
      return Status::error(
          fmt::format("{}: '{}' is not a server id (a decimal number)", myid_path, first));
    }
    c.my_id = *id;
  } else if (c.is_distributed()) {
    return Status::error(
        fmt::format("{}: myid file is missing; it must hold this server's id (one of {} from {})",
                    myid_path, list_ids(c.servers), c.config_path));
  }
  if (c.extended_types_enabled() && c.my_id > 254) {
    return Status::error(fmt::format(
        "{}: server id {} is above 254, which zookeeper.extendedTypesEnabled does not allow",
        myid_path, c.my_id));
  }
  if (const ServerEntry* self = c.self()) {
    if (Status s = take_client_address(c, *self); !s) return s;
    if (c.peer_type != self->role) {
      loaded.warnings.push_back(
          fmt::format("{}: peerType {} differs from the role of server.{} ({}); using {}",
                      c.config_path, c.peer_type, self->id, self->role, self->role));
    }
    c.peer_type = self->role;
  } else if (c.is_distributed()) {
    return Status::error(fmt::format("{}: this server's id {} has no server.{} line in {}",
                                     myid_path, c.my_id, c.my_id, c.config_path));
  }
  if (c.client_port == 0 && c.secure_client_port == 0) {
    loaded.warnings.push_back(
        fmt::format("{}: no clientPort: clients cannot connect to this server", c.config_path));
  }
  return Status::ok();
}

Result<LoadedConfig> load_server_config(
    const std::string& path, const std::map<std::string, std::string>& system_properties) {
  std::string error;
  std::optional<std::string> text = read_file(path, error);
  if (!text) return Status::error(fmt::format("{}: cannot read config file: {}", path, error));
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  Result<LoadedConfig> loaded = parse_server_config(*text, path, system_properties, cwd);
  if (!loaded) return loaded;
  const std::string& dynamic = loaded->config.dynamic_config_file;
  if (!dynamic.empty()) {
    std::optional<std::string> dyn = read_file(dynamic, error);
    if (!dyn) {
      return Status::error(
          fmt::format("{}: dynamicConfigFile {}: cannot read: {}", path, dynamic, error));
    }
    if (Status s = apply_dynamic_config(*loaded, *dyn, dynamic); !s) return s;
  }
  std::string myid_path = loaded->config.data_dir + "/myid";
  std::optional<std::string> myid;
  if (!loaded->config.servers.empty() && std::filesystem::is_regular_file(myid_path, ec)) {
    myid = read_file(myid_path, error);
    if (!myid) return Status::error(fmt::format("{}: cannot read: {}", myid_path, error));
  }
  if (Status s = apply_my_id(*loaded, myid, myid_path); !s) return s;
  return loaded;
}

}  // namespace paddock::config
