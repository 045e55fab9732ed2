// Quorum SASL's QuorumAuthPacket (peer/quorum_auth_codec.h), the first bytes a peer sends on
// either peer port once quorum.auth.enableSasl is on: read before anyone is authenticated.
//
// Invariants: a refusal says why; a decoded packet used exactly the bytes it claims and
// re-encodes (for the three statuses ZooKeeper sends) to those same bytes; the token never
// exceeds the limit; "more bytes needed" asks for more than it was given and never more than
// a header plus the limit; decoding the input cut at any point never contradicts decoding it
// whole.
#include <spdlog/spdlog.h>

#include <string>

#include "fuzz/fuzz_check.h"
#include "peer/quorum_auth_codec.h"

namespace {

using namespace paddock;
constexpr size_t kMaxToken = 4096;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  size_t consumed = 0;
  size_t needed = 0;
  auto whole = peer::decode_quorum_auth_packet(bytes, kMaxToken, &consumed, &needed);
  if (!whole) {
    FUZZ_CHECK(!whole.error().empty());
    return 0;
  }
  if (!*whole) {
    FUZZ_CHECK(needed > bytes.size(), "needs %zu with %zu given", needed, bytes.size());
    FUZZ_CHECK(needed <= peer::kQuorumAuthHeaderBytes + kMaxToken);
  } else {
    const peer::QuorumAuthPacket& p = **whole;
    FUZZ_CHECK(consumed <= bytes.size());
    FUZZ_CHECK(!p.token || p.token->size() <= kMaxToken);
    FUZZ_CHECK(consumed == peer::kQuorumAuthHeaderBytes + (p.token ? p.token->size() : 0));
    if (p.magic == peer::kQuorumAuthMagic && (p.status == 0 || p.status == 1 || p.status == -1)) {
      const std::string again =
          peer::encode_quorum_auth_packet(static_cast<peer::QuorumAuthStatus>(p.status), p.token);
      FUZZ_CHECK(again == bytes.substr(0, consumed), "re-encoded differently");
    }
  }
  // Any prefix is either "more needed" or the same answer.
  for (size_t cut : {size_t{0}, size_t{7}, size_t{8}, size_t{15}, size_t{16}, bytes.size() / 2}) {
    if (cut >= bytes.size()) continue;
    size_t c = 0;
    size_t n = 0;
    auto part = peer::decode_quorum_auth_packet(bytes.substr(0, cut), kMaxToken, &c, &n);
    if (!part) {
      FUZZ_CHECK(!whole.is_ok() || !*whole, "a prefix fails where the whole decodes");
      continue;
    }
    if (*part) FUZZ_CHECK(*whole && **part == **whole, "a prefix decodes differently");
  }
  return 0;
}
