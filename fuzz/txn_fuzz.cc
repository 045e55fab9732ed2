// Txns in ZooKeeper's byte format (proto/txn.h): the bytes of a log record, a PROPOSAL's data
// and a multi's inner ops. Whatever decodes re-encodes to bytes that decode to the same txn.
#include <string>

#include "fuzz/fuzz_check.h"
#include "proto/txn.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace paddock::proto;
  std::string_view bytes = paddock::fuzz::as_view(data, size);
  paddock::Result<Txn> txn = decode_txn(bytes);
  if (!txn.is_ok()) {
    FUZZ_CHECK(!txn.error().empty(), "a refused txn must say why");
    return 0;
  }
  const std::string once = encode_txn(*txn);
  paddock::Result<Txn> again = decode_txn(once);
  FUZZ_CHECK(again.is_ok(), "%s", again.error().c_str());
  FUZZ_CHECK(*again == *txn);
  FUZZ_CHECK(encode_txn(*again) == once);
  return 0;
}
