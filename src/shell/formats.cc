#include "shell/formats.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace paddock::shell {

std::string java_hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIx64, static_cast<uint64_t>(v));
  return buf;
}

std::string java_date(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  if (epoch_ms < 0 && epoch_ms % 1000 != 0) --secs;
  std::tm tm{};
  ::localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Z %Y", &tm);
  return buf;
}

std::string java_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  out += "]";
  return out;
}

std::string format_stat(const Stat& s) {
  std::ostringstream o;
  o << "cZxid = 0x" << java_hex(s.czxid) << "\n"
    << "ctime = " << java_date(s.ctime) << "\n"
    << "mZxid = 0x" << java_hex(s.mzxid) << "\n"
    << "mtime = " << java_date(s.mtime) << "\n"
    << "pZxid = 0x" << java_hex(s.pzxid) << "\n"
    << "cversion = " << s.cversion << "\n"
    << "dataVersion = " << s.version << "\n"
    << "aclVersion = " << s.aversion << "\n"
    << "ephemeralOwner = 0x" << java_hex(s.ephemeral_owner) << "\n"
    << "dataLength = " << s.data_length << "\n"
    << "numChildren = " << s.num_children << "\n";
  return o.str();
}

std::string perm_string(int32_t perms) {
  namespace perm = proto::perm;
  std::string out;
  if (perms & perm::kCreate) out += 'c';
  if (perms & perm::kDelete) out += 'd';
  if (perms & perm::kRead) out += 'r';
  if (perms & perm::kWrite) out += 'w';
  if (perms & perm::kAdmin) out += 'a';
  return out;
}

std::string format_acl(const AclList& acl) {
  std::string out;
  for (const Acl& a : acl) {
    out += "'" + a.id.scheme + ",'" + a.id.id + "\n: " + perm_string(a.perms) + "\n";
  }
  return out;
}

ParsedAcl parse_acl(const std::string& text) {
  ParsedAcl out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string entry =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    size_t first = entry.find(':');
    size_t last = entry.rfind(':');
    if (first == std::string::npos || first == last) {
      out.warnings += entry + " does not have the form scheme:id:perm\n";
      continue;
    }
    Acl a;
    a.id.scheme = entry.substr(0, first);
    a.id.id = entry.substr(first + 1, last - first - 1);
    for (char c : entry.substr(last + 1)) {
      switch (c) {
        case 'r':
          a.perms |= proto::perm::kRead;
          break;
        case 'w':
          a.perms |= proto::perm::kWrite;
          break;
        case 'c':
          a.perms |= proto::perm::kCreate;
          break;
        case 'd':
          a.perms |= proto::perm::kDelete;
          break;
        case 'a':
          a.perms |= proto::perm::kAdmin;
          break;
        default:
          out.warnings += std::string("Unknown perm type: ") + c + "\n";
      }
    }
    out.acl.push_back(std::move(a));
  }
  return out;
}

// clang-format off
const char* keeper_state_name(client::KeeperState s) {
  using client::KeeperState;
  switch (s) {
    case KeeperState::kUnknown: return "Unknown";
    case KeeperState::kDisconnected: return "Disconnected";
    case KeeperState::kNoSyncConnected: return "NoSyncConnected";
    case KeeperState::kSyncConnected: return "SyncConnected";
    case KeeperState::kAuthFailed: return "AuthFailed";
    case KeeperState::kConnectedReadOnly: return "ConnectedReadOnly";
    case KeeperState::kSaslAuthenticated: return "SaslAuthenticated";
    case KeeperState::kExpired: return "Expired";
    case KeeperState::kClosed: return "Closed";
  }
  return "Unknown";
}

const char* event_type_name(client::EventType t) {
  using client::EventType;
  switch (t) {
    case EventType::kNone: return "None";
    case EventType::kNodeCreated: return "NodeCreated";
    case EventType::kNodeDeleted: return "NodeDeleted";
    case EventType::kNodeDataChanged: return "NodeDataChanged";
    case EventType::kNodeChildrenChanged: return "NodeChildrenChanged";
    case EventType::kDataWatchRemoved: return "DataWatchRemoved";
    case EventType::kChildWatchRemoved: return "ChildWatchRemoved";
    case EventType::kPersistentWatchRemoved: return "PersistentWatchRemoved";
  }
  return "None";
}

// KeeperException.getCodeMessage in 3.8.
const char* code_message(Err e) {
  switch (e) {
    case Err::kOk: return "ok";
    case Err::kSystemError: return "SystemError";
    case Err::kRuntimeInconsistency: return "RuntimeInconsistency";
    case Err::kDataInconsistency: return "DataInconsistency";
    case Err::kConnectionLoss: return "ConnectionLoss";
    case Err::kMarshallingError: return "MarshallingError";
    case Err::kNewConfigNoQuorum: return "NewConfigNoQuorum";
    case Err::kReconfigInProgress: return "ReconfigInProgress";
    case Err::kUnimplemented: return "Unimplemented";
    case Err::kOperationTimeout: return "OperationTimeout";
    case Err::kBadArguments: return "BadArguments";
    case Err::kApiError: return "APIError";
    case Err::kNoNode: return "NoNode";
    case Err::kNoAuth: return "NoAuth";
    case Err::kBadVersion: return "BadVersion";
    case Err::kNoChildrenForEphemerals: return "NoChildrenForEphemerals";
    case Err::kNodeExists: return "NodeExists";
    case Err::kInvalidAcl: return "InvalidACL";
    case Err::kAuthFailed: return "AuthFailed";
    case Err::kNotEmpty: return "Directory not empty";
    case Err::kSessionExpired: return "Session expired";
    case Err::kInvalidCallback: return "Invalid callback";
    case Err::kSessionMoved: return "Session moved";
    case Err::kNotReadOnly: return "Not a read-only call";
    case Err::kEphemeralOnLocalSession: return "Ephemeral node on local session";
    case Err::kNoWatcher: return "No such watcher";
    case Err::kReconfigDisabled: return "Reconfig is disabled";
    case Err::kSessionClosedRequireSaslAuth: return "Session closed because client failed to authenticate";
    case Err::kQuotaExceeded: return "Quota has exceeded";
    case Err::kThrottledOp: return "Op throttled due to high load";
    default: return nullptr;
  }
}
// clang-format on

std::string event_text(const WatchEvent& e) {
  return std::string("WatchedEvent state:") + keeper_state_name(e.state) +
         " type:" + event_type_name(e.type) +
         " path:" + (e.type == client::EventType::kNone && e.path.empty() ? "null" : e.path);
}

std::string keeper_message(Err code, const std::string& path) {
  const char* m = code_message(code);
  std::string text = m ? m : "Unknown error " + std::to_string(static_cast<int>(code));
  return "KeeperErrorCode = " + text + (path.empty() ? "" : " for " + path);
}

std::string error_message(Err code, const std::string& path) {
  const std::string p = path.empty() ? "null" : path;
  switch (code) {
    case Err::kNoNode:
      return "Node does not exist: " + p;
    case Err::kNoChildrenForEphemerals:
      return "Ephemerals cannot have children: " + p;
    case Err::kNodeExists:
      return "Node already exists: " + p;
    case Err::kNotEmpty:
      return "Node not empty: " + p;
    case Err::kNotReadOnly:
      return "Not a read-only call: " + p;
    case Err::kInvalidAcl:
      return "Acl is not valid : " + p;
    case Err::kNoAuth:
      return "Insufficient permission : " + p;
    case Err::kBadArguments:
      return "Arguments are not valid : " + p;
    case Err::kBadVersion:
      return "version No is not valid : " + p;
    case Err::kQuotaExceeded:
      return "Quota has exceeded : " + p;
    case Err::kReconfigInProgress:
      return "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)";
    default:
      return keeper_message(code, path);
  }
}

std::string err_code_name(Err code) { return proto::err_name(code); }

QuotaRecord QuotaRecord::parse(const std::string& text) {
  QuotaRecord r;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(",;", i);
    if (end == std::string::npos) end = text.size();
    std::string pair = text.substr(i, end - i);
    i = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = pair.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (size_t eq2 = value.find('='); eq2 != std::string::npos) value.resize(eq2);  // "bytes=100="
    try {
      r.values_[key] = value.empty() ? -1 : std::stoll(value);
    } catch (const std::exception&) {
      r.values_[key] = -1;
    }
  }
  return r;
}

int64_t QuotaRecord::get(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? -1 : it->second;
}

std::string QuotaRecord::to_string() const {
  std::string out =
      "count=" + std::to_string(get("count")) + ",bytes=" + std::to_string(get("bytes"));
  bool first = true;
  for (const auto& [k, v] : values_) {  // std::map: sorted, as Collections.sort
    if (k == "count" || k == "bytes") continue;
    if (first) out += "=";
    first = false;
    out += ";" + k + "=" + std::to_string(v);
  }
  return out;
}

std::string client_config_string(const std::string& config) {
  std::string version, servers;
  std::istringstream in(config);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "version") version = value;
    if (key.rfind("server.", 0) != 0) continue;
    // host:quorumPort:electionPort[:role];[clientHost:]clientPort
    size_t semi = value.find(';');
    if (semi == std::string::npos) continue;
    std::string client = value.substr(semi + 1);
    if (client.find(':') == std::string::npos) {
      client = "0.0.0.0:" + client;
    }
    if (!servers.empty()) servers += ",";
    servers += client;
  }
  return version + " " + servers;
}

nlohmann::json stat_json(const Stat& s) {
  return {{"czxid", s.czxid},
          {"mzxid", s.mzxid},
          {"ctime", s.ctime},
          {"mtime", s.mtime},
          {"version", s.version},
          {"cversion", s.cversion},
          {"aversion", s.aversion},
          {"ephemeralOwner", s.ephemeral_owner},
          {"dataLength", s.data_length},
          {"numChildren", s.num_children},
          {"pzxid", s.pzxid}};
}

nlohmann::json acl_json(const AclList& acl) {
  nlohmann::json out = nlohmann::json::array();
  for (const Acl& a : acl) {
    out.push_back({{"scheme", a.id.scheme}, {"id", a.id.id}, {"perms", perm_string(a.perms)}});
  }
  return out;
}

nlohmann::json event_json(const WatchEvent& e) {
  nlohmann::json j = {{"state", keeper_state_name(e.state)}, {"type", event_type_name(e.type)}};
  j["path"] = e.type == client::EventType::kNone && e.path.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(e.path);
  return j;
}

nlohmann::json data_json(const client::NodeData& data) {
  return data ? nlohmann::json(*data) : nlohmann::json(nullptr);
}

}  // namespace paddock::shell
