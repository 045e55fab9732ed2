#!/usr/bin/python3
"""A DIFF sync from the leader's log on a Paddock ensemble, with two or more paddockd
binaries, alternating: a fresh 3-member ensemble gets --base znodes of 100 B through the
leader; one follower is stopped while --behind more are written, then started again. It is
behind by more than the leader's in-memory committed log (500 txns), so the leader reads the
txns from its log files, and by less than the DIFF limit, so it sends a DIFF. Reported per
round: that read (the leader's `event=diff_read ... ms=`, or `diff_weighed` from builds that
read on the pipeline thread), the longest a client's read of "/" waited on the leader
meanwhile, and the time until the joiner serves.

  bench/diff_ab.py --bin build/bin --paddockd before=/tmp/paddockd-old \\
      --paddockd after=build/bin/paddockd --base 500000 --behind 100000 --rounds 3
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_servers  # noqa: E402
import ensemble_bench  # noqa: E402

FIELDS = ["diff_read_ms", "diff_txns", "leader_max_read_ms", "serve_s"]


def fill(paddock, ens, sid, count):
    """`count` more sequential znodes of 100 B under the bench's fill folder."""
    _, err = ensemble_bench.run_bench(
        paddock, ens.hostport(sid), ens.pids(),
        ["--fill", str(count), "--payload", "100", "--connections", "8", "--window", "32"],
        timeout=3600)
    if err:
        raise RuntimeError("fill: %s" % err)


def diffsync(make, paddock, base, behind, log_fn, perf_out=None, grep=None):
    ens = make().start()
    try:
        leader = ens.leader()
        joiner = min(s for s in ens.sids if s != leader)
        fill(paddock, ens, leader, base)
        ens.stop_member(joiner)
        fill(paddock, ens, leader, behind)
        lm, jm = ens.member(leader), ens.member(joiner)
        log_offset = os.path.getsize(lm.log_path)
        probe = ensemble_bench.LeaderProbe(ens.hostport(leader), lm.proc.pid)
        perf = None
        if perf_out:  # the leader's samples from the joiner's start until it serves
            perf = subprocess.Popen(["perf", "record", "-F", "2000", "-g", "-o", perf_out,
                                     "-p", str(lm.proc.pid)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(0.5)  # perf says nothing once attached; it attaches well within this
        serve_s = ensemble_bench.start_joiner(ens, jm)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        time.sleep(1.0)
        probed = probe.finish()
        text = ensemble_bench.log_since(lm, log_offset)
        if grep:
            for line in text.splitlines():
                if re.search(grep.encode(), line):
                    log_fn("leader: " + line.decode(errors="replace"))
        if b"event=snap_sent" in text:
            raise RuntimeError("the leader sent a SNAP, not a DIFF: lower --behind")
        reads = re.findall(rb"event=diff_(?:weighed|read) .*\btxns=(\d+) over_limit=(\w+) .*\bms=(\d+)",
                           text)
        if not reads:
            raise RuntimeError("no DIFF was read from the leader's log: raise --behind")
        result = {"diff_read_ms": float(sum(int(r[2]) for r in reads)),
                  "diff_txns": float(sum(int(r[0]) for r in reads)),
                  "serve_s": serve_s, "zxid": jm.srvr().get("Zxid")}
        result.update(probed)
        log_fn("DIFF of %d txns read in %.0f ms; leader's longest read %.1f ms; joiner "
               "serving after %.2f s" % (result["diff_txns"], result["diff_read_ms"],
                                         result["leader_max_read_ms"], serve_s))
        return result
    finally:
        ens.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="directory with the paddock generator")
    p.add_argument("--paddockd", action="append", required=True, metavar="LABEL=PATH")
    p.add_argument("--base", type=int, default=500000)
    p.add_argument("--behind", type=int, default=100000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", help="write every round's results here")
    p.add_argument("--perf", metavar="DIR", help="perf record -g of the leader during each "
                   "sync, into DIR/<label>-<round>.data")
    p.add_argument("--grep", metavar="REGEX", help="print the leader's log lines of each sync "
                   "that match REGEX")
    a = p.parse_args()
    paddock = os.path.abspath(os.path.join(a.bin, "paddock"))
    binaries = bench_servers.labelled_binaries(a.paddockd)
    work = tempfile.mkdtemp(prefix="paddock-diff-ab-")
    results = {label: [] for label, _ in binaries}
    for r in range(a.rounds):
        order = binaries if r % 2 == 0 else binaries[::-1]
        for label, path in order:
            def make(path=path):
                return bench_servers.Ensemble("paddock", work, size=3, paddockd=path)
            perf_out = (os.path.join(a.perf, "%s-%d.data" % (label, r)) if a.perf else None)
            res = diffsync(make, paddock, a.base, a.behind,
                           lambda m, label=label: print("[%s] %s" % (label, m), flush=True),
                           perf_out=perf_out, grep=a.grep)
            results[label].append(res)
    ensemble_bench.report_ab(
        "medians over %d rounds, %d znodes then %d behind:" % (a.rounds, a.base, a.behind),
        [label for label, _ in binaries], results, FIELDS, a.json, per_round="diff_read_ms")


if __name__ == "__main__":
    main()
