#pragma once
// ZooKeeper's four-letter words: recognising them and formatting their answers from a
// ServerSnapshot, byte for byte as Apache ZooKeeper 3.8 prints them where a client could
// parse them (captures of the real server are in testdata/zk38/). Pure: no I/O, no clock;
// what the snapshot lacks (clock, descriptors, directory sizes) comes in as HostFacts.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "pipeline/server_snapshot.h"
#include "server/host_facts.h"
#include "server/metrics.h"

namespace paddock::server {

enum class FourLetterWord {
  kConf, kCons, kCrst, kDirs, kDump, kEnvi, kGtmk, kRuok, kStmk,
  kSrvr, kSrst, kStat, kWchc, kWchp, kWchs, kMntr, kIsro, kHash,
};

// The command the first 4 bytes of a connection spell, if they spell one.
std::optional<FourLetterWord> parse_four_letter_word(std::string_view first_four_bytes);
std::string_view four_letter_word_name(FourLetterWord word);

bool four_letter_word_allowed(FourLetterWord word, const std::set<std::string>& whitelist);
// "<cmd> is not executed because it is not in the whitelist.\n" (ruok included).
std::string not_in_whitelist_text(FourLetterWord word);
// Answer when no snapshot can be had (the pipeline is not serving).
std::string not_serving_text();

// Whether the answer needs a snapshot from the pipeline (ruok, gtmk, stmk, hash, crst and
// srst do not).
bool four_letter_word_needs_snapshot(FourLetterWord word);
// The tables the answer lists, besides the counters every snapshot has: connections for
// stat and cons; sessions, ephemerals and connections for dump; watches for wchc and wchp.
// The rest (srvr, mntr, wchs, conf, envi, isro) need counters only.
pipeline::SnapshotRequest four_letter_word_snapshot_request(FourLetterWord word);
// Whether HostFacts must include directory sizes (dirs, conf).
bool four_letter_word_needs_dir_sizes(FourLetterWord word);

// The answer to a command. `snapshot` may be null only for words that need none. For stmk,
// facts.trace_mask is the mask just set.
std::string format_four_letter_word(FourLetterWord word, const pipeline::ServerSnapshot* snapshot,
                                    const HostFacts& facts);

// The individual formatters (exposed for tests and for the admin endpoint).
std::string format_srvr(const pipeline::ServerSnapshot& s);
std::string format_stat(const pipeline::ServerSnapshot& s);
std::string format_cons(const pipeline::ServerSnapshot& s);
std::string format_conf(const pipeline::ServerSnapshot& s, const HostFacts& facts);
std::string format_envi(const pipeline::ServerSnapshot& s, const HostFacts& facts);
std::string format_mntr(const pipeline::ServerSnapshot& s, const HostFacts& facts);
std::string format_wchs(const pipeline::ServerSnapshot& s);
std::string format_wchc(const pipeline::ServerSnapshot& s);
std::string format_wchp(const pipeline::ServerSnapshot& s);
std::string format_dump(const pipeline::ServerSnapshot& s, const HostFacts& facts);
std::string format_dirs(const HostFacts& facts);
std::string format_isro(const pipeline::ServerSnapshot& s);
inline constexpr std::string_view kRuokAnswer = "imok";
inline constexpr std::string_view kCrstAnswer = "Connection stats reset.\n";
inline constexpr std::string_view kSrstAnswer = "Server stats reset.\n";

// mntr's metrics in print order (zk_version and zk_server_state first), without the "zk_"
// prefix: collect_metrics (metrics.h) flattened as ZooKeeper's mntr prints summaries. The
// admin endpoint's "monitor" prints the same keys as JSON, /metrics the same metrics.
std::vector<std::pair<std::string, MetricValue>> monitor_metrics(const pipeline::ServerSnapshot& s,
                                                                 const HostFacts& facts);

// Watch summary as wchs counts it: sessions with watches, distinct paths, total watches.
struct WatchSummary {
  uint64_t connections = 0;
  uint64_t paths = 0;
  uint64_t watches = 0;
};
WatchSummary watch_summary(const pipeline::ServerSnapshot& s);

// The listed tables grouped as ZooKeeper prints them (shared with the admin endpoint):
// a session's watched paths sorted; a path's sessions in the order their connections were
// opened; a session's ephemerals sorted. Sessions and paths in ascending order.
std::map<int64_t, std::vector<std::string>> watches_by_session(const pipeline::ServerSnapshot& s);
std::map<std::string, std::vector<int64_t>> watches_by_path(const pipeline::ServerSnapshot& s);
std::map<int64_t, std::vector<std::string>> ephemerals_by_session(
    const pipeline::ServerSnapshot& s);

// Formatting as Java prints it, so parsers written against ZooKeeper keep working.
std::string java_double(double v);                 // Double.toString: 0.0, 1.6667, 1.0E-4
double zk_rounded_average(double v);               // ZooKeeper rounds averages to 4 places
std::string java_socket_address(std::string_view ip, uint16_t port);  // 127.0.0.1:5, [0:..:1]:5
std::string hex_long(int64_t v);                   // Long.toHexString: ffffffffffffffff for -1
std::string java_date(int64_t ms_since_epoch);     // Date.toString in UTC

// The version string Paddock reports: "3.8.0-paddock-<version>, built on <date>". Clients
// (kazoo's server_version) parse the leading digits, so they see 3.8.0.
std::string zookeeper_compatible_version(std::string_view paddock_version,
                                         std::string_view build_date);

}  // namespace paddock::server
