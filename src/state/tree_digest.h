#pragma once
// The tree digest of ZooKeeper 3.8 (digestVersion 2, ../../shared/ZK-FORMATS.md section 5):
// the sum mod 2^64 of one CRC32 per node over path, data and stat fields, leaving out the
// nodes under "/zookeeper/". Ensembles that mix Paddock and ZooKeeper compare these values,
// so the bytes hashed must be exactly ZooKeeper's.
#include <cstdint>
#include <string_view>

#include "proto/types.h"

namespace paddock::state {

// CRC32 as java.util.zip.CRC32 computes it (IEEE, reflected, as in zlib).
uint32_t crc32_update(uint32_t crc, std::string_view bytes);

// The digest of one node; 0 for nodes ZooKeeper leaves out. `path` is the node's path as
// clients write it ("/" for the root, which ZooKeeper hashes as the empty string).
uint64_t node_digest(std::string_view path, std::string_view data,
                     const proto::StatPersisted& stat);

}  // namespace paddock::state
