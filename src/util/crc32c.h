#pragma once
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Paddock's own log and
// snapshot records. Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// run time) and a table-driven slicing-by-8 loop otherwise; both give identical values.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace paddock::crc32c {

// Continues a CRC: extend(extend(0, a), b) == value(a ‖ b). `crc` is a finished CRC value
// (not the internal inverted register), so calls chain without extra steps.
uint32_t extend(uint32_t crc, const void* data, size_t n);

inline uint32_t value(const void* data, size_t n) { return extend(0, data, n); }
inline uint32_t value(std::string_view bytes) { return extend(0, bytes.data(), bytes.size()); }

// The two implementations, exposed so tests can check that they agree.
uint32_t extend_portable(uint32_t crc, const void* data, size_t n);
bool hardware_available();
// Precondition: hardware_available().
uint32_t extend_hardware(uint32_t crc, const void* data, size_t n);

}  // namespace paddock::crc32c
