#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paddock::crc32c {
namespace {

// Known answers: the check value of the CRC-32C catalogue and the iSCSI vectors of
// RFC 3720, appendix B.4.
struct KnownAnswer {
  std::string input;
  uint32_t crc;
};

std::vector<KnownAnswer> known_answers() {
  std::string ascending(32, '\0'), descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  return {
      {"123456789", 0xE3069283u},
      {std::string(32, '\0'), 0x8A9136AAu},
      {std::string(32, '\xff'), 0x62A8AB43u},
      {ascending, 0x46DD794Eu},
      {descending, 0x113FDB5Cu},
      {"", 0u},
  };
}

TEST(Crc32c, MatchesKnownAnswers) {
  for (const auto& ka : known_answers()) {
    EXPECT_EQ(value(ka.input), ka.crc) << "input size " << ka.input.size();
    EXPECT_EQ(extend_portable(0, ka.input.data(), ka.input.size()), ka.crc);
    if (hardware_available()) {
      EXPECT_EQ(extend_hardware(0, ka.input.data(), ka.input.size()), ka.crc);
    }
  }
}

TEST(Crc32c, ExtendChainsLikeOneCallAtEverySplitPoint) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = value(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t head = value(data.data(), split);
    EXPECT_EQ(extend(head, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32c, HardwareAndPortableAgreeAtEveryAlignmentAndLength) {
  if (!hardware_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::string buf(1100, '\0');
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>((i * 131 + 17) & 0xff);
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000}) {
      const char* p = buf.data() + offset;
      EXPECT_EQ(extend_hardware(0x12345678u, p, len), extend_portable(0x12345678u, p, len))
          << "offset " << offset << " len " << len;
    }
  }
}

TEST(Crc32c, DetectsASingleFlippedBit) {
  std::string data(4096, 'x');
  const uint32_t before = value(data);
  data[2000] ^= 0x10;
  EXPECT_NE(value(data), before);
}

}  // namespace
}  // namespace paddock::crc32c
