#pragma once
// Private to the Database implementation: the read ops (FinalRequestProcessor's side of
// ZooKeeper 3.8), answered from the applied tree, and the watch ops.
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"
#include "state/acl_check.h"
#include "state/data_tree.h"
#include "state/database.h"

namespace paddock::state {

class Reader {
 public:
  Reader(DataTree& tree, const AclChecker& acl, const Request& request, size_t decode_limit);
  Outcome run();

 private:
  // Node lookups for reads: "" is the root, as in ZooKeeper's node table.
  const Znode* find(std::string_view path) const;
  bool may(const Znode& node, int32_t perm) const;

  Reply exists(proto::JuteReader& r);
  Reply get_data(proto::JuteReader& r);
  Reply get_children(proto::JuteReader& r, bool with_stat);
  Reply get_acl(proto::JuteReader& r);
  Reply get_all_children_number(proto::JuteReader& r);
  Reply get_ephemerals(proto::JuteReader& r);
  Reply who_am_i();
  Reply multi_read(proto::JuteReader& r);
  Reply sync(proto::JuteReader& r);
  // Watch ops (reads_watches.cc).
  Reply add_watch(proto::JuteReader& r);
  Reply check_watches(proto::JuteReader& r, bool remove);
  Reply set_watches(proto::JuteReader& r, bool v2, std::vector<WatchEvent>& events);

  // Shared by getData/getChildren and multiRead.
  proto::Err read_data(const proto::GetDataRequest& req, proto::GetDataResponse& out);
  proto::Err read_children(const std::string& path, bool watch, std::vector<std::string>& children,
                           proto::Stat* stat);

  DataTree& tree_;
  const AclChecker& acl_;
  const Request& request_;
  size_t decode_limit_;
  std::vector<proto::Id> no_ids_;
  const std::vector<proto::Id>& auth_;
};

}  // namespace paddock::state
