#include "util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace paddock::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // Castagnoli, bit-reflected

// kTables[k][b]: the CRC register after feeding byte b followed by k zero bytes; slicing-by-8
// folds eight input bytes per step with eight table look-ups.
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][b] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

constexpr Tables kTables = make_tables();

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t reg = ~crc;
  // Byte steps up to an 8-byte boundary, then 8 bytes per instruction.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = _mm_crc32_u8(static_cast<uint32_t>(reg), *p++);
    --n;
  }
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    reg = _mm_crc32_u64(reg, v);
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    reg = _mm_crc32_u8(static_cast<uint32_t>(reg), *p++);
    --n;
  }
  return ~static_cast<uint32_t>(reg);
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const void*, size_t);

ExtendFn pick_implementation() {
  return hardware_available() ? &extend_hardware : &extend_portable;
}

}  // namespace

uint32_t extend_portable(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t reg = ~crc;
  while (n >= 8) {
    const uint64_t v = load_le64(p) ^ reg;
    reg = kTables[7][v & 0xff] ^ kTables[6][(v >> 8) & 0xff] ^ kTables[5][(v >> 16) & 0xff] ^
          kTables[4][(v >> 24) & 0xff] ^ kTables[3][(v >> 32) & 0xff] ^
          kTables[2][(v >> 40) & 0xff] ^ kTables[1][(v >> 48) & 0xff] ^ kTables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    reg = (reg >> 8) ^ kTables[0][(reg ^ *p++) & 0xff];
    --n;
  }
  return ~reg;
}

bool hardware_available() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("sse4.2");
#else
  return false;
#endif
}

uint32_t extend_hardware(uint32_t crc, const void* data, size_t n) {
#if defined(__x86_64__)
  return extend_sse42(crc, data, n);
#else
  return extend_portable(crc, data, n);
#endif
}

uint32_t extend(uint32_t crc, const void* data, size_t n) {
  // Chosen once; immutable afterwards, so this is not mutable global state.
  static const ExtendFn impl = pick_implementation();
  return impl(crc, data, n);
}

}  // namespace paddock::crc32c
