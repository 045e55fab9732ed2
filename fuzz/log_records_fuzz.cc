// Txn log files as recovery reads them: Paddock's segments (storage/log_format.h, read by
// storage/log_reader.cc on an in-memory Env) and ZooKeeper's log files (storage/zk_files.h,
// read by import-zk). The first byte picks what the rest is:
//   bit 0: a Paddock segment's records (a valid header is put in front) or a whole file;
//   bit 1: the records' CRCs are fixed up first, so the fuzzer gets past them to the lengths,
//          zxids and payloads behind them;
//   bit 2: ZooKeeper's log file format instead.
//
// Invariants: every record handed out carries a CRC that matches it and re-encodes to the
// bytes it was read from; recovery with repair is idempotent (a second recovery of what the
// first left behind truncates nothing and finds the same records); ZooKeeper records lie in
// order inside the file.
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "proto/txn.h"
#include "storage/fault_injecting_env.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/zk_files.h"

namespace {

using namespace paddock;

constexpr char kDir[] = "/data/paddock-log";
constexpr int64_t kFirstZxid = 0x100000001;

// Rewrites each record's CRC so it matches, until a length runs past the end.
void fix_crcs(std::string& file) {
  for (size_t pos = storage::kSegmentHeaderSize; pos + storage::kRecordHeaderSize <= file.size();) {
    storage::RecordHeader h = storage::decode_record_header(std::string_view(file).substr(pos));
    if (h.length == 0 || h.length > file.size() - pos - storage::kRecordHeaderSize) return;
    std::string_view payload =
        std::string_view(file).substr(pos + storage::kRecordHeaderSize, h.length);
    const uint32_t crc = storage::record_crc(h.zxid, payload);
    for (int i = 0; i < 4; ++i) file[pos + 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    pos += storage::kRecordHeaderSize + h.length;
  }
}

void check_record(std::string_view file, uint64_t offset, int64_t zxid, std::string_view payload) {
  FUZZ_CHECK(offset + storage::record_size(payload.size()) <= file.size());
  std::string again;
  storage::append_record(again, zxid, payload);
  FUZZ_CHECK(file.substr(offset, again.size()) == again, "record at %llu does not re-encode",
             static_cast<unsigned long long>(offset));
  // Recovery hands payloads to decode_txn; it must refuse or round-trip, never crash.
  Result<proto::Txn> txn = proto::decode_txn(payload);
  if (txn.is_ok()) FUZZ_CHECK(proto::decode_txn(proto::encode_txn(*txn)).is_ok());
}

void paddock_segment(uint8_t mode, std::string_view in) {
  std::string file;
  if (mode & 1) {
    file = storage::encode_segment_header(storage::SegmentHeader{7, kFirstZxid});
  }
  file.append(in);
  if (mode & 2) fix_crcs(file);
  storage::FaultInjectingEnv env;
  if (!env.create_dirs(kDir)) return;
  const std::string path = std::string(kDir) + "/" + storage::segment_file_name(kFirstZxid);
  env.set_contents(path, file);

  auto scan = storage::scan_segment_records(
      env, path, [&](uint64_t offset, int64_t zxid, std::string_view payload) {
        check_record(file, offset, zxid, payload);
        return true;
      });
  if (scan.is_ok()) FUZZ_CHECK(scan->end_offset <= file.size());

  storage::LogReadOptions options;
  auto count = [](int64_t, std::string_view) { return Status::ok(); };
  auto first = storage::recover_txn_log(env, kDir, options, count);
  if (!first.is_ok()) return;
  auto second = storage::recover_txn_log(env, kDir, options, count);
  FUZZ_CHECK(second.is_ok(), "recovery fails on what recovery left: %s", second.error().c_str());
  FUZZ_CHECK(second->truncated_bytes == 0, "recovery is not idempotent");
  FUZZ_CHECK(second->last_zxid == first->last_zxid);
  FUZZ_CHECK(second->records_visited == first->records_visited);
}

void zk_log(std::string_view in) {
  uint64_t last_offset = 0;
  auto scan = storage::scan_zk_log(in, [&](const storage::ZkLogRecord& r) {
    FUZZ_CHECK(r.offset >= last_offset && r.offset < in.size());
    FUZZ_CHECK(r.txn.data() >= in.data() && r.txn.data() + r.txn.size() <= in.data() + in.size());
    last_offset = r.offset + 1;
    Result<proto::Txn> txn = proto::decode_txn(r.txn);
    if (txn.is_ok()) FUZZ_CHECK(proto::decode_txn(proto::encode_txn(*txn)).is_ok());
    return Status::ok();
  });
  if (scan.is_ok()) FUZZ_CHECK(scan->end_offset <= in.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // recovery logs every torn tail it repairs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_view(data + 1, size - 1);
  if (data[0] & 4) {
    zk_log(in);
  } else {
    paddock_segment(data[0], in);
  }
  return 0;
}
