// A libFuzzer-free smoke test: thousands of random and mutated inputs from a fixed seed go
// through decode_txn and every record decoder. Nothing may crash (run under ASan/UBSan with
// -DPADDOCK_SANITIZE=ON for the full effect), and whatever decodes must re-encode to bytes
// that decode to the same value.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proto/jute.h"
#include "proto/records.h"
#include "proto/test_records.h"
#include "proto/txn.h"

namespace paddock::proto {
namespace {

using testing::sample;

constexpr uint32_t kSeed = 20240601;
constexpr int kRandomInputs = 3000;
constexpr int kMutationsPerSeed = 40;

std::string random_bytes(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(len(rng), '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

// Flips, overwrites with boundary values (0x00, 0x7f, 0x80, 0xff), truncates or extends.
std::string mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<int> byte(0, 255);
  const char boundary[] = {'\x00', '\x7f', '\x80', '\xff'};
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (kind(rng)) {
      case 0:
        if (!s.empty()) s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
        break;
      case 1:
        if (!s.empty()) s[pos] = boundary[rng() % 4];
        break;
      case 2:
        s.resize(pos);
        break;
      default:
        s.push_back(static_cast<char>(byte(rng)));
        break;
    }
  }
  return s;
}

template <typename T>
void decode_any(std::string_view bytes) {
  T record{};
  if (!decode(bytes, record)) return;
  T again{};
  ASSERT_TRUE(decode(encode(record), again));
  ASSERT_TRUE(again == record);
}

void decode_everything(std::string_view bytes) {
  Result<Txn> txn = decode_txn(bytes);
  if (txn.is_ok()) {
    Result<Txn> again = decode_txn(encode_txn(*txn));
    ASSERT_TRUE(again.is_ok()) << again.error();
    ASSERT_EQ(*again, *txn);
  } else {
    ASSERT_FALSE(txn.error().empty());
  }
#define DECODE_ANY(T) decode_any<T>(bytes);
  PADDOCK_FOR_EACH_RECORD(DECODE_ANY)
#undef DECODE_ANY
}

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  const AclList acl = {Acl{perm::kAll, Id{"world", "anyone"}}};
  TxnHeader h{1, 2, 3, 4, 0};
  auto txn = [&](int32_t type, TxnBody body) {
    h.type = type;
    out.push_back(encode_txn(Txn{h, std::move(body), 77}));
  };
  txn(1, CreateTxn{"/a", "d", acl, true, 2});
  txn(21, CreateTtlTxn{"/t", "d", acl, 2, 1000});
  txn(7, SetAclTxn{"/a", acl, 1});
  txn(5, SetDataTxn{"/n", std::nullopt, 1});  // null data: length -1
  txn(-11, CloseSessionTxn{{"/e1", "/e2"}});
  txn(14, MultiTxn{{MultiTxnOp{1, CreateTxn{"/m", "", acl, false, 1}},
                    MultiTxnOp{5, SetDataTxn{"/m", "v", 1}}, MultiTxnOp{-1, ErrorTxn{-2}}}});
#define ADD_SEED(T) out.push_back(encode(sample<T>()));
  PADDOCK_FOR_EACH_RECORD(ADD_SEED)
#undef ADD_SEED
  return out;
}

TEST(FuzzSmoke, RandomBytesNeverCrashDecoders) {
  std::mt19937 rng(kSeed);
  for (int i = 0; i < kRandomInputs; ++i) {
    std::string bytes = random_bytes(rng, 96);
    ASSERT_NO_FATAL_FAILURE(decode_everything(bytes)) << "input " << i;
  }
}

TEST(FuzzSmoke, MutatedValidEncodingsNeverCrashDecoders) {
  std::mt19937 rng(kSeed + 1);
  for (const std::string& seed : seeds()) {
    for (int i = 0; i < kMutationsPerSeed; ++i) {
      std::string bytes = mutate(seed, rng);
      ASSERT_NO_FATAL_FAILURE(decode_everything(bytes));
    }
  }
}

TEST(FuzzSmoke, RandomTxnHeadersWithValidTypesReachBodyDecoders) {
  // Random bodies behind a real header type exercise the body decoders, which random bytes
  // alone rarely reach (a random type is almost never known).
  std::mt19937 rng(kSeed + 2);
  const int32_t types[] = {1, 2, 5, 7, 13, 14, 15, 16, 19, 20, 21, -1, -10, -11};
  int decoded = 0;
  for (int i = 0; i < kRandomInputs; ++i) {
    TxnHeader h{static_cast<int64_t>(rng()), 0, 0, 0, types[rng() % std::size(types)]};
    std::string bytes = encode(h) + random_bytes(rng, 48);
    ASSERT_NO_FATAL_FAILURE(decode_everything(bytes));
    decoded += decode_txn(bytes).is_ok() ? 1 : 0;
  }
  EXPECT_GT(decoded, 0);  // some random bodies are valid (e.g. ErrorTxn, CreateSessionTxn)
}

}  // namespace
}  // namespace paddock::proto
