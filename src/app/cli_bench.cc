// `paddock bench`: the load generator (src/bench/). Parses flags into BenchOptions, runs
// one mode, prints a report (or one JSON line with --json). Exit code 0 on success, 1 on
// an error before or during the run, 2 when the run finished but some sessions failed.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "app/cli_command.h"
#include "bench/bench.h"

namespace paddock::app {
namespace {

struct BenchFlags {
  std::string servers = "127.0.0.1:2181";
  std::string mode;
  std::string mix = "get=100";
  std::string server_pids;
  bool no_setup = false;
  bool json = false;
  bool tls = false;
  std::string tls_key_store;    // PEM or PKCS12: the client certificate (optional)
  std::string tls_trust_store;  // PEM or PKCS12: the CA that signed the server's certificate
  bench::BenchOptions options;
};

Result<bench::Mode> pick_mode(const BenchFlags& f) {
  if (f.mode.empty()) {
    if (f.options.watchers > 0) return bench::Mode::kWatch;
    if (f.options.storm > 0) return bench::Mode::kStorm;
    if (f.options.fill > 0) return bench::Mode::kFill;
    return bench::Mode::kLoad;
  }
  for (bench::Mode m : {bench::Mode::kLoad, bench::Mode::kLatency, bench::Mode::kWatch,
                        bench::Mode::kStorm, bench::Mode::kFill}) {
    if (f.mode == bench::mode_name(m)) return m;
  }
  return Status::error("unknown --mode '" + f.mode + "' (load, latency, watch, storm, fill)");
}

Result<std::vector<int>> parse_pids(const std::string& text) {
  std::vector<int> pids;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    try {
      pids.push_back(std::stoi(item));
    } catch (const std::exception&) {
      return Status::error("bad --server-pid '" + item + "'");
    }
  }
  return pids;
}

int run(BenchFlags& f, bool duration_given) {
  bench::BenchOptions& o = f.options;
  auto servers = bench::parse_servers(f.servers);
  auto mix = bench::OpMix::parse(f.mix);
  auto mode = pick_mode(f);
  auto pids = parse_pids(f.server_pids);
  for (const std::string* err : {servers ? nullptr : &servers.error(), mix ? nullptr : &mix.error(),
                                 mode ? nullptr : &mode.error(), pids ? nullptr : &pids.error()}) {
    if (err != nullptr) {
      std::cerr << "paddock bench: " << *err << "\n";
      return 1;
    }
  }
  o.servers = *servers;
  o.mix = *mix;
  o.mode = *mode;
  o.server_pids = *pids;
  o.setup = !f.no_setup;
  if (f.tls) {
    tls::TlsSettings t;
    t.key_store_location = f.tls_key_store;
    t.trust_store_location = f.tls_trust_store;
    t.protocol = "TLS";
    auto ctx = tls::build_client_context(t);
    if (!ctx) {
      std::cerr << "paddock bench: " << ctx.error() << "\n";
      return 1;
    }
    o.tls = *ctx;
  }
  // The fill runs until done: --duration is only its time limit, an hour unless given.
  if (o.mode == bench::Mode::kFill && !duration_given) o.duration_s = 3600;
  auto result = bench::run_bench(o);
  if (!result) {
    std::cerr << "paddock bench: " << result.error() << "\n";
    return 1;
  }
  std::cout << (f.json ? bench::format_json(o, **result) + "\n" : bench::format_text(o, **result))
            << std::flush;
  return (*result)->sessions_failed > 0 ? 2 : 0;
}

}  // namespace

void add_bench_commands(CLI::App& app, CommandAction& action) {
  auto flags = std::make_shared<BenchFlags>();
  bench::BenchOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand(
      "bench", "Load generator speaking the ZooKeeper protocol (one epoll thread)");
  cmd->add_option("--servers", flags->servers, "host:port,... (round robin)")
      ->capture_default_str();
  cmd->add_option("--mode", flags->mode,
                  "load | latency (1 connection, window 1) | watch | storm | fill; "
                  "default from --watchers/--storm/--fill, else load");
  cmd->add_option("--connections,-c", o.connections, "sessions for load and fill")
      ->capture_default_str();
  cmd->add_option("--window,-w", o.window, "outstanding requests per session")
      ->capture_default_str();
  auto* duration =
      cmd->add_option("--duration,-d", o.duration_s, "measured seconds")->capture_default_str();
  cmd->add_option("--warmup", o.warmup_s, "seconds of load before measuring")
      ->capture_default_str();
  cmd->add_option("--mix", flags->mix,
                  "op=weight,...: get set exists children create delete ephemeral multi")
      ->capture_default_str();
  cmd->add_option("--payload", o.payload, "bytes per set/create")->capture_default_str();
  cmd->add_flag("--tls", flags->tls, "connect over TLS (secureClientPort or a unified port)");
  cmd->add_option("--tls-keystore", flags->tls_key_store,
                  "--tls: client key and certificate (PEM file with both, or PKCS12)");
  cmd->add_option("--tls-truststore", flags->tls_trust_store,
                  "--tls: CA certificates the server's certificate must chain to");
  cmd->add_option("--keys", o.keys, "znodes the reads and sets address")->capture_default_str();
  cmd->add_option("--watchers", o.watchers, "watch mode: sessions watching one node");
  cmd->add_option("--rounds", o.rounds, "watch mode: setData rounds")->capture_default_str();
  cmd->add_option("--storm", o.storm, "storm mode: sessions connecting at once");
  cmd->add_option("--fill", o.fill, "fill mode: znodes to create");
  cmd->add_option("--root", o.root, "the bench's znode folder")->capture_default_str();
  cmd->add_option("--session-timeout", o.session_timeout_ms, "ms")->capture_default_str();
  cmd->add_option("--server-pid", flags->server_pids,
                  "pid[,pid..] whose CPU (/proc) to report over the measured span");
  cmd->add_flag("--no-setup", flags->no_setup, "do not create the root and keys first");
  cmd->add_flag("--json", flags->json, "print one JSON line");
  cmd->callback([flags, duration, &action] {
    bool duration_given = duration->count() > 0;
    action = [flags, duration_given] { return run(*flags, duration_given); };
  });
}

}  // namespace paddock::app
