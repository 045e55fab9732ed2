// `paddock log dump FILE [--json] [--limit N]`: prints the txns of one log file, Paddock's
// own segment (paddock-log/log.<zxid>) or Apache ZooKeeper's (version-2/log.<hex>), told
// apart by their magic. Exit code 0 when the file reads cleanly to its end, 1 when it holds
// damage (reported with its offset after the records before it), 2 when it cannot be read.
#include <fmt/format.h>

#include <iostream>

#include "app/cli_command.h"
#include "app/cli_dump_format.h"
#include "proto/txn.h"
#include "storage/log_format.h"
#include "storage/log_reader.h"
#include "storage/posix_env.h"
#include "storage/zk_files.h"

namespace paddock::app {
namespace {

struct LogDump {
  std::string format;
  nlohmann::json header;
  nlohmann::json records = nlohmann::json::array();
  uint64_t count = 0;
  uint64_t end_offset = 0;
  std::string problem;  // empty: clean
};

struct DumpOptions {
  std::string file;
  bool json = false;
  uint64_t limit = 0;  // 0: all
};

// One record: printed at once in text mode, collected in JSON mode.
void emit(LogDump& d, const DumpOptions& o, uint64_t offset, std::string_view payload) {
  ++d.count;
  if (o.limit != 0 && d.count > o.limit) return;
  auto txn = proto::decode_txn(payload);
  if (o.json) {
    nlohmann::json j = txn ? txn_json(*txn) : nlohmann::json{{"undecodable", txn.error()}};
    j["offset"] = offset;
    j["bytes"] = payload.size();
    d.records.push_back(std::move(j));
  } else {
    std::cout << fmt::format("offset={} bytes={} ", offset, payload.size())
              << (txn ? describe_txn(*txn) : "UNDECODABLE " + txn.error()) << "\n";
  }
}

Status dump_paddock(storage::Env& env, const std::string& bytes, const DumpOptions& o, LogDump& d) {
  d.format = "paddock";
  auto header = storage::decode_segment_header(
      std::string_view(bytes).substr(0, storage::kSegmentHeaderSize));
  if (header && !o.json) {
    std::cout << fmt::format("paddock log segment first_zxid={} dbid={}\n",
                             hex_zxid(header->first_zxid), header->dbid);
  }
  auto scan = storage::scan_segment_file(
      env, o.file,
      [&](uint64_t off, int64_t, std::string_view payload) { emit(d, o, off, payload); });
  if (!scan) return scan.status();
  d.header = {{"dbid", scan->header.dbid}, {"first_zxid", scan->header.first_zxid}};
  d.end_offset = scan->end_offset;
  d.problem = scan->problem;
  return Status::ok();
}

Status dump_zookeeper(const std::string& bytes, const DumpOptions& o, LogDump& d) {
  d.format = "zookeeper";
  auto scan = storage::scan_zk_log(bytes, [&](const storage::ZkLogRecord& r) {
    emit(d, o, r.offset, r.txn);
    return Status::ok();
  });
  if (!scan) {
    d.problem = scan.error();
    return Status::ok();
  }
  d.header = {{"dbid", scan->dbid}};
  d.end_offset = scan->end_offset;
  d.problem = scan->tail_problem;
  return Status::ok();
}

int run_dump(const DumpOptions& o) {
  storage::PosixEnv env;
  auto bytes = env.read_file(o.file);
  if (!bytes) {
    std::cerr << bytes.error() << "\n";
    return 2;
  }
  LogDump d;
  Status st;
  if (bytes->size() >= 4 && storage::get_u32(bytes->data()) == storage::kSegmentMagic) {
    st = dump_paddock(env, *bytes, o, d);
  } else if (bytes->size() >= 4 && bytes->substr(0, 4) == "ZKLG") {
    st = dump_zookeeper(*bytes, o, d);
  } else {
    st = Status::error("not a Paddock or ZooKeeper txn log (unknown magic)");
  }
  if (!st) {
    std::cerr << o.file << ": " << st.message() << "\n";
    return 2;
  }
  if (o.json) {
    std::cout << dump_json({{"file", o.file},
                            {"format", d.format},
                            {"header", d.header},
                            {"record_count", d.count},
                            {"records", d.records},
                            {"end_offset", d.end_offset},
                            {"problem", d.problem.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(d.problem)}})
              << "\n";
  } else {
    std::cout << fmt::format("{} records, data ends at offset {}{}\n", d.count, d.end_offset,
                             d.problem.empty() ? "" : "; DAMAGE: " + d.problem);
  }
  return d.problem.empty() ? 0 : 1;
}

}  // namespace

void add_log_commands(CLI::App& app, CommandAction& action) {
  CLI::App* log = app.add_subcommand("log", "inspect txn log files");
  log->require_subcommand(1);
  auto options = std::make_shared<DumpOptions>();
  CLI::App* dump = log->add_subcommand(
      "dump", "print the txns of a Paddock or ZooKeeper log file (exit 1 if it is damaged)");
  dump->add_option("FILE", options->file, "log file")->required();
  dump->add_flag("--json", options->json, "print JSON");
  dump->add_option("--limit", options->limit, "print at most this many records (0: all)");
  dump->callback([options, &action] { action = [options] { return run_dump(*options); }; });
}

}  // namespace paddock::app
