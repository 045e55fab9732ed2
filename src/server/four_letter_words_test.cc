#include "server/four_letter_words.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "server/test_support.h"

namespace paddock::server {
namespace {

using pipeline::ConnectionSnapshot;
using pipeline::ServerSnapshot;
using testing::read_fixture;

constexpr std::string_view kZkVersion = "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC";
constexpr int64_t kSessionA = 0x1000009b4620000;
constexpr int64_t kSessionB = 0x1000009b4620001;

// Hand-written matchers: std::regex trips GCC 12's maybe-uninitialized warning under the
// sanitizer builds.
bool all_of_chars(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}
constexpr std::string_view kDigits = "0123456789";

// "zk_<lowercase key>\t<value>" (digits in p50_, p999_)
bool is_mntr_line(std::string_view line) {
  size_t tab = line.find('\t');
  return line.starts_with("zk_") && tab != std::string_view::npos && tab + 1 < line.size() &&
         all_of_chars(line.substr(3, tab - 3), "abcdefghijklmnopqrstuvwxyz_0123456789");
}

// "\tip: /127.0.0.1:<port> sessionId: 0x<hex>"
bool is_dump_connection_line(std::string_view line) {
  constexpr std::string_view kPrefix = "\tip: /127.0.0.1:";
  constexpr std::string_view kMiddle = " sessionId: 0x";
  size_t mid = line.find(kMiddle);
  if (!line.starts_with(kPrefix) || mid == std::string_view::npos) return false;
  return all_of_chars(line.substr(kPrefix.size(), mid - kPrefix.size()), kDigits) &&
         all_of_chars(line.substr(mid + kMiddle.size()), "0123456789abcdef");
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The fixture server's state (testdata/zk38/*.txt were captured with it).
ServerSnapshot fixture_snapshot() {
  ServerSnapshot s;
  s.version = std::string(kZkVersion);
  s.latency = {0, 6, 5.0 / 3.0, 3};
  s.packets_received = 13;
  s.packets_sent = 12;
  s.last_zxid = 5;
  s.node_count = 8;
  ConnectionSnapshot a;
  a.peer_ip = "127.0.0.1";
  a.peer_port = 35854;
  a.session_id = kSessionA;
  a.timeout_ms = 10000;
  a.received = 10;
  a.sent = 10;
  a.last_op = "EXIS";
  a.last_cxid = 9;
  a.last_zxid = 4;
  a.established_ms = 1795445609067;
  a.last_response_ms = 636247;
  a.latency = {0, 6, 1.4, 10};
  ConnectionSnapshot fourlw;
  fourlw.peer_ip = "127.0.0.1";
  fourlw.peer_port = 35898;
  fourlw.received = 1;
  ConnectionSnapshot b;
  b.peer_ip = "127.0.0.1";
  b.peer_port = 35864;
  b.session_id = kSessionB;
  b.timeout_ms = 10000;
  b.received = 2;
  b.sent = 2;
  b.last_op = "GETD";
  b.last_cxid = 1;
  b.last_zxid = 5;
  b.established_ms = 1795445609108;
  b.last_response_ms = 636253;
  b.latency = {0, 1, 0.5, 2};
  a.id = 1;
  fourlw.id = 2;
  b.id = 3;
  s.connections = {a, fourlw, b};
  s.connection_count = 3;
  s.sessions = {{kSessionA, 10000}, {kSessionB, 10000}};
  s.session_count = 2;
  s.ephemerals = {{kSessionA, "/app/eph"}};
  // As pieces deliver them: in no order, and one repeated (a rehash restarted the walk).
  s.watches = {{kSessionA, a.id, "/app/none"},
               {kSessionB, b.id, "/app/a"},
               {kSessionA, a.id, "/app/a"},
               {kSessionA, a.id, "/app/none"}};
  s.data_watch_count = 3;
  s.watched_paths = 2;
  s.watching_connections = 2;
  return s;
}

TEST(FourLetterWordsTest, ParsesEveryZooKeeperWordAndNothingElse) {
  for (std::string_view w : {"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok",
                             "stmk", "srvr", "srst", "stat", "wchc", "wchp", "wchs", "mntr",
                             "isro", "hash"}) {
    auto parsed = parse_four_letter_word(w);
    ASSERT_TRUE(parsed.has_value()) << w;
    EXPECT_EQ(four_letter_word_name(*parsed), w);
  }
  EXPECT_FALSE(parse_four_letter_word("abcd"));
  EXPECT_FALSE(parse_four_letter_word("RUOK"));
  EXPECT_FALSE(parse_four_letter_word(std::string_view("\0\0\0\x10", 4)));
}

TEST(FourLetterWordsTest, WhitelistStarAllowsEverythingOtherwiseOnlyListed) {
  EXPECT_TRUE(four_letter_word_allowed(FourLetterWord::kMntr, {"*"}));
  EXPECT_TRUE(four_letter_word_allowed(FourLetterWord::kSrvr, {"srvr"}));
  EXPECT_FALSE(four_letter_word_allowed(FourLetterWord::kRuok, {"srvr"}));
  EXPECT_EQ(not_in_whitelist_text(FourLetterWord::kRuok), read_fixture("not_whitelisted_ruok.txt"));
}

TEST(FourLetterWordsTest, SrvrMatchesZooKeeperByteForByte) {
  EXPECT_EQ(format_srvr(fixture_snapshot()), read_fixture("srvr.txt"));
}

TEST(FourLetterWordsTest, StatListsClientsBrieflyThenTheSrvrLines) {
  ServerSnapshot s = fixture_snapshot();
  s.packets_received = 14;
  s.packets_sent = 13;
  // The fixture's stat connection was a different four-letter-word connection, listed first.
  s.connections = {s.connections[1], s.connections[0], s.connections[2]};
  s.connections[0].peer_port = 35896;
  EXPECT_EQ(format_stat(s), read_fixture("stat.txt"));
}

TEST(FourLetterWordsTest, ConsMatchesZooKeeperByteForByte) {
  EXPECT_EQ(format_cons(fixture_snapshot()), read_fixture("cons.txt"));
}

TEST(FourLetterWordsTest, ConsOmitsLastCxidBeforeAnyRequestAndPrintsNegativeZxidAsUnsigned) {
  ServerSnapshot s;
  ConnectionSnapshot c;
  c.peer_ip = "::1";
  c.peer_port = 48860;
  c.session_id = 0x100000926510000;
  c.timeout_ms = 10000;
  c.last_cxid = -1;
  c.last_zxid = -1;
  s.connections = {c};
  EXPECT_EQ(format_cons(s),
            " /[0:0:0:0:0:0:0:1]:48860[1](queued=0,recved=0,sent=0,sid=0x100000926510000,"
            "lop=NA,est=0,to=10000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,"
            "maxlat=0)\n\n");
}

TEST(FourLetterWordsTest, WatchWordsMatchZooKeeperUpToHashOrder) {
  ServerSnapshot s = fixture_snapshot();
  EXPECT_EQ(format_wchs(s), read_fixture("wchs.txt"));
  // ZooKeeper lists sessions and paths in hash order; ours is sorted. Compare as sets of
  // blocks, each with its lines after the first as a set, and our exact text.
  auto blocks = [](std::string text) {
    // Both end with an empty line after the last block.
    EXPECT_TRUE(text.ends_with("\n\n")) << text;
    text.pop_back();
    std::multiset<std::multiset<std::string>> out;
    std::multiset<std::string> block;
    for (const auto& line : lines(text)) {
      if (!line.empty() && line[0] != '\t' && !block.empty()) {
        out.insert(block);
        block.clear();
      }
      block.insert(line);
    }
    out.insert(block);
    return out;
  };
  EXPECT_EQ(blocks(format_wchc(s)), blocks(read_fixture("wchc.txt")));
  EXPECT_EQ(blocks(format_wchp(s)), blocks(read_fixture("wchp.txt")));
  EXPECT_EQ(format_wchc(s),
            "0x1000009b4620000\n\t/app/a\n\t/app/none\n0x1000009b4620001\n\t/app/a\n\n");
  EXPECT_EQ(format_wchp(s),
            "/app/a\n\t0x1000009b4620000\n\t0x1000009b4620001\n/app/none\n\t0x1000009b4620000\n\n");
  EXPECT_EQ(format_wchc(ServerSnapshot{}), "\n");
}

TEST(FourLetterWordsTest, ConfPrintsConfigInOrderWithDirectorySizesAfterEachDirectory) {
  ServerSnapshot s;
  for (const auto& line : lines(read_fixture("conf.txt"))) {
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    if (key == "dataDirSize" || key == "dataLogSize") continue;
    s.config.emplace_back(key, line.substr(eq + 1));
  }
  HostFacts facts;
  facts.data_dir_bytes = 67109337;
  facts.data_log_dir_bytes = 67109337;
  EXPECT_EQ(format_conf(s, facts), read_fixture("conf.txt"));
}

TEST(FourLetterWordsTest, DirsMatchesZooKeeper) {
  HostFacts facts;
  facts.data_dir_bytes = 67109337;
  facts.data_log_dir_bytes = 67109337;
  EXPECT_EQ(format_dirs(facts), read_fixture("dirs.txt"));
}

TEST(FourLetterWordsTest, EnviHasZooKeepersHeaderAndKeysAndKazooReadsVersion38) {
  ServerSnapshot s;
  s.version = zookeeper_compatible_version("0.1.0", "2026-01-01 00:00 UTC");
  HostFacts facts = collect_host_facts(0, "", "", false);
  std::string out = format_envi(s, facts);
  auto ours = lines(out);
  ASSERT_GE(ours.size(), 3u);
  EXPECT_EQ(ours[0], "Environment:");
  EXPECT_EQ(ours[1], "zookeeper.version=3.8.0-paddock-0.1.0, built on 2026-01-01 00:00 UTC");
  std::set<std::string> zk_keys;
  for (const auto& line : lines(read_fixture("envi.txt"))) zk_keys.insert(line.substr(0, line.find('=')));
  for (size_t i = 1; i < ours.size(); ++i) {
    EXPECT_TRUE(zk_keys.count(ours[i].substr(0, ours[i].find('=')))) << ours[i];
  }
  // kazoo's server_version: split on the first '=', then the leading digits and dots.
  std::string version = ours[1].substr(ours[1].find('=') + 1);
  EXPECT_EQ(version.substr(0, version.find_first_not_of("0123456789.")), "3.8.0");
}

TEST(FourLetterWordsTest, MntrStartsWithVersionAndStateAndUsesZooKeeperKeysOrPaddocksPrefix) {
  HostFacts facts;
  facts.open_file_descriptors = 48;
  facts.max_file_descriptors = 20000;
  std::string out = format_mntr(fixture_snapshot(), facts);
  auto ours = lines(out);
  ASSERT_GE(ours.size(), 2u);
  EXPECT_EQ(ours[0], "zk_version\t" + std::string(kZkVersion));
  EXPECT_EQ(ours[1], "zk_server_state\tstandalone");
  std::set<std::string> zk_keys, our_keys;
  for (const auto& line : lines(read_fixture("mntr.txt"))) zk_keys.insert(line.substr(0, line.find('\t')));
  for (const auto& line : ours) {
    EXPECT_TRUE(is_mntr_line(line)) << line;
    std::string key = line.substr(0, line.find('\t'));
    // Paddock's own metrics carry its prefix (summaries after ZooKeeper's avg_, p99_, ...).
    const bool paddocks_own = key.find("paddock_") != std::string::npos;
    EXPECT_TRUE(zk_keys.count(key) || paddocks_own) << key << " is not a ZooKeeper 3.8 mntr key";
    our_keys.insert(key);
  }
  for (const char* required :
       {"zk_version", "zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
        "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
        "zk_server_state", "zk_znode_count", "zk_watch_count", "zk_ephemerals_count",
        "zk_approximate_data_size", "zk_open_file_descriptor_count",
        "zk_max_file_descriptor_count", "zk_uptime", "zk_global_sessions", "zk_p99_readlatency",
        "zk_p999_updatelatency", "zk_cnt_fsynctime", "zk_avg_snapshottime",
        "zk_max_sync_processor_batch_size"}) {
    EXPECT_TRUE(our_keys.count(required)) << required;
  }
  EXPECT_NE(out.find("zk_avg_latency\t1.6667\n"), std::string::npos);
  EXPECT_NE(out.find("zk_num_alive_connections\t3\n"), std::string::npos);
}

TEST(FourLetterWordsTest, DumpHasZooKeepersSectionsAndLineShapes) {
  HostFacts facts;
  facts.now_ms = 1795445610000;
  ServerSnapshot s = fixture_snapshot();
  s.config = {{"tickTime", "2000"}};
  std::string out = format_dump(s, facts);
  std::string expected_sessions =
      "SessionTracker dump:\nSession Sets (1)/(2):\n2 expire at Mon Nov 23 14:53:42 UTC 2026:\n"
      "\t0x1000009b4620000\n\t0x1000009b4620001\n";
  EXPECT_TRUE(out.starts_with(expected_sessions)) << out;
  EXPECT_NE(out.find("ephemeral nodes dump:\nSessions with Ephemerals (1):\n"
                     "0x1000009b4620000:\n\t/app/eph\nConnections dump:\n"),
            std::string::npos)
      << out;
  int conn_lines = 0;
  for (const auto& line : lines(out)) conn_lines += is_dump_connection_line(line);
  EXPECT_EQ(conn_lines, 3);
  // The same shapes as ZooKeeper's own dump.
  for (const auto& line : lines(read_fixture("dump.txt"))) {
    if (line.starts_with("\tip: ")) {
      EXPECT_TRUE(is_dump_connection_line(line)) << line;
    }
  }
}

TEST(FourLetterWordsTest, FixedAnswersMatchZooKeeper) {
  HostFacts facts;
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kRuok, nullptr, facts), read_fixture("ruok.txt"));
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kCrst, nullptr, facts), read_fixture("crst.txt"));
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kSrst, nullptr, facts), read_fixture("srst.txt"));
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kGtmk, nullptr, facts), read_fixture("gtmk.txt"));
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kHash, nullptr, facts), read_fixture("hash.txt"));
  ServerSnapshot s;
  EXPECT_EQ(format_four_letter_word(FourLetterWord::kIsro, &s, facts), read_fixture("isro.txt"));
  s.read_only = true;
  EXPECT_EQ(format_isro(s), "ro");
}

TEST(FourLetterWordsTest, JavaNumberFormatting) {
  EXPECT_EQ(java_double(0.0), "0.0");
  EXPECT_EQ(java_double(2.0), "2.0");
  EXPECT_EQ(java_double(1.5), "1.5");
  EXPECT_EQ(java_double(1.6667), "1.6667");
  EXPECT_EQ(java_double(12345.25), "12345.25");
  EXPECT_EQ(java_double(0.0001), "1.0E-4");
  EXPECT_EQ(java_double(1.0e7), "1.0E7");
  EXPECT_DOUBLE_EQ(zk_rounded_average(5.0 / 3.0), 1.6667);
  EXPECT_DOUBLE_EQ(zk_rounded_average(1.0 / 32.0), 0.0313);  // HALF_UP on an exact tie
  EXPECT_EQ(hex_long(-1), "ffffffffffffffff");
  EXPECT_EQ(hex_long(0x1000009b4620000), "1000009b4620000");
  EXPECT_EQ(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
}

TEST(FourLetterWordsTest, SocketAddressesPrintAsJavaDoes) {
  EXPECT_EQ(java_socket_address("127.0.0.1", 2181), "127.0.0.1:2181");
  EXPECT_EQ(java_socket_address("::1", 5), "[0:0:0:0:0:0:0:1]:5");
  EXPECT_EQ(java_socket_address("fe80::a:b", 7), "[fe80:0:0:0:0:0:a:b]:7");
  EXPECT_EQ(java_socket_address("2001:db8:0:0:1:0:0:1", 9), "[2001:db8:0:0:1:0:0:1]:9");
}

}  // namespace
}  // namespace paddock::server
