// ACLs, auth, watches and the session: getAcl, setAcl, addauth, whoami, config, addWatch,
// removewatches.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "shell/command_table.h"
#include "shell/shell_internal.h"

namespace paddock::shell {

using client::Err;
using Kind = WatchMirror::Kind;

namespace {

std::string usage_of(const char* name) { return find_command(name)->usage(); }

}  // namespace

int Shell::cmd_get_acl(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("getAcl"));
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  auto r = call<client::AclResult>([&](auto cb) { client_->get_acl(path, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  out(format_acl(r.value().acl));
  if (a.has('s')) out(format_stat(r.value().stat));
  result_["path"] = path;
  result_["acl"] = acl_json(r.value().acl);
  result_["stat"] = stat_json(r.value().stat);
  return kExitOk;
}

int Shell::cmd_set_acl(const ParsedArgs& a) {
  if (a.args.size() < 3) return fail_message(usage_of("setAcl"));
  const std::string& path = a.args[1];
  int32_t version = -1;
  if (a.has('v') && !parse_version(a.value('v'), &version)) {
    return fail_message("For input string: \"" + a.value('v') + "\"");
  }
  ParsedAcl acl = parse_acl(a.args[2]);
  if (!acl.warnings.empty()) err(acl.warnings);
  if (!check_path(path)) return kExitFailed;
  if (acl.acl.empty()) return fail(Err::kInvalidAcl, "");  // refused by the Java client itself
  result_["path"] = path;
  if (a.has('R')) {
    // As zkCli: each node's ACL set as the walk reaches it, so an ACL taking away READ ends
    // the walk at the first node with children (reported, as an error reading them).
    std::vector<std::string> paths;
    int status = kExitOk;
    bool walked = visit_subtree(path, false, [&](const std::string& p) {
      paths.push_back(p);
      auto r = call<client::Stat>(
          [&](auto cb) { client_->set_acl(p, acl.acl, version, std::move(cb)); });
      if (!r.ok()) {
        // zkCli prints the bare KeeperException message here (without a line end; we end it).
        out(keeper_message(r.code(), r.path()) + "\n");
        status = kExitFailed;
      }
    });
    result_["paths"] = paths;
    return walked ? status : kExitFailed;
  }
  auto r =
      call<client::Stat>([&](auto cb) { client_->set_acl(path, acl.acl, version, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  if (a.has('s')) out(format_stat(r.value()));
  result_["stat"] = stat_json(r.value());
  return kExitOk;
}

int Shell::cmd_addauth(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("addauth"));
  std::string auth = a.args.size() >= 3 ? a.args[2] : "";
  auto r = call<client::Empty>([&](auto cb) { client_->add_auth(a.args[1], auth, std::move(cb)); });
  result_["scheme"] = a.args[1];
  if (!r.ok()) {
    // zkCli prints nothing here: the session's AuthFailed event says it.
    result_["error"] = {{"code", err_code_name(r.code())},
                        {"rc", static_cast<int>(r.code())},
                        {"message", keeper_message(r.code(), "")}};
    return kExitFailed;
  }
  return kExitOk;
}

int Shell::cmd_whoami(const ParsedArgs&) {
  auto r =
      call<std::vector<client::ClientInfo>>([&](auto cb) { client_->who_am_i(std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  out("Auth scheme: User\n");
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& info : r.value()) {
    out(info.auth_scheme + ": " + info.user + "\n");
    ids.push_back({{"scheme", info.auth_scheme}, {"user", info.user}});
  }
  result_["clientInfo"] = ids;
  return kExitOk;
}

int Shell::cmd_config(const ParsedArgs& a) {
  static const std::string kConfigPath = "/zookeeper/config";
  bool watch = a.has('w');
  auto r = call<client::DataResult>([&](auto cb) {
    client_->get_data(kConfigPath, watch ? watcher() : client::Watcher{},
                      noting(std::move(cb), watch, Kind::kData, kConfigPath));
  });
  if (!r.ok()) return fail(r.code(), r.path());
  std::string text = r.value().data ? *r.value().data : "null";
  out((a.has('c') ? client_config_string(text) : text) + "\n");
  if (a.has('s')) out(format_stat(r.value().stat));
  result_["config"] = a.has('c') ? client_config_string(text) : text;
  result_["stat"] = stat_json(r.value().stat);
  return kExitOk;
}

int Shell::cmd_add_watch(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("addWatch"));
  client::AddWatchMode mode = client::AddWatchMode::kPersistentRecursive;
  if (a.has('m')) {
    std::string m = a.value('m');
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::toupper(c); });
    if (m == "PERSISTENT") {
      mode = client::AddWatchMode::kPersistent;
    } else if (m != "PERSISTENT_RECURSIVE") {
      return fail_message(usage_of("addWatch"));
    }
  }
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  Kind kind = mode == client::AddWatchMode::kPersistent ? Kind::kPersistent : Kind::kRecursive;
  auto r = call<client::Empty>([&](auto cb) {
    client_->add_watch(path, mode, watcher(), noting(std::move(cb), true, kind, path));
  });
  if (!r.ok()) return fail(r.code(), r.path());
  result_["path"] = path;
  result_["mode"] =
      mode == client::AddWatchMode::kPersistent ? "PERSISTENT" : "PERSISTENT_RECURSIVE";
  return kExitOk;
}

int Shell::cmd_remove_watches(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("removewatches"));
  const std::string& path = a.args[1];
  client::WatcherType type = client::WatcherType::kAny;
  if (a.has('c')) {
    type = client::WatcherType::kChildren;
  } else if (a.has('d')) {
    type = client::WatcherType::kData;
  }
  bool local = a.has('l');
  if (!check_path(path)) return kExitFailed;
  {
    std::lock_guard<std::mutex> lock(watches_->mu);
    watches_->mirror.expect_removal(path, type);
  }
  auto r = call<client::Empty>(
      [&](auto cb) { client_->remove_watches(path, type, local, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  result_["path"] = path;
  return kExitOk;
}

}  // namespace paddock::shell
