#!/usr/bin/python3
"""Server CPU per TLS session for two or more paddockd binaries: a storm of TLS sessions
(`paddock bench --tls --storm N`, ssl.clientAuth=need, tls_bench.py's certificates and
settings) against each binary in turn, a fresh server per run, the order reversed every other
round; medians per binary and the median of the per-round ratios to the first.

  bench/tls_storm_ab.py --paddock build-release/bin/paddock \\
      --paddockd before=/tmp/paddockd-before --paddockd after=build-release/bin/paddockd \\
      --rounds 5 --storm 2000

Each measured storm follows a 300-session warm-up on the same server.
"""

import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_servers  # noqa: E402
import tls_bench  # noqa: E402  (make_pki, tls_cfg)


def storm(paddock, server, pki, sessions):
    argv = [paddock, "bench", "--servers", "127.0.0.1:%d" % server.secure_port, "--json",
            "--server-pid", str(server.pid), "--tls", "--tls-keystore", pki.path("client.pem"),
            "--tls-truststore", pki.path("ca.pem"), "--storm", str(sessions)]
    return bench_servers.run_json(argv, timeout=900)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--paddock", required=True, help="the paddock binary (the generator)")
    p.add_argument("--paddockd", action="append", required=True, metavar="LABEL=PATH")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--storm", type=int, default=2000)
    a = p.parse_args()
    binaries = bench_servers.labelled_binaries(a.paddockd)
    paddock = os.path.abspath(a.paddock)
    work = tempfile.mkdtemp(prefix="paddock-tls-ab-")
    pki = tls_bench.make_pki(work)
    cpu_ms = {label: [] for label, _ in binaries}
    rate = {label: [] for label, _ in binaries}
    try:
        for r in range(a.rounds):
            order = binaries if r % 2 == 0 else binaries[::-1]
            for label, path in order:
                secure = bench_servers.free_port()
                server = bench_servers.PaddockServer(work, path,
                                                     extra_cfg=tls_bench.tls_cfg(pki, secure))
                server.secure_port = secure
                server.start()
                try:
                    storm(paddock, server, pki, 300)  # warm-up
                    doc = storm(paddock, server, pki, a.storm)
                finally:
                    server.stop()
                cpu_ms[label].append(1000.0 * doc["server_cpu_s"] / a.storm)
                rate[label].append(a.storm / (doc["storm_ms"] / 1000.0))
                print("round %d %-8s server CPU %.3f ms per TLS session, %.0f sessions/s" % (
                    r + 1, label, cpu_ms[label][-1], rate[label][-1]), flush=True)
        base = binaries[0][0]
        print("\nmedians over %d rounds (server CPU ms per TLS session; sessions/s; per-round "
              "CPU ratio to %s):" % (a.rounds, base))
        for label, _ in binaries:
            ratio = statistics.median(x / y for x, y in zip(cpu_ms[label], cpu_ms[base]))
            print("  %-8s %.3f ms  %.0f/s  x%.2f" % (label, statistics.median(cpu_ms[label]),
                                                     statistics.median(rate[label]), ratio))
    finally:
        bench_servers.stop_all()


if __name__ == "__main__":
    main()
