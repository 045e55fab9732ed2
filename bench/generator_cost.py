#!/usr/bin/python3
"""The load generator's own CPU per op (`paddock bench`'s client_cpu_us_per_op), for two or
more `paddock` binaries against one paddockd, runs interleaved (the order reversed every other
round) so that a busy neighbour on a shared machine weighs on every binary alike. Medians per
binary and workload, and the median of the per-round ratios to the first binary.

  bench/generator_cost.py --paddockd build-client-rel/bin/paddockd \\
      --paddock before=/tmp/paddock-before --paddock after=build-client-rel/bin/paddock \\
      --rounds 7 --only reads,writes,mixed

The workloads are bench/compare's throughput ones (8 sessions x window 32, 100 B).
"""

import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_servers  # noqa: E402

LOAD = ["--connections", "8", "--window", "32", "--payload", "100"]
WORKLOADS = {
    "reads": LOAD + ["--mix", "get=100"],
    "writes": LOAD + ["--mix", "set=100"],
    "mixed": LOAD + ["--mix", "get=90,set=10"],
    "create_delete": LOAD + ["--mix", "create=50,delete=50"],
}


def run(paddock, server, extra):
    argv = [paddock, "bench", "--servers", server.hostport, "--json",
            "--server-pid", str(server.pid)] + extra
    return bench_servers.run_json(argv)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--paddockd", required=True)
    p.add_argument("--paddock", action="append", required=True, metavar="LABEL=PATH")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--duration", type=float, default=5)
    p.add_argument("--warmup", type=float, default=1)
    p.add_argument("--keys", type=int, default=10000)
    p.add_argument("--only", default="reads,writes,mixed")
    a = p.parse_args()
    binaries = bench_servers.labelled_binaries(a.paddock)
    paddockd = os.path.abspath(a.paddockd)  # the server runs in its own dir
    workloads = a.only.split(",")
    work = tempfile.mkdtemp(prefix="paddock-gencost-")
    server = bench_servers.PaddockServer(work, paddockd).start()
    try:
        # Creates the keys once; every measured run then uses --no-setup.
        run(binaries[0][1], server, LOAD + ["--keys", str(a.keys), "--mix", "get=100",
                                            "--duration", "2", "--warmup", "0"])
        timing = ["--duration", str(a.duration), "--warmup", str(a.warmup), "--keys",
                  str(a.keys), "--no-setup"]
        cpu = {(w, label): [] for w in workloads for label, _ in binaries}
        tput = {(w, label): [] for w in workloads for label, _ in binaries}
        for r in range(a.rounds):
            # Every other round in reverse order: a run's neighbours (the server's log and
            # snapshot cadence, a neighbour's build) then weigh on each binary alike.
            order = binaries if r % 2 == 0 else binaries[::-1]
            for w in workloads:
                for label, path in order:
                    doc = run(path, server, WORKLOADS[w] + timing)
                    cpu[(w, label)].append(doc["client_cpu_us_per_op"])
                    tput[(w, label)].append(doc["throughput"])
                    print("round %d %-13s %-8s client %.3f us/op, %.0f ops/s" % (
                        r + 1, w, label, doc["client_cpu_us_per_op"], doc["throughput"]),
                        flush=True)
        print("\nmedians over %d rounds (client CPU us/op; ops/s; per-round ratio):" % a.rounds)
        base = binaries[0][0]
        for w in workloads:
            cells = []
            for label, _ in binaries:
                ratio = statistics.median(
                    x / y for x, y in zip(cpu[(w, label)], cpu[(w, base)]))
                cells.append("%s %.3f (%.0f) x%.2f" % (label, statistics.median(cpu[(w, label)]),
                                                      statistics.median(tput[(w, label)]), ratio))
            print("  %-13s %s" % (w, "   ".join(cells)))
    finally:
        bench_servers.stop_all()


if __name__ == "__main__":
    main()
