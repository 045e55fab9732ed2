#include "server/four_letter_words.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

namespace paddock::server {
namespace {

using pipeline::ConnectionSnapshot;
using pipeline::ServerSnapshot;

constexpr std::array<std::string_view, 18> kNames = {
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk",
    "srvr", "srst", "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash",
};

int64_t config_int(const ServerSnapshot& s, std::string_view key, int64_t fallback) {
  for (const auto& [k, v] : s.config) {
    if (k != key) continue;
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec == std::errc() && ptr == v.data() + v.size()) return out;
  }
  return fallback;
}

// ZooKeeper's per-connection average is a long division, printed as an integer.
int64_t connection_avg(const ConnectionSnapshot& c) {
  return static_cast<int64_t>(c.latency.avg_ms);
}

void append_connection(std::string& out, const ConnectionSnapshot& c, bool brief) {
  // Interest ops: ZooKeeper shows 1 (reading) for a client with a session and 0 for a
  // connection that is answering a four-letter word.
  int interest = c.session_id != 0 ? 1 : 0;
  fmt::format_to(std::back_inserter(out), " /{}[{}](queued={},recved={},sent={}",
                 java_socket_address(c.peer_ip, c.peer_port), interest, c.queued, c.received,
                 c.sent);
  if (!brief && c.session_id != 0) {
    fmt::format_to(std::back_inserter(out), ",sid=0x{},lop={},est={},to={}",
                   hex_long(c.session_id), c.last_op, c.established_ms, c.timeout_ms);
    if (c.last_cxid >= 0) fmt::format_to(std::back_inserter(out), ",lcxid=0x{:x}", c.last_cxid);
    fmt::format_to(std::back_inserter(out),
                   ",lzxid=0x{},lresp={},llat={},minlat={},avglat={},maxlat={}",
                   hex_long(c.last_zxid), c.last_response_ms, c.last_latency_ms,
                   c.latency.min_ms, connection_avg(c), c.latency.max_ms);
  }
  out += ")\n";
}

// The srvr lines after "Zookeeper version:", shared with stat.
void append_server_stats(std::string& out, const ServerSnapshot& s) {
  fmt::format_to(std::back_inserter(out),
                 "Latency min/avg/max: {}/{}/{}\n"
                 "Received: {}\n"
                 "Sent: {}\n"
                 "Connections: {}\n"
                 "Outstanding: {}\n"
                 "Zxid: 0x{}\n"
                 "Mode: {}\n"
                 "Node count: {}\n",
                 s.latency.min_ms, java_double(zk_rounded_average(s.latency.avg_ms)),
                 s.latency.max_ms, s.packets_received, s.packets_sent, s.connection_count,
                 s.outstanding_requests, hex_long(s.last_zxid), s.mode, s.node_count);
}

// ZooKeeper's expiry queues round deadlines up to the next tick.
int64_t expiry_bucket(int64_t now_ms, int64_t timeout_ms, int64_t tick_ms) {
  int64_t t = now_ms + timeout_ms;
  return tick_ms > 0 ? (t / tick_ms + 1) * tick_ms : t;
}

void append_session_sets(std::string& out, const ServerSnapshot& s, const HostFacts& facts,
                         int64_t tick) {
  std::map<int64_t, std::vector<int64_t>> buckets;
  for (const auto& [id, timeout] : s.sessions) {
    buckets[expiry_bucket(facts.now_ms, timeout, tick)].push_back(id);
  }
  fmt::format_to(std::back_inserter(out), "SessionTracker dump:\nSession Sets ({})/({}):\n",
                 buckets.size(), s.sessions.size());
  for (const auto& [when, ids] : buckets) {
    fmt::format_to(std::back_inserter(out), "{} expire at {}:\n", ids.size(), java_date(when));
    for (int64_t id : ids) fmt::format_to(std::back_inserter(out), "\t0x{}\n", hex_long(id));
  }
}

void append_connection_sets(std::string& out, const ServerSnapshot& s, const HostFacts& facts,
                            int64_t tick) {
  std::map<int64_t, std::vector<const ConnectionSnapshot*>> buckets;
  for (const auto& c : s.connections) {
    int64_t timeout = c.timeout_ms > 0 ? c.timeout_ms : 10 * tick;
    buckets[expiry_bucket(facts.now_ms, timeout, tick)].push_back(&c);
  }
  fmt::format_to(std::back_inserter(out), "Connections dump:\nConnections Sets ({})/({}):\n",
                 buckets.size(), s.connections.size());
  for (const auto& [when, conns] : buckets) {
    fmt::format_to(std::back_inserter(out), "{} expire at {}:\n", conns.size(), java_date(when));
    for (const auto* c : conns) {
      fmt::format_to(std::back_inserter(out), "\tip: /{} sessionId: 0x{}\n",
                     java_socket_address(c->peer_ip, c->peer_port), hex_long(c->session_id));
    }
  }
}

std::string trim_exponent_zeros(std::string_view exp) {
  // "e-04" -> "-4", "e+07" -> "7"
  bool negative = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
  while (exp.size() > 1 && exp[0] == '0') exp.remove_prefix(1);
  std::string out;  // built by appends: GCC 12 at -O3 warns falsely about "-" + std::string
  if (negative) out.push_back('-');
  out.append(exp);
  return out;
}

}  // namespace

std::optional<FourLetterWord> parse_four_letter_word(std::string_view first_four_bytes) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == first_four_bytes) return static_cast<FourLetterWord>(i);
  }
  return std::nullopt;
}

std::string_view four_letter_word_name(FourLetterWord word) {
  return kNames[static_cast<size_t>(word)];
}

bool four_letter_word_allowed(FourLetterWord word, const std::set<std::string>& whitelist) {
  return whitelist.count("*") > 0 || whitelist.count(std::string(four_letter_word_name(word))) > 0;
}

std::string not_in_whitelist_text(FourLetterWord word) {
  return fmt::format("{} is not executed because it is not in the whitelist.\n",
                     four_letter_word_name(word));
}

std::string not_serving_text() {
  return "This ZooKeeper instance is not currently serving requests\n";
}

bool four_letter_word_needs_snapshot(FourLetterWord word) {
  switch (word) {
    case FourLetterWord::kRuok:
    case FourLetterWord::kGtmk:
    case FourLetterWord::kStmk:
    case FourLetterWord::kHash:
    case FourLetterWord::kCrst:
    case FourLetterWord::kSrst:
      return false;
    default:
      return true;
  }
}

pipeline::SnapshotRequest four_letter_word_snapshot_request(FourLetterWord word) {
  pipeline::SnapshotRequest what;
  what.connections = word == FourLetterWord::kStat || word == FourLetterWord::kCons ||
                     word == FourLetterWord::kDump;
  what.sessions = what.ephemerals = word == FourLetterWord::kDump;
  what.watches = word == FourLetterWord::kWchc || word == FourLetterWord::kWchp;
  return what;
}

bool four_letter_word_needs_dir_sizes(FourLetterWord word) {
  return word == FourLetterWord::kDirs || word == FourLetterWord::kConf;
}

std::string format_four_letter_word(FourLetterWord word, const ServerSnapshot* snapshot,
                                    const HostFacts& facts) {
  switch (word) {
    case FourLetterWord::kRuok: return std::string(kRuokAnswer);
    case FourLetterWord::kCrst: return std::string(kCrstAnswer);
    case FourLetterWord::kSrst: return std::string(kSrstAnswer);
    case FourLetterWord::kGtmk:
    case FourLetterWord::kStmk: return std::to_string(facts.trace_mask);
    case FourLetterWord::kHash: return "";  // no digest history is kept
    default: break;
  }
  if (snapshot == nullptr) return not_serving_text();
  const ServerSnapshot& s = *snapshot;
  // An ensemble member between leaders answers as ZooKeeper's does while its server is
  // down: envi still answers, isro says "null", the rest say it is not serving.
  if (!s.serving && word != FourLetterWord::kEnvi) {
    return word == FourLetterWord::kIsro ? std::string("null") : not_serving_text();
  }
  switch (word) {
    case FourLetterWord::kSrvr: return format_srvr(s);
    case FourLetterWord::kStat: return format_stat(s);
    case FourLetterWord::kCons: return format_cons(s);
    case FourLetterWord::kConf: return format_conf(s, facts);
    case FourLetterWord::kEnvi: return format_envi(s, facts);
    case FourLetterWord::kMntr: return format_mntr(s, facts);
    case FourLetterWord::kWchs: return format_wchs(s);
    case FourLetterWord::kWchc: return format_wchc(s);
    case FourLetterWord::kWchp: return format_wchp(s);
    case FourLetterWord::kDump: return format_dump(s, facts);
    case FourLetterWord::kDirs: return format_dirs(facts);
    case FourLetterWord::kIsro: return format_isro(s);
    default: return "";
  }
}

std::string format_srvr(const ServerSnapshot& s) {
  std::string out = fmt::format("Zookeeper version: {}\n", s.version);
  append_server_stats(out, s);
  return out;
}

std::string format_stat(const ServerSnapshot& s) {
  std::string out = fmt::format("Zookeeper version: {}\nClients:\n", s.version);
  for (const auto& c : s.connections) append_connection(out, c, /*brief=*/true);
  out += "\n";
  append_server_stats(out, s);
  return out;
}

std::string format_cons(const ServerSnapshot& s) {
  std::string out;
  for (const auto& c : s.connections) append_connection(out, c, /*brief=*/false);
  out += "\n";
  return out;
}

std::string format_conf(const ServerSnapshot& s, const HostFacts& facts) {
  bool has_data_size = false, has_log_size = false;
  for (const auto& [k, v] : s.config) {
    has_data_size |= k == "dataDirSize";
    has_log_size |= k == "dataLogSize";
  }
  std::string out;
  for (const auto& [k, v] : s.config) {
    fmt::format_to(std::back_inserter(out), "{}={}\n", k, v);
    // ZooKeeper prints each directory's size right after it.
    if (k == "dataDir" && !has_data_size) {
      fmt::format_to(std::back_inserter(out), "dataDirSize={}\n", facts.data_dir_bytes);
    } else if (k == "dataLogDir" && !has_log_size) {
      fmt::format_to(std::back_inserter(out), "dataLogSize={}\n", facts.data_log_dir_bytes);
    }
  }
  return out;
}

std::string format_envi(const ServerSnapshot& s, const HostFacts& facts) {
  std::string out = fmt::format("Environment:\nzookeeper.version={}\n", s.version);
  for (const auto& [k, v] : facts.environment) fmt::format_to(std::back_inserter(out), "{}={}\n", k, v);
  return out;
}

std::vector<std::pair<std::string, MetricValue>> monitor_metrics(const ServerSnapshot& s,
                                                                 const HostFacts& facts) {
  return flatten_for_mntr(collect_metrics(s, facts));
}

std::string format_mntr(const ServerSnapshot& s, const HostFacts& facts) {
  std::string out;
  for (const auto& [key, value] : monitor_metrics(s, facts)) {
    out += "zk_";
    out += key;
    out += '\t';
    if (const auto* i = std::get_if<int64_t>(&value)) {
      out += std::to_string(*i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      out += java_double(*d);
    } else {
      out += std::get<std::string>(value);
    }
    out += '\n';
  }
  return out;
}

WatchSummary watch_summary(const ServerSnapshot& s) {
  return WatchSummary{s.watching_connections, s.watched_paths, s.data_watch_count};
}

// Pieces may repeat a watch (a rehash restarts the pipeline's walk): grouping dedupes.
// Grouped by sorting pointers to the entries once (no node per watch), then deduped.
std::map<int64_t, std::vector<std::string>> watches_by_session(const ServerSnapshot& s) {
  std::vector<const pipeline::WatchSnapshot*> order;
  order.reserve(s.watches.size());
  for (const auto& w : s.watches) order.push_back(&w);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->session_id, a->path) < std::tie(b->session_id, b->path);
  });
  std::map<int64_t, std::vector<std::string>> out;
  std::vector<std::string>* paths = nullptr;
  int64_t current = 0;
  for (const auto* w : order) {
    if (paths == nullptr || w->session_id != current) {
      current = w->session_id;
      paths = &out.emplace_hint(out.end(), current, std::vector<std::string>{})->second;
    }
    if (paths->empty() || paths->back() != w->path) paths->push_back(w->path);
  }
  return out;
}

std::map<std::string, std::vector<int64_t>> watches_by_path(const ServerSnapshot& s) {
  std::vector<const pipeline::WatchSnapshot*> order;
  order.reserve(s.watches.size());
  for (const auto& w : s.watches) order.push_back(&w);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return std::tie(a->path, a->connection) < std::tie(b->path, b->connection);
  });
  std::map<std::string, std::vector<int64_t>> out;
  std::vector<int64_t>* ids = nullptr;
  const std::string* current = nullptr;
  const pipeline::WatchSnapshot* last = nullptr;
  for (const auto* w : order) {
    if (current == nullptr || w->path != *current) {
      current = &w->path;
      ids = &out.emplace_hint(out.end(), w->path, std::vector<int64_t>{})->second;
      last = nullptr;
    }
    if (last == nullptr || last->connection != w->connection) ids->push_back(w->session_id);
    last = w;
  }
  return out;
}

std::map<int64_t, std::vector<std::string>> ephemerals_by_session(const ServerSnapshot& s) {
  std::map<int64_t, std::vector<std::string>> out;
  for (const auto& e : s.ephemerals) out[e.session_id].push_back(e.path);
  return out;
}

std::string format_wchs(const ServerSnapshot& s) {
  WatchSummary w = watch_summary(s);
  return fmt::format("{} connections watching {} paths\nTotal watches:{}\n", w.connections,
                     w.paths, w.watches);
}

std::string format_wchc(const ServerSnapshot& s) {
  std::string out;
  for (const auto& [session, paths] : watches_by_session(s)) {
    fmt::format_to(std::back_inserter(out), "0x{}\n", hex_long(session));
    for (const auto& p : paths) fmt::format_to(std::back_inserter(out), "\t{}\n", p);
  }
  out += "\n";
  return out;
}

std::string format_wchp(const ServerSnapshot& s) {
  std::string out;
  for (const auto& [path, sessions] : watches_by_path(s)) {
    fmt::format_to(std::back_inserter(out), "{}\n", path);
    for (int64_t id : sessions) fmt::format_to(std::back_inserter(out), "\t0x{}\n", hex_long(id));
  }
  out += "\n";
  return out;
}

std::string format_dump(const ServerSnapshot& s, const HostFacts& facts) {
  int64_t tick = config_int(s, "tickTime", 2000);
  std::string out;
  append_session_sets(out, s, facts, tick);
  const auto ephemerals = ephemerals_by_session(s);
  size_t with_ephemerals = 0;
  for (const auto& [id, paths] : ephemerals) with_ephemerals += !paths.empty();
  fmt::format_to(std::back_inserter(out), "ephemeral nodes dump:\nSessions with Ephemerals ({}):\n",
                 with_ephemerals);
  for (const auto& [id, paths] : ephemerals) {
    if (paths.empty()) continue;
    fmt::format_to(std::back_inserter(out), "0x{}:\n", hex_long(id));
    for (const auto& p : paths) fmt::format_to(std::back_inserter(out), "\t{}\n", p);
  }
  append_connection_sets(out, s, facts, tick);
  return out;
}

std::string format_dirs(const HostFacts& facts) {
  return fmt::format("datadir_size: {}\nlogdir_size: {}\n", facts.data_dir_bytes,
                     facts.data_log_dir_bytes);
}

std::string format_isro(const ServerSnapshot& s) { return s.read_only ? "ro" : "rw"; }

double zk_rounded_average(double v) {
  if (!std::isfinite(v)) return 0;
  // BigDecimal.setScale(4, HALF_UP): ties (exact in binary, like 1/32) round away from zero.
  long double scaled = static_cast<long double>(v) * 10000.0L;
  long double rounded = v >= 0 ? std::floor(scaled + 0.5L) : -std::floor(-scaled + 0.5L);
  return static_cast<double>(rounded / 10000.0L);
}

std::string java_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e7) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
    std::string out(buf, end);
    if (out.find('.') == std::string::npos) out += ".0";
    return out;
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  size_t e = sci.find('e');
  std::string mantissa(sci.substr(0, e));
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  return mantissa + "E" + trim_exponent_zeros(sci.substr(e + 1));
}

std::string java_socket_address(std::string_view ip, uint16_t port) {
  if (ip.find(':') == std::string_view::npos) return fmt::format("{}:{}", ip, port);
  // Java prints IPv6 uncompressed, each group without leading zeros, in brackets.
  std::array<uint16_t, 8> groups{};
  std::string_view text = ip.substr(0, ip.find('%'));
  size_t gap = text.find("::");
  auto parse = [](std::string_view part, std::vector<uint16_t>& into) {
    while (!part.empty()) {
      size_t colon = part.find(':');
      std::string_view g = part.substr(0, colon);
      uint16_t value = 0;
      std::from_chars(g.data(), g.data() + g.size(), value, 16);
      into.push_back(value);
      if (colon == std::string_view::npos) break;
      part.remove_prefix(colon + 1);
    }
  };
  std::vector<uint16_t> head, tail;
  if (gap == std::string_view::npos) {
    parse(text, head);
  } else {
    parse(text.substr(0, gap), head);
    parse(text.substr(gap + 2), tail);
  }
  for (size_t i = 0; i < head.size() && i < 8; ++i) groups[i] = head[i];
  for (size_t i = 0; i < tail.size() && i < 8; ++i) groups[8 - tail.size() + i] = tail[i];
  return fmt::format("[{:x}]:{}", fmt::join(groups, ":"), port);
}

std::string hex_long(int64_t v) { return fmt::format("{:x}", static_cast<uint64_t>(v)); }

std::string java_date(int64_t ms_since_epoch) {
  std::time_t secs = static_cast<std::time_t>(ms_since_epoch / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

std::string zookeeper_compatible_version(std::string_view paddock_version,
                                         std::string_view build_date) {
  return fmt::format("3.8.0-paddock-{}, built on {}", paddock_version, build_date);
}

}  // namespace paddock::server
