// Quotas as zkCli 3.8 keeps them: /zookeeper/quota/<path>/zookeeper_limits holds the
// limits and zookeeper_stats the usage (StatsTrack text), which the server maintains.
// setquota, listquota, delquota.
#include <charconv>

#include "shell/command_table.h"
#include "shell/shell_internal.h"

namespace paddock::shell {

using client::Err;

namespace {

const std::string kQuotaRoot = "/zookeeper/quota";
const std::string kLimitNode = "zookeeper_limits";
const std::string kStatNode = "zookeeper_stats";

std::string quota_path(const std::string& path) { return kQuotaRoot + path; }
std::string limit_path(const std::string& path) { return quota_path(path) + "/" + kLimitNode; }
std::string stat_path(const std::string& path) { return quota_path(path) + "/" + kStatNode; }

}  // namespace

// SetQuotaCommand.checkIfChildQuota and checkIfParentQuota: a quota may not be set below or
// above another. False (message printed) when one is found.
bool Shell::quota_tree_checks(const std::string& path) {
  const std::string own = quota_path(path);
  // Children: every node of the subtree under /zookeeper/quota<path> except its own.
  std::vector<std::string> nodes = {own};
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto c = call<std::vector<std::string>>(
        [&](auto cb) { client_->get_children(nodes[i], client::Watcher{}, std::move(cb)); });
    if (!c.ok()) continue;
    for (const auto& child : c.value()) {
      if (nodes[i] != own && child == kLimitNode) {
        fail_message(path + " has a child " + nodes[i].substr(kQuotaRoot.size()) +
                     " which has a quota");
        return false;
      }
      nodes.push_back(nodes[i] + "/" + child);
    }
  }
  // Parents: /zookeeper/quota/a, /zookeeper/quota/a/b, ... down to the path itself.
  std::string node = kQuotaRoot;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    node += "/" + path.substr(pos, slash - pos);
    pos = slash + 1;
    auto c = call<std::vector<std::string>>(
        [&](auto cb) { client_->get_children(node, client::Watcher{}, std::move(cb)); });
    if (!c.ok() || c.value().empty()) return true;
    for (const auto& child : c.value()) {
      if (node != own && child == kLimitNode) {
        fail_message(path + " has a parent " + node.substr(kQuotaRoot.size()) +
                     " which has a quota");
        return false;
      }
    }
  }
  return true;
}

namespace {

// SetQuotaCommand.checkOptionValue: the limits the options give (unset ones -1), or the
// message zkCli prints for a bad value.
bool quota_from_options(const ParsedArgs& a, QuotaRecord* quota, std::string* error) {
  for (const char* key : {"count", "bytes", "countHardLimit", "byteHardLimit"}) quota->set(key, -1);
  struct Opt {
    char letter;
    const char* key;
    bool count;
  };
  for (Opt o : {Opt{'n', "count", true}, Opt{'b', "bytes", false}, Opt{'N', "countHardLimit", true},
                Opt{'B', "byteHardLimit", false}}) {
    if (!a.has(o.letter)) continue;
    int64_t v = 0;
    if (!parse_long(a.value(o.letter), &v) || (o.count && (v > INT32_MAX || v < INT32_MIN))) {
      *error = "NumberFormatException happens when parsing the option value";
      return false;
    }
    if (o.count ? v <= 0 : v < 0) {
      *error = o.count ? "the num quota must be greater than zero"
                       : "the bytes quota must be greater than or equal to zero";
      return false;
    }
    quota->set(o.key, v);
  }
  return true;
}

}  // namespace

// SetQuotaCommand.createQuota: the quota's nodes, then its limits (new, or merged into the
// old ones). The limits written go to *limits.
int Shell::write_quota(const std::string& path, const QuotaRecord& quota, QuotaRecord* limits) {
  auto create = [&](const std::string& p, client::NodeData data) {
    auto r = call<client::CreateResult>(
        [&](auto cb) { client_->create(p, std::move(data), {}, std::move(cb)); });
    return r.ok() || r.code() == Err::kNodeExists ? Err::kOk : r.code();
  };
  // /zookeeper/quota, then one node per component of the path.
  std::string node = kQuotaRoot;
  if (Err e = create(node, std::nullopt); e != Err::kOk) return fail(e, node);
  for (size_t pos = 1; pos <= path.size();) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    node += "/" + path.substr(pos, slash - pos);
    pos = slash + 1;
    if (Err e = create(node, std::nullopt); e != Err::kOk) return fail(e, node);
  }
  *limits = quota;
  auto old = call<client::DataResult>(
      [&](auto cb) { client_->get_data(limit_path(path), client::Watcher{}, std::move(cb)); });
  if (!old.ok()) {
    auto r = call<client::CreateResult>(
        [&](auto cb) { client_->create(limit_path(path), quota.to_string(), {}, std::move(cb)); });
    if (!r.ok()) return fail(r.code(), r.path());
    QuotaRecord zero;
    zero.set("count", 0);
    zero.set("bytes", 0);
    create(stat_path(path), zero.to_string());
    return kExitOk;
  }
  *limits = QuotaRecord::parse(old.value().data.value_or(""));
  for (const char* key : {"count", "bytes", "countHardLimit", "byteHardLimit"}) {
    if (quota.get(key) > -1) limits->set(key, quota.get(key));
  }
  auto r = call<client::Stat>([&](auto cb) {
    client_->set_data(limit_path(path), limits->to_string(), -1, std::move(cb));
  });
  return r.ok() ? kExitOk : fail(r.code(), r.path());
}

// SetQuotaCommand.checkQuota: warns when the usage is already above the new limits.
void Shell::warn_over_quota(const std::string& path, const QuotaRecord& limits) {
  auto st = call<client::DataResult>(
      [&](auto cb) { client_->get_data(stat_path(path), client::Watcher{}, std::move(cb)); });
  if (!st.ok()) return;
  QuotaRecord usage = QuotaRecord::parse(st.value().data.value_or(""));
  auto below = [&](const char* limit, const char* used) {
    return limits.get(limit) > -1 && limits.get(limit) < usage.get(used);
  };
  if (below("count", "count") || below("countHardLimit", "count")) {
    out("[Warning]: the count quota you create is less than the existing count:" +
        std::to_string(usage.get("count")) + "\n");
  }
  if (below("bytes", "bytes") || below("byteHardLimit", "bytes")) {
    out("[Warning]: the bytes quota you create is less than the existing bytes:" +
        std::to_string(usage.get("bytes")) + "\n");
  }
}

int Shell::cmd_setquota(const ParsedArgs& a) {
  if (!a.has('n') && !a.has('b') && !a.has('N') && !a.has('B')) {
    return fail_message(
        "org.apache.commons.cli.MissingOptionException: Missing required option: [-n num soft "
        "quota, -b bytes "
        "soft quota, -N num hard quota, -B bytes hard quota]");
  }
  if (a.args.size() < 2) return fail_message(find_command("setquota")->usage());
  const std::string& path = a.args[1];
  if (path.rfind(kQuotaRoot, 0) == 0)
    return fail_message("cannot set a quota under the path: " + kQuotaRoot);
  QuotaRecord quota;
  std::string error;
  if (!quota_from_options(a, &quota, &error)) return fail_message(error);
  if (!check_path(path)) return kExitFailed;
  auto exists = call<std::optional<client::Stat>>(
      [&](auto cb) { client_->exists(path, client::Watcher{}, std::move(cb)); });
  if (!exists.ok() || !exists.value()) return fail_message(path + " does not exist.");
  if (!quota_tree_checks(path)) return kExitFailed;
  QuotaRecord limits;
  if (int status = write_quota(path, quota, &limits); status != kExitOk) return status;
  warn_over_quota(path, limits);
  result_["path"] = path;
  result_["quota"] = limits.to_string();
  return kExitOk;
}

int Shell::cmd_listquota(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(find_command("listquota")->usage());
  const std::string& path = a.args[1];
  err("absolute path is " + limit_path(path) + "\n");
  if (!check_path(path)) return kExitFailed;
  auto limits = call<client::DataResult>(
      [&](auto cb) { client_->get_data(limit_path(path), client::Watcher{}, std::move(cb)); });
  if (!limits.ok()) {
    if (limits.code() == Err::kNoNode)
      return fail_message("quota for " + path + " does not exist.");
    return fail(limits.code(), limits.path());
  }
  auto stats = call<client::DataResult>(
      [&](auto cb) { client_->get_data(stat_path(path), client::Watcher{}, std::move(cb)); });
  if (!stats.ok()) {
    if (stats.code() == Err::kNoNode) return fail_message("quota for " + path + " does not exist.");
    return fail(stats.code(), stats.path());
  }
  std::string q = QuotaRecord::parse(limits.value().data.value_or("")).to_string();
  std::string s = QuotaRecord::parse(stats.value().data.value_or("")).to_string();
  out("Output quota for " + path + " " + q + "\n");
  out("Output stat for " + path + " " + s + "\n");
  result_["path"] = path;
  result_["quota"] = q;
  result_["stat"] = s;
  return kExitOk;
}

int Shell::cmd_delquota(const ParsedArgs& a) {
  if (a.args.size() < 2) return fail_message(find_command("delquota")->usage());
  const std::string& path = a.args[1];
  if (!check_path(path)) return kExitFailed;
  result_["path"] = path;
  auto limits = call<client::DataResult>(
      [&](auto cb) { client_->get_data(limit_path(path), client::Watcher{}, std::move(cb)); });
  if (!limits.ok()) {
    if (limits.code() != Err::kNoNode) return fail(limits.code(), limits.path());
    out("Quota does not exist for " + path + "\n");
    result_["error"] = {{"message", "Quota does not exist for " + path}};
    return kExitFailed;
  }
  bool some = a.has('n') || a.has('b') || a.has('N') || a.has('B');
  if (some) {
    QuotaRecord q = QuotaRecord::parse(limits.value().data.value_or(""));
    if (a.has('n')) q.set("count", -1);
    if (a.has('b')) q.set("bytes", -1);
    if (a.has('N')) q.set("countHardLimit", -1);
    if (a.has('B')) q.set("byteHardLimit", -1);
    auto r = call<client::Stat>(
        [&](auto cb) { client_->set_data(limit_path(path), q.to_string(), -1, std::move(cb)); });
    if (!r.ok()) return fail(r.code(), r.path());
    result_["quota"] = q.to_string();
    return kExitOk;
  }
  // No option: remove the quota's nodes, then the empty nodes above them (trimProcQuotas).
  std::string node = quota_path(path);
  auto children = call<std::vector<std::string>>(
      [&](auto cb) { client_->get_children(node, client::Watcher{}, std::move(cb)); });
  if (!children.ok()) return fail(children.code(), children.path());
  for (const auto& c : children.value()) {
    auto r =
        call<client::Empty>([&](auto cb) { client_->remove(node + "/" + c, -1, std::move(cb)); });
    if (!r.ok()) return fail(r.code(), r.path());
  }
  while (node != kQuotaRoot) {
    auto c = call<std::vector<std::string>>(
        [&](auto cb) { client_->get_children(node, client::Watcher{}, std::move(cb)); });
    if (!c.ok() || !c.value().empty()) break;
    auto r = call<client::Empty>([&](auto cb) { client_->remove(node, -1, std::move(cb)); });
    if (!r.ok()) return fail(r.code(), r.path());
    node.resize(node.rfind('/'));
  }
  return kExitOk;
}

}  // namespace paddock::shell
