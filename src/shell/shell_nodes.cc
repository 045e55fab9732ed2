// The znode commands: ls, create, get, set, delete, deleteall, stat, sync, getEphemerals,
// getAllChildrenNumber.
#include <algorithm>
#include <charconv>

#include "client/transaction.h"
#include "shell/command_table.h"
#include "shell/shell_internal.h"

namespace paddock::shell {

using client::Err;
using Kind = WatchMirror::Kind;

namespace {

std::string usage_of(const char* name) { return find_command(name)->usage(); }

std::string child_path(const std::string& parent, const std::string& child) {
  return (parent == "/" ? parent : parent + "/") + child;
}

// zkCli's commands accept "cmd path watch" (3.4 style) with a deprecation warning.
ParsedArgs with_old_watch_arg(const ParsedArgs& a, const char* name, const char* modern,
                              std::string* warning) {
  ParsedArgs out = a;
  if (out.args.size() > 2) {
    *warning = std::string("'") + name + " path [watch]' has been deprecated. Please use '" +
               modern + "' instead.\n";
    out.options['w'] = "";
    out.args.resize(2);
  }
  return out;
}

}  // namespace

// ZKUtil.visitSubTreeDFS: the root (read with getData), then each node's sorted children,
// all of them before descending into the first. A node deleted meanwhile (NoNode) is skipped
// as in Java; any other error (NoAuth, ConnectionLoss) ends the walk and is reported.
bool Shell::visit_subtree(const std::string& root, bool watch,
                          const std::function<void(const std::string&)>& visit_node) {
  auto r = call<client::DataResult>([&](auto cb) {
    client_->get_data(root, watch ? watcher() : client::Watcher{},
                      noting(std::move(cb), watch, Kind::kData, root));
  });
  if (!r.ok()) {
    fail(r.code(), r.path());
    return false;
  }
  visit_node(root);
  // Depth first, children visited before the walk goes down: a recursive helper as in Java.
  auto visit = [&](auto&& self, const std::string& path) -> bool {
    auto c = call<std::vector<std::string>>([&](auto cb) {
      client_->get_children(path, watch ? watcher() : client::Watcher{},
                            noting(std::move(cb), watch, Kind::kChild, path));
    });
    if (!c.ok()) {
      if (c.code() == Err::kNoNode) return true;  // deleted meanwhile: Java skips it too
      fail(c.code(), c.path().empty() ? path : c.path());
      return false;
    }
    std::vector<std::string> children = c.value();
    std::sort(children.begin(), children.end());
    for (const auto& child : children) visit_node(child_path(path, child));
    for (const auto& child : children) {
      if (!self(self, child_path(path, child))) return false;
    }
    return true;
  };
  return visit(visit, root);
}

int Shell::cmd_ls(const ParsedArgs& a0) {
  std::string warning;
  ParsedArgs a = with_old_watch_arg(a0, "ls", "ls [-w] path", &warning);
  if (!warning.empty()) err(warning);
  if (a.args.size() < 2) return fail_message(usage_of("ls"));
  const std::string& path = a.args[1];
  bool watch = a.has('w');
  if (!check_path(path)) return kExitFailed;
  result_["path"] = path;
  if (a.has('R')) {
    // Each path printed as it is reached, as zkCli does: those before an error stay printed.
    std::vector<std::string> paths;
    bool ok = visit_subtree(path, watch, [&](const std::string& p) {
      out(p + "\n");
      paths.push_back(p);
    });
    result_["paths"] = paths;
    return ok ? kExitOk : kExitFailed;
  }
  std::vector<std::string> children;
  std::optional<client::Stat> stat;
  if (a.has('s')) {
    auto r = call<client::ChildrenResult>([&](auto cb) {
      client_->get_children2(path, watch ? watcher() : client::Watcher{},
                             noting(std::move(cb), watch, Kind::kChild, path));
    });
    if (!r.ok()) return fail(r.code(), r.path());
    children = r.value().children;
    stat = r.value().stat;
  } else {
    auto r = call<std::vector<std::string>>([&](auto cb) {
      client_->get_children(path, watch ? watcher() : client::Watcher{},
                            noting(std::move(cb), watch, Kind::kChild, path));
    });
    if (!r.ok()) return fail(r.code(), r.path());
    children = r.value();
  }
  std::sort(children.begin(), children.end());
  out(java_list(children) + "\n");
  result_["children"] = children;
  if (stat) {
    out(format_stat(*stat));
    result_["stat"] = stat_json(*stat);
  }
  return kExitOk;
}

int Shell::cmd_create(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("create"));
  bool e = a.has('e'), s = a.has('s'), c = a.has('c'), t = a.has('t');
  if (c && (e || s)) {
    return fail_message(
        "-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
  }
  int64_t ttl = 0;
  if (t && !parse_long(a.value('t'), &ttl)) return fail_message("-t argument must be a long value");
  if (t && e) return fail_message("TTLs cannot be used with Ephemeral znodes");
  if (t && c) return fail_message("TTLs cannot be used with Container znodes");
  client::CreateOptions opts;
  using client::CreateMode;
  if (e && s) {
    opts.mode = CreateMode::kEphemeralSequential;
  } else if (e) {
    opts.mode = CreateMode::kEphemeral;
  } else if (s) {
    opts.mode = t ? CreateMode::kPersistentSequentialWithTtl : CreateMode::kPersistentSequential;
  } else if (c) {
    opts.mode = CreateMode::kContainer;
  } else {
    opts.mode = t ? CreateMode::kPersistentWithTtl : CreateMode::kPersistent;
  }
  if (t && (ttl <= 0 || ttl > proto::kMaxTtlMs)) {
    return fail_message("ttl must be positive and cannot be larger than: " +
                        std::to_string(proto::kMaxTtlMs));
  }
  opts.ttl_ms = ttl;
  const std::string& path = a.args[1];
  client::NodeData data;  // no data argument: null data, as zkCli
  if (a.args.size() > 2) data = a.args[2];
  if (a.args.size() > 3) {
    ParsedAcl acl = parse_acl(a.args[3]);
    if (!acl.warnings.empty()) err(acl.warnings);
    opts.acl = acl.acl;
  }
  if (!check_path(path, s)) return kExitFailed;
  if (opts.acl.empty()) {  // the Java client refuses an empty ACL before sending anything
    err(keeper_message(Err::kInvalidAcl, "") + "\n");
    return fail(Err::kInvalidAcl, "");
  }
  auto r = call<client::CreateResult>(
      [&](auto cb) { client_->create(path, data, opts, std::move(cb)); });
  if (!r.ok()) {
    if (r.code() == Err::kInvalidAcl) err(keeper_message(r.code(), r.path()) + "\n");
    if (r.code() == Err::kEphemeralOnLocalSession)
      err("Unable to create ephemeral node on a local session\n");
    return fail(r.code(), r.path());
  }
  err("Created " + r.value().path + "\n");
  result_["created"] = r.value().path;
  return kExitOk;
}

int Shell::cmd_get(const ParsedArgs& a0) {
  std::string warning;
  ParsedArgs a = with_old_watch_arg(a0, "get", "get [-s] [-w] path", &warning);
  if (!warning.empty()) err(warning);
  if (a.args.size() < 2) return fail_message(usage_of("get"));
  const std::string& path = a.args[1];
  bool watch = a.has('w');
  if (!check_path(path)) return kExitFailed;
  auto r = call<client::DataResult>([&](auto cb) {
    client_->get_data(path, watch ? watcher() : client::Watcher{},
                      noting(std::move(cb), watch, Kind::kData, path));
  });
  if (!r.ok()) return fail(r.code(), r.path());
  const auto& d = r.value();
  out((d.data ? *d.data : std::string("null")) + "\n");
  if (a.has('s')) out(format_stat(d.stat));
  result_["path"] = path;
  result_["data"] = data_json(d.data);
  result_["stat"] = stat_json(d.stat);
  return kExitOk;
}

int Shell::cmd_set(const ParsedArgs& a) {
  if (a.args.size() < 3) return fail_message(usage_of("set"));
  const std::string& path = a.args[1];
  int32_t version = -1;
  if (a.has('v') && !parse_version(a.value('v'), &version)) {
    return fail_message("For input string: \"" + a.value('v') + "\"");
  }
  if (!check_path(path)) return kExitFailed;
  auto r = call<client::Stat>([&](auto cb) {
    client_->set_data(path, a.args[2], version, std::move(cb));
  });
  if (!r.ok()) return fail(r.code(), r.path());
  if (a.has('s')) out(format_stat(r.value()));
  result_["path"] = path;
  result_["stat"] = stat_json(r.value());
  return kExitOk;
}

int Shell::cmd_delete(const ParsedArgs& a0) {
  ParsedArgs a = a0;
  if (a.args.size() > 2) {  // "delete path version" (3.4 style)
    err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' "
        "instead.\n");
    a.options['v'] = a.args[2];
    a.args.resize(2);
  }
  if (a.args.size() < 2) return fail_message(usage_of("delete"));
  const std::string& path = a.args[1];
  int32_t version = -1;
  if (a.has('v') && !parse_version(a.value('v'), &version)) {
    return fail_message("For input string: \"" + a.value('v') + "\"");
  }
  if (!check_path(path)) return kExitFailed;
  auto r = call<client::Empty>(
      [&](auto cb) { client_->remove(path, version, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  result_["path"] = path;
  return kExitOk;
}

// ZKUtil.deleteRecursive: the subtree listed breadth first, deleted deepest first in multis
// of `batch` deletes, stopping at the first multi that fails.
int Shell::deleteall(const std::string& root, int batch) {
  std::vector<std::string> tree = {root};
  for (size_t i = 0; i < tree.size(); ++i) {
    auto c = call<std::vector<std::string>>(
        [&](auto cb) { client_->get_children(tree[i], client::Watcher{}, std::move(cb)); });
    if (!c.ok()) {
      if (i == 0 || c.code() != Err::kNoNode) return fail(c.code(), c.path());
      continue;
    }
    for (const auto& child : c.value()) tree.push_back(child_path(tree[i], child));
  }
  bool all_deleted = true;
  client::Transaction txn;
  auto flush = [&] {
    if (txn.empty()) return;
    auto r =
        call<std::vector<client::OpResult>>([&](auto cb) { client_->multi(txn, std::move(cb)); });
    if (!r.ok()) all_deleted = false;
    txn = client::Transaction();
  };
  // As ZKUtil.deleteInBatch ("fail fast"): no batch is sent after one has failed.
  for (size_t i = tree.size(); i-- > 0 && all_deleted;) {
    txn.remove(tree[i]);
    if (static_cast<int>(txn.size()) >= batch) flush();
  }
  if (all_deleted) flush();
  if (!all_deleted) err("Failed to delete some node(s) in the subtree!\n");
  result_["deleted"] = all_deleted;
  return all_deleted ? kExitOk : kExitFailed;
}

int Shell::cmd_deleteall(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("deleteall"));
  int32_t batch = 1000;
  if (a.has('b') && !parse_number(a.value('b'), &batch)) {
    return fail_message("-b argument must be an int value");
  }
  if (batch <= 0) batch = 1;
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  result_["path"] = path;
  return deleteall(path, batch);
}

int Shell::cmd_stat(const ParsedArgs& a0) {
  std::string warning;
  ParsedArgs a = with_old_watch_arg(a0, "stat", "stat [-w] path", &warning);
  if (!warning.empty()) err(warning);
  if (a.args.size() < 2) return fail_message(usage_of("stat"));
  const std::string& path = a.args[1];
  bool watch = a.has('w');
  if (!check_path(path)) return kExitFailed;
  auto r = call<std::optional<client::Stat>>([&](auto cb) {
    client_->exists(path, watch ? watcher() : client::Watcher{},
                    noting(std::move(cb), watch, Kind::kData, path));
  });
  if (!r.ok()) return fail(r.code(), r.path());
  if (!r.value()) return fail(Err::kNoNode, path);
  out(format_stat(*r.value()));
  result_["path"] = path;
  result_["stat"] = stat_json(*r.value());
  return kExitOk;
}

int Shell::cmd_sync(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("sync"));
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  auto r = call<std::string>([&](auto cb) { client_->sync(path, std::move(cb)); });
  result_["path"] = path;
  if (!r.ok()) {
    out("Sync has failed. rc=" + std::to_string(static_cast<int>(r.code())) + "\n");
    result_["error"] = {{"code", err_code_name(r.code())}, {"rc", static_cast<int>(r.code())}};
    return kExitFailed;
  }
  out("Sync is OK\n");
  return kExitOk;
}

int Shell::cmd_get_ephemerals(const ParsedArgs& a) {
  std::string prefix = a.args.size() >= 2 ? a.args[1] : "/";
  auto r = call<std::vector<std::string>>(
      [&](auto cb) { client_->get_ephemerals(prefix, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  out(java_list(r.value()) + "\n");
  result_["ephemerals"] = r.value();
  return kExitOk;
}

int Shell::cmd_get_all_children_number(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(usage_of("getAllChildrenNumber"));
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  auto r = call<int32_t>([&](auto cb) { client_->get_all_children_number(path, std::move(cb)); });
  if (!r.ok()) return fail(r.code(), r.path());
  out(std::to_string(r.value()) + "\n");
  result_["path"] = path;
  result_["number"] = r.value();
  return kExitOk;
}

}  // namespace paddock::shell
