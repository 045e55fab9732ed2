#!/usr/bin/python3
"""The client library's own CPU per op next to ZooKeeper's C client: bench/client_cost/'s two
programs (the same workload, one with src/client, one with libzookeeper-mt) against one
paddockd, runs interleaved, medians per client, op and phase, and the ratio.

  bench/client_cost.py --bin build-client-rel/bin --rounds 7

Each program prints one JSON line (cost_common.h); CPU is the whole client process's
(getrusage), every thread of the library included.
"""

import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_servers  # noqa: E402

CLIENTS = (("paddock", "paddock_client_cost"), ("zookeeper-c", "zk_client_cost"))


def run(exe, server, op, a):
    argv = [exe, "--server", server.hostport, "--op", op, "--ops", str(a.ops),
            "--outstanding", str(a.outstanding), "--sync-ops", str(a.sync_ops),
            "--payload", str(a.payload)]
    return bench_servers.run_json(argv)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=os.environ.get("PADDOCK_BIN", "build-release/bin"))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--ops", type=int, default=200000)
    p.add_argument("--outstanding", type=int, default=32)
    p.add_argument("--sync-ops", type=int, default=2000)
    p.add_argument("--payload", type=int, default=100)
    p.add_argument("--ops-kinds", default="get,set")
    a = p.parse_args()
    a.bin = os.path.abspath(a.bin)  # the servers run in their own dirs
    work = tempfile.mkdtemp(prefix="paddock-clientcost-")
    server = bench_servers.PaddockServer(work, os.path.join(a.bin, "paddockd")).start()
    ops = a.ops_kinds.split(",")
    runs = {}
    try:
        for r in range(a.rounds):
            for op in ops:
                for label, exe in CLIENTS:
                    doc = run(os.path.join(a.bin, exe), server, op, a)
                    for phase in ("async", "sync"):
                        runs.setdefault((op, phase, label), []).append(doc[phase])
                    print("round %d %s %-11s async %.2f us/op %.0f ops/s; sync %.2f us/op %.0f "
                          "ops/s" % (r + 1, op, label, doc["async"]["cpu_us_per_op"],
                                     doc["async"]["ops_per_s"], doc["sync"]["cpu_us_per_op"],
                                     doc["sync"]["ops_per_s"]), flush=True)
    finally:
        bench_servers.stop_all()
    print("\nmedians over %d rounds: client CPU us/op (ops/s); ZooKeeper C / Paddock" % a.rounds)
    for op in ops:
        for phase in ("async", "sync"):
            med = {}
            for label, _ in CLIENTS:
                xs = runs[(op, phase, label)]
                med[label] = (statistics.median(x["cpu_us_per_op"] for x in xs),
                              statistics.median(x["ops_per_s"] for x in xs))
            print("  %s %-5s paddock %.2f (%.0f)   zookeeper-c %.2f (%.0f)   ratio %.2fx" % (
                op, phase, med["paddock"][0], med["paddock"][1], med["zookeeper-c"][0],
                med["zookeeper-c"][1], med["zookeeper-c"][0] / med["paddock"][0]))


if __name__ == "__main__":
    main()
