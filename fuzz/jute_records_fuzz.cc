// Every jute record type of the client protocol and the txn log (proto/records.h, txn.h):
// the first byte picks the type, the rest is the record. Whatever decodes must re-encode to
// bytes that decode to the same value, and that encoding must be stable (a second round trip
// gives the same bytes): a record the server accepts is one it can also write back.
#include <string>

#include "fuzz/fuzz_check.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "proto/test_records.h"
#include "proto/txn.h"

namespace {

using namespace paddock::proto;

template <typename T>
void round_trip(std::string_view bytes) {
  T record{};
  if (!decode(bytes, record)) return;
  const std::string once = encode(record);
  FUZZ_CHECK(once.size() <= bytes.size(), "re-encoding grew: %zu > %zu", once.size(), bytes.size());
  T again{};
  FUZZ_CHECK(decode(once, again));
  FUZZ_CHECK(again == record);
  FUZZ_CHECK(encode(again) == once);
}

using RoundTrip = void (*)(std::string_view);
#define PADDOCK_ROUND_TRIP_FN(T) &round_trip<T>,
constexpr RoundTrip kRoundTrips[] = {PADDOCK_FOR_EACH_RECORD(PADDOCK_ROUND_TRIP_FN)};
#undef PADDOCK_ROUND_TRIP_FN

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t kinds = sizeof(kRoundTrips) / sizeof(kRoundTrips[0]);
  kRoundTrips[data[0] % kinds](paddock::fuzz::as_view(data + 1, size - 1));
  return 0;
}
