// DataTree: the quota bookkeeping ZooKeeper's DataTree does as nodes change. A path is
// quota'd while /zookeeper/quota<path>/zookeeper_limits exists; its usage (node count and
// data bytes of the subtree, itself included) is kept in .../zookeeper_stats, rewritten in
// memory without touching that node's stat, as ZooKeeper does. Only the deepest quota'd
// ancestor of a changed node is charged.
#include "state/data_tree.h"
#include "state/data_tree_impl.h"

namespace paddock::state {

void DataTree::Impl::quota_node_created(std::string_view parent, std::string_view name) {
  if (!parent.starts_with(kQuotaRoot)) return;
  std::string_view quota_path = parent.substr(kQuotaRoot.size());
  if (name == kQuotaLimitNode) quotas.add(quota_path);
  // zkCli creates the limits node, then the stats node: usage is counted from then on.
  if (name == kQuotaStatNode) recount_quota(quota_path);
}

void DataTree::Impl::quota_node_deleted(std::string_view parent, std::string_view name) {
  if (parent.starts_with(kQuotaRoot) && name == kQuotaLimitNode) {
    quotas.remove(parent.substr(kQuotaRoot.size()));
  }
}

void DataTree::Impl::quota_usage_changed(std::string_view path, int64_t bytes_delta,
                                         int64_t count_delta) {
  if (quotas.empty()) return;  // the common case costs one branch
  auto prefix = quotas.max_prefix(path);
  if (!prefix) return;
  Znode* stats = find(quota_stats_path(*prefix));
  if (stats == nullptr) return;  // limits without stats yet: ZooKeeper only logs
  QuotaStats usage = QuotaStats::parse(stats->data());
  usage.count += count_delta;
  usage.bytes += bytes_delta;
  nodes.set_data(stats, usage.to_string());  // under /zookeeper/: no digest change
}

void DataTree::Impl::recount_quota(std::string_view quota_path) {
  Znode* stats = find(quota_stats_path(quota_path));
  if (stats == nullptr) return;
  QuotaStats usage;
  usage.count = 0;
  usage.bytes = 0;
  const Znode* root = quota_path.empty() ? nullptr : find(quota_path);
  if (root != nullptr) {
    visit_subtree(*root, [&](const Znode& n) {
      usage.count += 1;
      usage.bytes += static_cast<int64_t>(n.data_size());
    });
  }
  nodes.set_data(stats, usage.to_string());
}

// As ZooKeeper's setupQuota after loading a snapshot: every leaf under /zookeeper/quota
// named zookeeper_limits makes its path quota'd, and its usage is counted afresh.
void DataTree::Impl::rebuild_quotas() {
  quotas = QuotaIndex();
  std::vector<std::string> quota_paths;
  std::string suffix = "/" + std::string(kQuotaLimitNode);
  const Znode* root = find(kQuotaRoot);
  if (root == nullptr) return;
  visit_subtree(*root, [&](const Znode& node) {
    std::string_view path = node.path();
    if (!node.children().empty() || !path.ends_with(suffix)) return;
    size_t end = path.find(suffix);
    quota_paths.emplace_back(path.substr(kQuotaRoot.size(), end - kQuotaRoot.size()));
  });
  for (const std::string& p : quota_paths) {
    quotas.add(p);
    recount_quota(p);
  }
}

// ZooKeeper's checkQuota: hard limits refuse the write, soft limits only log there.
proto::Err DataTree::check_quota(std::string_view path, int64_t count_delta,
                                 int64_t bytes_delta) const {
  const Impl& t = *impl_;
  auto prefix = t.quotas.max_prefix(path);
  if (!prefix) return proto::Err::kOk;
  const Znode* limits_node = t.find(quota_limits_path(*prefix));
  if (limits_node == nullptr) return proto::Err::kOk;
  QuotaStats limits = QuotaStats::parse(limits_node->data());
  bool check_count =
      count_delta != 0 && (limits.count > -1 || limits.count_hard_limit() > -1);
  bool check_bytes =
      bytes_delta != 0 && (limits.bytes > -1 || limits.byte_hard_limit() > -1);
  if (!check_count && !check_bytes) return proto::Err::kOk;
  const Znode* stats_node = t.find(quota_stats_path(*prefix));
  if (stats_node == nullptr) return proto::Err::kOk;
  QuotaStats usage = QuotaStats::parse(stats_node->data());
  if (check_count && limits.count_hard_limit() > -1 &&
      usage.count + count_delta > limits.count_hard_limit()) {
    return proto::Err::kQuotaExceeded;
  }
  if (check_bytes && limits.byte_hard_limit() > -1 &&
      usage.bytes + bytes_delta > limits.byte_hard_limit()) {
    return proto::Err::kQuotaExceeded;
  }
  return proto::Err::kOk;
}

}  // namespace paddock::state
