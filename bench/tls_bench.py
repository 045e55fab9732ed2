"""TLS on the client port (issue 11): paddockd against Apache ZooKeeper 3.8's Netty TLS server,
run by `bench/compare --tls`.

Each server runs with a plain clientPort and a secureClientPort (ssl.clientAuth=need, PEM
stores made here with openssl: a CA, the server's certificate, a client certificate);
ZooKeeper with NettyServerCnxnFactory, its only TLS server, and the netty-codec and
netty-resolver jars Debian's class path leaves out. The load is `paddock bench` (one epoll
thread; --tls runs its TLS through OpenSSL memory BIOs):

  tls_handshakes  connection storm over TLS: N sessions connecting at once (TCP, TLS
                  handshake with both certificates checked, ConnectRequest) -> sessions/s
  tls_reads       getData 100 B, 8 connections x 32 outstanding, over TLS
  tls_writes      setData 100 B, 8x32, over TLS
  plain_reads     the same reads on the plain port of the same server (TLS's cost)
  plain_writes    the same writes on the plain port

Rounds alternate ZooKeeper and Paddock, both servers running meanwhile; the table quotes
medians, the ratio Paddock/ZooKeeper, and Paddock's TLS figure as a share of its plain one.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import bench_servers  # noqa: E402
from harness.pki import Pki  # noqa: E402  (tests/harness/pki.py: openssl CA and certificates)

KINDS = ("zookeeper", "paddock")
LABEL = {"zookeeper": "ZooKeeper", "paddock": "Paddock"}
ZK_TLS_CLASSPATH = bench_servers.ZK_CLASSPATH + ":" + ":".join(
    "/usr/share/java/" + jar for jar in ("netty-codec.jar", "netty-resolver.jar"))
LOAD = ["--connections", "8", "--window", "32", "--payload", "100"]
# name: (label, bench args, json field, unit, secure port?)
WORKLOADS = {
    "tls_handshakes": ("TLS connection storm, sessions/s", None, "sessions_per_s", "1/s", True),
    "tls_reads": ("getData 100 B over TLS, 8x32", LOAD + ["--mix", "get=100"], "throughput",
                  "ops/s", True),
    "tls_writes": ("setData 100 B over TLS, 8x32", LOAD + ["--mix", "set=100"], "throughput",
                   "ops/s", True),
    "plain_reads": ("getData 100 B plain, 8x32", LOAD + ["--mix", "get=100"], "throughput",
                    "ops/s", False),
    "plain_writes": ("setData 100 B plain, 8x32", LOAD + ["--mix", "set=100"], "throughput",
                     "ops/s", False),
}


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def make_pki(work):
    pki = Pki(tempfile.mkdtemp(prefix="bench-pki-", dir=work))
    pki.issue("server", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
    pki.issue("client", "/O=Paddock/CN=bench-client")
    return pki


def tls_cfg(pki, secure_port):
    return {
        "secureClientPort": secure_port,
        "ssl.keyStore.location": pki.path("server.pem"),
        "ssl.keyStore.type": "PEM",
        "ssl.trustStore.location": pki.path("ca.pem"),
        "ssl.trustStore.type": "PEM",
        "ssl.clientAuth": "need",
        # ZooKeeper's default, TLSv1.2, for both: 3.8's default cipher suites are TLS 1.2's
        # only, so its server refuses TLSv1.3 unless suites are configured too.
    }


class TlsZooKeeper(bench_servers.ZooKeeperServer):
    def command(self):
        cmd = super().command()
        cmd[cmd.index("-cp") + 1] = ZK_TLS_CLASSPATH
        # ZooKeeper's only TLS server is its Netty one.
        cmd.insert(1, "-Dzookeeper.serverCnxnFactory="
                      "org.apache.zookeeper.server.NettyServerCnxnFactory")
        return cmd


def start_servers(args, paddockd, work, pki):
    servers = {}
    for kind in KINDS:
        secure = bench_servers.free_port()
        extra = tls_cfg(pki, secure)
        if kind == "zookeeper":
            s = TlsZooKeeper(work, args.zk_heap, args.keep, extra_cfg=extra)
        else:
            s = bench_servers.PaddockServer(work, paddockd, args.keep, extra_cfg=extra)
        s.secure_port = secure
        servers[kind] = s.start()
        log("%s: plain %d, TLS %d" % (LABEL[kind], s.port, secure))
    return servers


server_cpu_ms = {k: [] for k in KINDS}  # per TLS session, from the storm runs


def run_one(paddock, server, name, args, pki):
    label, extra, key, unit, secure = WORKLOADS[name]
    port = server.secure_port if secure else server.port
    argv = [paddock, "bench", "--servers", "127.0.0.1:%d" % port, "--json",
            "--server-pid", str(server.pid)]
    if secure:
        argv += ["--tls", "--tls-keystore", pki.path("client.pem"),
                 "--tls-truststore", pki.path("ca.pem")]
    if name == "tls_handshakes":
        argv += ["--storm", str(args.tls_storm)]
    else:
        argv += extra + ["--duration", str(args.duration), "--warmup", str(args.warmup),
                         "--keys", str(args.keys)]
    try:
        doc = bench_servers.run_json(argv, timeout=900)
    except (RuntimeError, OSError) as e:
        log("  %s on %s failed: %s" % (name, server.label, e))
        return None
    if name == "tls_handshakes":
        ms = doc.get("storm_ms")
        doc["sessions_per_s"] = args.tls_storm / (ms / 1000.0) if ms else None
        # The server's own CPU per session: the storm's rate is shared with the generator's
        # own handshakes on the same two cores, this is not.
        cpu = doc.get("server_cpu_s")
        server_cpu_ms[server.kind].append(1000.0 * cpu / args.tls_storm if cpu else None)
    value = doc.get(key)
    log("  %-15s %-9s %s %s" % (name, server.label, "%.0f" % value if value else "-", unit))
    return value


def run(args, facts, paddock, paddockd, work):
    pki = make_pki(work)
    servers = start_servers(args, paddockd, work, pki)
    results = {name: {k: [] for k in KINDS} for name in WORKLOADS}
    try:
        for r in range(args.repeat):
            log("round %d of %d" % (r + 1, args.repeat))
            for name in args.tls_workloads:
                for kind in KINDS:
                    results[name][kind].append(run_one(paddock, servers[kind], name, args, pki))
    finally:
        for s in servers.values():
            s.stop()
        shutil.rmtree(pki.d, ignore_errors=True)
    print_table(results, args)
    return results


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def print_table(results, args):
    print()
    print("TLS on the client port: medians of %d round(s), %.0f s per run (storm: %d sessions)"
          % (args.repeat, args.duration, args.tls_storm))
    print("%-36s %14s %14s %8s" % ("workload", "ZooKeeper", "Paddock", "ratio"))
    for name in args.tls_workloads:
        label, _, _, unit, _ = WORKLOADS[name]
        zk = med(results[name]["zookeeper"])
        pd = med(results[name]["paddock"])
        ratio = "%.2fx" % (pd / zk) if zk and pd else "-"
        print("%-36s %14s %14s %8s" % (label + " (" + unit + ")",
                                        "%.0f" % zk if zk else "-", "%.0f" % pd if pd else "-",
                                        ratio))
    zk_cpu = med(server_cpu_ms["zookeeper"])
    pd_cpu = med(server_cpu_ms["paddock"])
    if zk_cpu and pd_cpu:
        print("%-36s %14.2f %14.2f %7.2fx" % ("server CPU per TLS session (ms)", zk_cpu, pd_cpu,
                                              zk_cpu / pd_cpu))
    for what in ("reads", "writes"):
        tls = med(results.get("tls_" + what, {}).get("paddock", []))
        plain = med(results.get("plain_" + what, {}).get("paddock", []))
        if tls and plain:
            print("Paddock %s over TLS: %.0f%% of plain (%.0f vs %.0f ops/s)"
                  % (what, 100.0 * tls / plain, tls, plain))
