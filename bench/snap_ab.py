#!/usr/bin/python3
"""A SNAP sync of a large tree on a Paddock ensemble, with each of two or more settings of
its members, alternating: ensemble_bench.py's snapsync scenario (a fresh 3-member ensemble,
one follower down while N znodes of 100 B are written through the leader, then it starts
and is synced by SNAP), which reports the time until the joiner serves, the peak RSS of
leader and joiner, the longest a client's read waited on the leader during the sync (how
long its state thread stopped), and the largest private memory of a child of the leader.

  bench/snap_ab.py --bin build-release/bin --nodes 1000000 --rounds 3 \\
      --setting inline=paddock.snap.forkMinNodes=1000000000 \\
      --setting forked=paddock.snap.forkMinNodes=10000

A setting is LABEL=KEY=VALUE[,KEY=VALUE...] (zoo.cfg lines for every member).
"""

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_servers  # noqa: E402
import ensemble_bench  # noqa: E402

FIELDS = ["serve_s", "leader_max_read_ms", "snap_pause_ms", "diff_weigh_ms", "leader_peak_mib",
          "joiner_peak_mib", "leader_child_private_peak_mib"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="directory with paddockd and paddock")
    p.add_argument("--setting", action="append", required=True, metavar="LABEL=KEY=VALUE,...")
    p.add_argument("--nodes", type=int, default=1000000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", help="write every round's results here")
    a = p.parse_args()
    paddockd = os.path.abspath(os.path.join(a.bin, "paddockd"))
    paddock = os.path.abspath(os.path.join(a.bin, "paddock"))
    settings = []
    for s in a.setting:
        label, rest = s.split("=", 1)
        settings.append((label, dict(kv.split("=", 1) for kv in rest.split(","))))
    work = tempfile.mkdtemp(prefix="paddock-snap-ab-")
    results = {label: [] for label, _ in settings}
    for r in range(a.rounds):
        order = settings if r % 2 == 0 else settings[::-1]
        for label, cfg in order:
            def make(kind, cfg=cfg):
                return bench_servers.Ensemble(kind, work, size=3, paddockd=paddockd,
                                              paddock_cfg=cfg)
            res = ensemble_bench.snapsync("paddock", make, paddock, a.nodes,
                                          log_fn=lambda m, label=label: print(
                                              "[%s] %s" % (label, m.strip()), flush=True))
            if not res.get("snap_sent"):
                print("[%s] round %d: no SNAP was sent" % (label, r), flush=True)
            results[label].append(res)
    ensemble_bench.report_ab("medians over %d rounds, %d znodes:" % (a.rounds, a.nodes),
                             [label for label, _ in settings], results, FIELDS, a.json)


if __name__ == "__main__":
    main()
