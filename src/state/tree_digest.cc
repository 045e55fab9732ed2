#include "state/tree_digest.h"

#include <zlib.h>

namespace paddock::state {

namespace {

constexpr std::string_view kZookeeperSubtree = "/zookeeper/";

void put_be(char* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

// zlib's crc32 is the same CRC-32 as Java's java.util.zip.CRC32 (which ZooKeeper's digest
// uses), and much faster than a byte-at-a-time table: it runs twice per write.
uint32_t crc32_update(uint32_t crc, std::string_view bytes) {
  return static_cast<uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

uint64_t node_digest(std::string_view path, std::string_view data,
                     const proto::StatPersisted& stat) {
  if (path.starts_with(kZookeeperSubtree)) return 0;
  if (path == "/") path = "";
  // czxid, mzxid, pzxid, ctime, mtime (longs); version, cversion, aversion (ints);
  // ephemeralOwner (long): 60 bytes, big-endian.
  char fields[60];
  put_be(fields + 0, static_cast<uint64_t>(stat.czxid), 8);
  put_be(fields + 8, static_cast<uint64_t>(stat.mzxid), 8);
  put_be(fields + 16, static_cast<uint64_t>(stat.pzxid), 8);
  put_be(fields + 24, static_cast<uint64_t>(stat.ctime), 8);
  put_be(fields + 32, static_cast<uint64_t>(stat.mtime), 8);
  put_be(fields + 40, static_cast<uint32_t>(stat.version), 4);
  put_be(fields + 44, static_cast<uint32_t>(stat.cversion), 4);
  put_be(fields + 48, static_cast<uint32_t>(stat.aversion), 4);
  put_be(fields + 52, static_cast<uint64_t>(stat.ephemeral_owner), 8);
  uint32_t crc = crc32_update(0, path);
  crc = crc32_update(crc, data);
  crc = crc32_update(crc, std::string_view(fields, sizeof fields));
  return crc;
}

}  // namespace paddock::state
