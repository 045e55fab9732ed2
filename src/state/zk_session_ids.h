#pragma once
// Session ids and passwords exactly as Apache ZooKeeper 3.8 makes them, so that a session
// can move between Paddock and ZooKeeper servers of one ensemble. Pure: the time comes in.
//   first id:  ((time_ms << 24) >>> 8) | (sid << 56), the container marker 0x8000000000000000
//              bumped by one (SessionTrackerImpl.initializeNextSessionId; ZooKeeper passes its
//              elapsed-time clock, System.nanoTime() / 10^6); later ids count up from it
//   password:  16 bytes of java.util.Random(sessionId ^ 0xB3415C00).nextBytes
//              (ZooKeeperServer.generatePasswd; the same on every server, so any server can
//              check a password)
#include <array>
#include <cstddef>
#include <cstdint>

namespace paddock::state {

inline constexpr int64_t kZkPasswordSecret = 0xB3415C00L;
inline constexpr size_t kZkPasswordBytes = 16;

int64_t zk_first_session_id(int64_t time_ms, int64_t sid);

using ZkSessionPassword = std::array<uint8_t, kZkPasswordBytes>;
ZkSessionPassword zk_session_password(int64_t session_id);

// java.util.Random: a 48-bit linear congruential generator, bit for bit.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed);
  int32_t next_int();  // nextInt()
  // nextBytes: each group of four bytes from one nextInt(), low byte first.
  void next_bytes(uint8_t* out, size_t n);

 private:
  int32_t next(int bits);
  uint64_t seed_;
};

}  // namespace paddock::state
