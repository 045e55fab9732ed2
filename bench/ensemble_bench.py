"""Ensemble benchmark (issue 9 section 4): 3-server Paddock against a 3-server Apache
ZooKeeper 3.8 ensemble on the same machine, run by `bench/compare --ensemble`.

Both ensembles come from bench_servers.Ensemble (loopback, free ports, forceSync=yes,
tickTime=2000, initLimit=10, syncLimit=5; ZooKeeper with the standalone comparison's JVM
settings). The load is `paddock bench`, as in the standalone comparison:

  writes_follower   setData 100 B, 8 connections x 32 outstanding, all on one follower
  writes_leader     the same on the leader
  latency_leader    1 connection, 1 outstanding setData, on the leader
  latency_follower  the same on a follower
  reads_follower    getData 100 B, 8x32, on a follower
  failover          kill -9 of the leader -> first create acknowledged by the new leader,
                    and acknowledged creates lost (failover_trial below)
  snapsync          a follower down while N znodes (1M in --full) are written, then started:
                    time to `srvr` Mode: follower, peak RSS of the leader and the joiner

Rounds alternate ZooKeeper and Paddock (both ensembles run meanwhile, as in the standalone
comparison); the table quotes medians.
"""

import collections
import json
import os
import re
import select
import signal
import socket
import statistics
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "harness"))
import bench_servers  # noqa: E402
import fsync_probe  # noqa: E402
import zkwire  # noqa: E402  (tests/harness/zkwire.py: raw protocol frames)

KINDS = ("zookeeper", "paddock")
LABEL = {"zookeeper": "ZooKeeper", "paddock": "Paddock"}
LOAD = ["--connections", "8", "--window", "32", "--payload", "100"]

# name: (label, where, extra bench args, [(metric, json path, better)])
LOADS = {
    "writes_follower": ("setData 100 B via a follower, 8x32", "follower",
                        LOAD + ["--mix", "set=100"],
                        [("ops/s", "throughput", "higher"), ("p50 ms", "latency_us.p50", "lower"),
                         ("p99 ms", "latency_us.p99", "lower")]),
    "writes_leader": ("setData 100 B via the leader, 8x32", "leader",
                      LOAD + ["--mix", "set=100"],
                      [("ops/s", "throughput", "higher"), ("p50 ms", "latency_us.p50", "lower"),
                       ("p99 ms", "latency_us.p99", "lower")]),
    "latency_leader": ("1 client, window 1: setData via the leader", "leader",
                       ["--mode", "latency", "--mix", "set=1"],
                       [("p50 ms", "latency_us.p50", "lower"),
                        ("p99 ms", "latency_us.p99", "lower")]),
    "latency_follower": ("1 client, window 1: setData via a follower", "follower",
                         ["--mode", "latency", "--mix", "set=1"],
                         [("p50 ms", "latency_us.p50", "lower"),
                          ("p99 ms", "latency_us.p99", "lower")]),
    "reads_follower": ("getData 100 B on a follower, 8x32", "follower",
                       LOAD + ["--mix", "get=100"],
                       [("ops/s", "throughput", "higher"), ("p50 ms", "latency_us.p50", "lower"),
                        ("p99 ms", "latency_us.p99", "lower")]),
}
ORDER = list(LOADS) + ["failover", "snapsync"]

# (workload, metric index) -> (target text, check(zk, pd, ratio) -> bool)
TARGETS = {
    ("writes_follower", 0): (">= 5x", lambda z, p, r: r is not None and r >= 5),
    ("writes_follower", 2): ("< 10 ms", lambda z, p, r: p is not None and p < 10),
    ("writes_leader", 0): (">= 5x", lambda z, p, r: r is not None and r >= 5),
    ("writes_leader", 2): ("< 10 ms", lambda z, p, r: p is not None and p < 10),
    ("latency_leader", 0): ("<= 0.5 ms", lambda z, p, r: p is not None and p <= 0.5),
    ("latency_follower", 0): ("<= 0.5 ms", lambda z, p, r: p is not None and p <= 0.5),
    ("reads_follower", 0): (">= 10x", lambda z, p, r: r is not None and r >= 10),
    ("failover", 1): ("0", lambda z, p, r: p == 0),
}


def report_ab(header, labels, results, fields, json_path=None, per_round=None):
    """The A/B scripts' summary (snap_ab.py, diff_ab.py): per label, the median of each
    field over its rounds (and `per_round`'s value in every round); every round's results
    to `json_path`."""
    print(header)
    for label in labels:
        rows = results[label]
        line = "  %-8s " % label + "  ".join(
            "%s %.1f" % (f, statistics.median(x.get(f, float("nan")) for x in rows))
            for f in fields)
        if per_round:
            line += "  (%s per round: %s)" % (per_round, ", ".join(
                "%.0f" % x.get(per_round, float("nan")) for x in rows))
        print(line)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(results, f, indent=1)


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def field(doc, path):
    for part in path.split("."):
        if doc is None:
            return None
        doc = doc.get(part)
    return doc


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# --- paddock bench ------------------------------------------------------------------------

def run_bench(paddock, hostport, pids, extra, timeout):
    argv = [paddock, "bench", "--servers", hostport, "--json",
            "--server-pid", ",".join(str(p) for p in pids)] + extra
    proc = bench_servers.spawn_capture(argv)
    try:
        out, err = proc.communicate(timeout=timeout)
    except Exception:
        bench_servers.stop_process(proc)
        return None, "timed out after %.0f s" % timeout
    finally:
        bench_servers.forget(proc)
    lines = [l for l in out.decode().splitlines() if l.startswith("{")]
    if not lines:
        return None, (err.decode().strip() or "no output (exit %s)" % proc.returncode)
    doc = json.loads(lines[-1])
    if proc.returncode != 0:
        doc["_warning"] = err.decode().strip() or "exit %d" % proc.returncode
    return doc, None


def member_for(ens, where):
    leader = ens.leader()
    if leader is None:
        ens.wait_serving()
        leader = ens.leader()
    if where == "leader":
        return leader
    return min(s for s in ens.sids if s != leader)  # a follower, the same one every round


# --- fail-over ------------------------------------------------------------------------------

class FailoverClient:
    """One session, `window` pipelined creates of <prefix>-NNNNNN (never retried: a request
    whose connection dies has an unknown outcome and the next one gets the next name).
    Connection lost -> tries the `targets` members round robin, as fast as it can (a 1 ms
    pause after a refused try), resuming the session; a new session if it expired."""

    def __init__(self, ens, sid, prefix, window=8):
        self.ens = ens
        self.prefix = prefix
        self.window = window
        self.n = 0
        self.acked = []        # (path, zxid, time, sid)
        self.outstanding = collections.deque()  # (xid, path)
        self.session = (0, b"\0" * 16)
        self.attempts = 0
        self.sid = None
        self.conn = None
        self.connect(sid, io_timeout=10.0)

    def connect(self, sid, io_timeout=2.0):
        self.attempts += 1
        sid_, pw = self.session
        c = zkwire.WireClient(self.ens.hostport(sid), timeout_ms=30000, session_id=sid_,
                              passwd=pw, io_timeout=io_timeout)
        if c.negotiated_timeout <= 0:  # the session expired: a fresh one
            c.close()
            c = zkwire.WireClient(self.ens.hostport(sid), timeout_ms=30000,
                                  io_timeout=io_timeout)
        self.session = (c.session_id, c.passwd)
        self.conn, self.sid = c, sid
        self.outstanding.clear()

    def fill(self):
        while len(self.outstanding) < self.window:
            path = "%s-%06d" % (self.prefix, self.n)
            self.n += 1
            xid = self.conn.send(zkwire.OP["create"], zkwire.rec_create(path, path.encode()))
            self.outstanding.append((xid, path))

    def pump(self, timeout):
        """Sends up to the window, reads what replies come within `timeout`."""
        self.fill()
        r, _, _ = select.select([self.conn.sock], [], [], timeout)
        if not r:
            return
        while True:
            p = self.conn.recv_packet(timeout=2.0)
            if p.xid >= 0:
                xid, path = self.outstanding.popleft()
                if p.xid != xid:
                    raise AssertionError("reply xid %d, expected %d" % (p.xid, xid))
                if p.err == 0:
                    self.acked.append((path, p.zxid, time.monotonic(), self.sid))
                elif p.err == zkwire.SESSIONEXPIRED:
                    raise zkwire.ConnectionClosed("session expired")
            if not self.conn.rbuf:
                break

    def reconnect(self, targets, deadline):
        """Round robin over `targets` until one member takes the session."""
        self.conn.close()
        i = 0
        while time.monotonic() < deadline:
            sid = targets[i % len(targets)]
            i += 1
            try:
                self.connect(sid)
                return
            except (OSError, zkwire.ConnectionClosed, ValueError, struct.error):
                time.sleep(0.001)
        raise RuntimeError("no member took the session")

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


def failover_trial(ens, trial, run_before=0.5, run_after=0.5, timeout=120.0):
    """Writes through the leader, kill -9s it, reconnects to the others, and measures from the
    kill to the first create acknowledged in the new leader's epoch (reply zxid). Then starts
    the killed member again and reads back every acknowledged create on all three members."""
    leader = ens.wait_serving() and ens.leader()
    survivors = [s for s in ens.sids if s != leader]
    prefix = "/paddock-failover/t%02d" % trial
    old_epoch = int(ens.member(leader).srvr()["Zxid"], 16) >> 32
    client = FailoverClient(ens, leader, prefix)
    killed_at = None
    first_new = None
    start = time.monotonic()
    deadline = start + timeout
    try:
        while time.monotonic() < deadline:
            now = time.monotonic()
            if killed_at is None and now - start >= run_before:
                killed_at = time.monotonic()
                os.kill(ens.member(leader).pid, signal.SIGKILL)
            if first_new is not None and now - first_new[2] >= run_after:
                break
            try:
                client.pump(0.05)
            except (OSError, zkwire.ConnectionClosed, ValueError, struct.error, AssertionError):
                client.reconnect(survivors if killed_at else [leader], deadline)
            if killed_at is not None and first_new is None:
                for a in client.acked:
                    if a[2] >= killed_at and (a[1] >> 32) > old_epoch:
                        first_new = a
                        break
    finally:
        client.close()
    ens.member(leader).kill9()  # reap
    if first_new is None:
        raise RuntimeError("trial %d: no create acknowledged by a new leader within %.0f s"
                           % (trial, timeout))
    new_leader = ens.wait_serving(survivors, timeout=60) and ens.leader()
    result = {
        "ms": (first_new[2] - killed_at) * 1e3,
        "old_leader": leader, "new_leader": new_leader, "acked": len(client.acked),
        "acked_before_kill": sum(1 for a in client.acked if a[2] < killed_at),
        "connect_attempts": client.attempts, "first_ack_via": first_new[3],
    }
    # The killed member joins again; every acked create must be on every member.
    ens.start_member(leader, timeout=120)
    paths = [a[0] for a in client.acked]
    missing = {}
    for sid in ens.sids:
        missing[sid] = missing_paths(ens.hostport(sid), paths)
    result["lost"] = len(set().union(*[set(m) for m in missing.values()]))
    result["missing_per_member"] = {s: len(m) for s, m in missing.items()}
    return result


def missing_paths(hostport, paths, window=64):
    """The paths (of `paths`) that `exists` does not find on this member, after a sync."""
    c = zkwire.WireClient(hostport, io_timeout=30.0)
    try:
        c.sync("/paddock-failover")
        missing = []
        pending = collections.deque()
        it = iter(paths)
        done = False
        while True:
            while not done and len(pending) < window:
                p = next(it, None)
                if p is None:
                    done = True
                    break
                pending.append((c.send(zkwire.OP["exists"], zkwire.rec_path(p, False)), p))
            if not pending:
                return missing
            xid, p = pending.popleft()
            r = c.wait_reply(xid)
            if r.err == zkwire.NONODE:
                missing.append(p)
            elif r.err != 0:
                raise RuntimeError("exists %s: error %d" % (p, r.err))
    finally:
        c.close()


def ensure_node(hostport, path):
    c = zkwire.WireClient(hostport, io_timeout=30.0)
    try:
        err, _ = c.create(path)
        if err not in (0, zkwire.NODEEXISTS):
            raise RuntimeError("create %s: error %d" % (path, err))
    finally:
        c.close()


# --- SNAP sync ------------------------------------------------------------------------------

def start_joiner(ens, jm, timeout=600.0):
    """Starts the stopped member `jm` again and returns the seconds until its srvr says
    Mode: follower (it has synced with the leader and serves)."""
    bench_servers._wait_port_free(jm.port)
    t0 = time.monotonic()
    jm.start(wait=False)
    while True:
        if jm.proc.poll() is not None:
            raise RuntimeError("%s joiner exited:\n%s" % (ens.label, jm.log_tail()))
        if jm.mode() == "follower":
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise RuntimeError("%s joiner not serving after %.0f s" % (ens.label, timeout))
        time.sleep(0.01)


def log_since(member, offset):
    """What `member` wrote to its server.log after byte `offset`."""
    with open(member.log_path, "rb") as f:
        f.seek(offset)
        return f.read()


def snapsync(kind, make, paddock, nodes, log_fn=log):
    """Fresh ensemble; one follower stopped; `nodes` znodes of 100 B written through the
    leader; the follower started again: time from spawn to srvr Mode: follower, the peak RSS
    (VmHWM, reset right before the start) of the leader and the joiner, and whether the
    leader sent a SNAP (Paddock: its log; ZooKeeper: the joiner saved a snapshot at NEWLEADER,
    which it does after SNAP only)."""
    ens = make(kind).start()
    try:
        leader = ens.leader()
        joiner = min(s for s in ens.sids if s != leader)
        ens.stop_member(joiner)
        t = time.monotonic()
        doc, err = run_bench(paddock, ens.hostport(leader), ens.pids(),
                             ["--fill", str(nodes), "--payload", "100", "--connections", "8",
                              "--window", "32"], timeout=3600)
        if err:
            raise RuntimeError("fill on %s: %s" % (ens.label, err))
        fill_s = time.monotonic() - t
        lm = ens.member(leader)
        leader_rss_before = lm.rss_bytes()
        leader_zxid = lm.srvr().get("Zxid")
        leader_nodes = lm.srvr().get("Node count")
        lm.reset_peak_rss()
        jm = ens.member(joiner)
        snaps_before = snapshot_files(jm)
        log_offset = os.path.getsize(lm.log_path)
        probe = LeaderProbe(ens.hostport(leader), lm.proc.pid)
        serve_s = start_joiner(ens, jm)
        joiner_hwm_at_serve = jm.peak_rss_bytes()
        leader_hwm_at_serve = lm.peak_rss_bytes()
        time.sleep(2.0)  # anything the joiner finishes after it serves (a snapshot save)
        probed = probe.finish()
        s = jm.srvr()
        result = {
            "fill": nodes, "fill_s": fill_s, "fill_ops_per_s": doc.get("throughput"),
            "serve_s": serve_s,
            "leader_rss_before_mib": leader_rss_before / 2**20,
            "leader_peak_mib": lm.peak_rss_bytes() / 2**20,
            "leader_peak_at_serve_mib": leader_hwm_at_serve / 2**20,
            "joiner_peak_mib": jm.peak_rss_bytes() / 2**20,
            "joiner_peak_at_serve_mib": joiner_hwm_at_serve / 2**20,
            "joiner_rss_mib": jm.rss_bytes() / 2**20,
            "leader_zxid": leader_zxid, "joiner_zxid": s.get("Zxid"),
            "leader_nodes": leader_nodes, "joiner_nodes": s.get("Node count"),
        }
        result.update(probed)
        if kind == "paddock":
            text = log_since(lm, log_offset)
            result["snap_sent"] = b"event=snap_sent" in text
            # How long the leader's pipeline thread stopped to make the body: the fork, or
            # the whole serialization when it made it on the spot.
            m = re.search(rb"event=snap_sent .*\bpause_us=(\d+)", text)
            if m:
                result["snap_pause_ms"] = int(m.group(1)) / 1000.0
            # Reading the log to weigh a DIFF against the SNAP, on the same thread.
            weighed = [int(x) for x in re.findall(rb"event=diff_(?:weighed|read) .*\bms=(\d+)", text)]
            if weighed:
                result["diff_weigh_ms"] = float(sum(weighed))
        else:
            result["snap_sent"] = len(snapshot_files(jm) - snaps_before) > 0
        log_fn("  snapsync %-9s %d znodes filled in %.1f s; joiner serving after %.2f s; "
               "peak RSS leader %.0f MiB (%.0f before), joiner %.0f MiB; SNAP %s; zxid %s/%s; "
               "leader's longest read %.1f ms (%d reads), its child's private peak %.0f MiB"
               % (LABEL[kind], nodes, fill_s, serve_s, result["leader_peak_mib"],
                  result["leader_rss_before_mib"], result["joiner_peak_mib"],
                  result["snap_sent"], leader_zxid, s.get("Zxid"),
                  result["leader_max_read_ms"], result["leader_reads"],
                  result["leader_child_private_peak_mib"]))
        return result
    finally:
        ens.stop()


class LeaderProbe:
    """While a sync runs: one client reading "/" from the leader back to back (the longest
    wait for one read is how long the leader's state thread stopped), and the largest
    private memory of any child process of the leader (Paddock forks one to serialize a
    large SNAP body; ZooKeeper has none)."""

    def __init__(self, hostport, leader_pid):
        self.hostport, self.leader_pid = hostport, leader_pid
        self.stop_event = threading.Event()
        self.max_read_s, self.reads, self.child_private_peak = 0.0, 0, 0
        self.threads = [threading.Thread(target=self._reads, daemon=True),
                        threading.Thread(target=self._children, daemon=True)]
        self.client = zkwire.WireClient(hostport, io_timeout=60.0)
        for t in self.threads:
            t.start()

    def _reads(self):
        while not self.stop_event.is_set():
            t = time.monotonic()
            self.client.get_data("/")
            self.max_read_s = max(self.max_read_s, time.monotonic() - t)
            self.reads += 1

    def _children(self):
        while not self.stop_event.is_set():
            for pid in self._child_pids():
                try:
                    with open("/proc/%d/smaps_rollup" % pid) as f:
                        kb = sum(int(line.split()[1]) for line in f
                                 if line.startswith(("Private_Clean:", "Private_Dirty:")))
                    self.child_private_peak = max(self.child_private_peak, kb * 1024)
                except (OSError, ValueError, IndexError):
                    pass
            time.sleep(0.02)

    def _child_pids(self):
        pids = []
        try:
            for tid in os.listdir("/proc/%d/task" % self.leader_pid):
                with open("/proc/%d/task/%s/children" % (self.leader_pid, tid)) as f:
                    pids += [int(x) for x in f.read().split()]
        except OSError:
            pass
        return pids

    def finish(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(60)
        self.client.close()
        return {"leader_max_read_ms": self.max_read_s * 1000.0, "leader_reads": self.reads,
                "leader_child_private_peak_mib": self.child_private_peak / 2**20}


def snapshot_files(member):
    names = set()
    for root, _, files in os.walk(member.data_dir):
        names.update(os.path.join(root, f) for f in files if f.startswith("snapshot"))
    return names


# --- the run -------------------------------------------------------------------------------

def run(args, facts, paddock, paddockd, work):
    chosen = [w for w in (args.only.split(",") if args.only else ORDER) if w]
    chosen = [w for w in chosen if w not in args.skip.split(",")]
    bad = [w for w in chosen if w not in ORDER]
    if bad:
        sys.exit("bench/compare --ensemble: unknown workload(s) %s; choose from %s"
                 % (", ".join(bad), ",".join(ORDER)))

    def make(kind):
        return bench_servers.Ensemble(kind, work, size=3, keep=args.keep, paddockd=paddockd,
                                      zk_heap=args.zk_heap,
                                      paddock_cfg=dict(kv.split("=", 1)
                                                       for kv in args.paddock_cfg))

    raw = {}
    loads = {"start": loadavg()}
    fsync = fsync_probe.probe_both(work)
    log("fsync (pwrite 160 B + fdatasync): idle p50 %.0f us, busy p50 %.0f us p99 %.0f us" % (
        fsync["idle"]["p50_us"], fsync["busy"]["p50_us"], fsync["busy"]["p99_us"]))
    raw["fsync_at_start"] = fsync
    live = [w for w in chosen if w in LOADS or w == "failover"]
    ens = {}
    try:
        if live:
            for kind in KINDS:
                ens[kind] = make(kind).start()
                e = ens[kind]
                log("%s serving: %s (pids %s); warming up" % (
                    e.label, ", ".join("server.%d %s %s" % (s, e.hostport(s), m)
                                       for s, m in sorted(e.modes().items())),
                    e.pids()))
                # Keys and a fair start for the JIT (the same for both), through a follower.
                doc, err = run_bench(paddock, e.hostport(member_for(e, "follower")), e.pids(),
                                     LOAD + ["--keys", str(args.keys), "--mix",
                                             "get=80,set=10,create=5,delete=5", "--duration",
                                             str(args.jit_warmup), "--warmup", "0"], 600)
                if err:
                    raise RuntimeError("warm-up of %s: %s" % (e.label, err))
        for name in [w for w in live if w in LOADS]:
            label, where, extra, metrics = LOADS[name]
            log("%s: %s" % (name, label))
            raw[name] = {k: [] for k in KINDS}
            for _ in range(args.repeat):
                for kind in KINDS:
                    e = ens[kind]
                    sid = member_for(e, where)
                    fsync = None
                    if name.startswith("latency"):
                        # The disk's flush time right before the run (it moves with the
                        # host's load): what one write cannot go below.
                        fsync = fsync_probe.probe_both(work, count=500)
                    doc, err = run_bench(paddock, e.hostport(sid), e.pids(), extra + [
                        "--duration", str(args.duration), "--warmup", str(args.warmup),
                        "--keys", str(args.keys), "--no-setup"], 900)
                    if err:
                        log("  %s on %s failed: %s" % (name, e.label, err))
                        doc = None
                    elif doc.get("_warning"):
                        log("  %s on %s: %s" % (name, e.label, doc["_warning"]))
                    if doc:
                        doc["member"] = sid
                        if fsync:
                            doc["fsync_busy_p50_us"] = fsync["busy"]["p50_us"]
                            doc["fsync_idle_p50_us"] = fsync["idle"]["p50_us"]
                        log("  %-16s %-9s server.%d %s; load %s" % (
                            name, LABEL[kind], sid, ", ".join(
                                "%s=%s" % (m[0], fmt(scaled(field(doc, m[1]), m[0])))
                                for m in metrics), " ".join(loadavg())))
                    raw[name][kind].append(doc)
        loads["after_loads"] = loadavg()
        if "failover" in chosen:
            trials = {"paddock": args.failover_trials, "zookeeper": args.failover_trials_zk}
            raw["failover"] = {k: [] for k in KINDS}
            for kind in KINDS:
                ensure_node(ens[kind].hostport(ens[kind].leader()), "/paddock-failover")
            log("failover: kill -9 of the leader -> first create acknowledged by the new "
                "leader; %d trials on Paddock, %d on ZooKeeper" % (trials["paddock"],
                                                                    trials["zookeeper"]))
            for i in range(max(trials.values())):
                for kind in KINDS:
                    if i >= trials[kind]:
                        continue
                    try:
                        r = failover_trial(ens[kind], i)
                    except Exception as ex:  # report it, bring the member back, go on
                        log("  failover %-9s trial %d failed: %s" % (LABEL[kind], i, ex))
                        for sid in ens[kind].sids:
                            if not ens[kind].member(sid).running():
                                ens[kind].start_member(sid, timeout=120)
                        continue
                    log("  failover %-9s trial %d: %.0f ms (server.%d killed, server.%d leads, "
                        "first ack via server.%d after %d connect tries); %d acked, %d lost; "
                        "load %s" % (LABEL[kind], i, r["ms"], r["old_leader"],
                                     r["new_leader"], r["first_ack_via"],
                                     r["connect_attempts"], r["acked"], r["lost"],
                                     " ".join(loadavg())))
                    raw["failover"][kind].append(r)
    finally:
        for e in ens.values():
            e.stop()
    loads["after_failover"] = loadavg()
    if "snapsync" in chosen:
        log("snapsync: %d znodes written while a follower is down, then it starts" % args.snap_nodes)
        raw["snapsync"] = {}
        for kind in KINDS:
            try:
                raw["snapsync"][kind] = snapsync(kind, make, paddock, args.snap_nodes)
            except Exception as ex:  # keep the rest of the results
                log("  snapsync on %s failed: %s" % (LABEL[kind], ex))
                raw["snapsync"][kind] = None
    loads["end"] = loadavg()
    print_report(args, facts, raw, loads)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": facts, "loadavg": loads, "args": vars(args), "raw": raw},
                      f, indent=1, default=str)


def scaled(v, metric):
    return v / 1000.0 if v is not None and metric.endswith("ms") else v


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 100:
        return "%.3g" % v
    return "{:,.0f}".format(v)


def ratio(zk, pd, better):
    if zk in (None, 0) or pd in (None, 0):
        return None
    return pd / zk if better == "higher" else zk / pd


def rows_for(raw):
    """[(workload label, metric, zk, pd, better, key)] of medians."""
    out = []
    for name in ORDER:
        if name not in raw:
            continue
        if name in LOADS:
            label, _, _, metrics = LOADS[name]
            for i, (m, path, better) in enumerate(metrics):
                zk = median([scaled(field(d, path), m) for d in raw[name]["zookeeper"] if d])
                pd = median([scaled(field(d, path), m) for d in raw[name]["paddock"] if d])
                out.append((label if i == 0 else "", m, zk, pd, better, (name, i)))
        elif name == "failover":
            f = raw[name]
            out.append(("kill -9 leader -> first acked create (median of %d / %d trials)"
                        % (len(f["zookeeper"]), len(f["paddock"])), "ms",
                        median([r["ms"] for r in f["zookeeper"]]),
                        median([r["ms"] for r in f["paddock"]]), "lower", (name, 0)))
            out.append(("", "acked creates lost (all trials)",
                        sum(r["lost"] for r in f["zookeeper"]) if f["zookeeper"] else None,
                        sum(r["lost"] for r in f["paddock"]) if f["paddock"] else None,
                        None, (name, 1)))
        elif name == "snapsync":
            s = raw[name]
            z, p = s.get("zookeeper") or {}, s.get("paddock") or {}
            n = (p or z).get("fill", 0)
            out.append(("SNAP sync of %s znodes to a restarted follower" % fmt(n),
                        "s to Mode: follower", z.get("serve_s"), p.get("serve_s"), "lower",
                        (name, 0)))
            out.append(("", "leader peak RSS MiB", z.get("leader_peak_mib"),
                        p.get("leader_peak_mib"), "lower", (name, 1)))
            out.append(("", "joiner peak RSS MiB", z.get("joiner_peak_mib"),
                        p.get("joiner_peak_mib"), "lower", (name, 2)))
    return out


def print_report(args, facts, raw, loads):
    print()
    print("Machine: %s x %s, %s GiB RAM, %s, %s" % (
        facts.get("nproc"), facts.get("cpu"), facts.get("mem_gib"), facts.get("filesystem"),
        facts.get("java")))
    fs = raw.get("fsync_at_start")
    if fs:
        print("Disk flush at the start (pwrite 160 B + fdatasync, bench/fsync_probe.py): busy CPU "
              "p50 %.0f us, p99 %.0f us; idle CPU p50 %.0f us" % (
                  fs["busy"]["p50_us"], fs["busy"]["p99_us"], fs["idle"]["p50_us"]))
    print("Load average (1/5/15 min): %s" % "; ".join(
        "%s %s" % (k.replace("_", " "), " ".join(v)) for k, v in loads.items()))
    print("Ensembles: 3 members each on 127.0.0.1, forceSync=yes, tickTime=2000, initLimit=10, "
          "syncLimit=5; ZooKeeper java -Xmx%s (G1)" % args.zk_heap)
    print("Load: medians of %d round(s), %.0f s measured after %.0f s warm-up per run, "
          "ZooKeeper and Paddock alternating%s" % (
              args.repeat, args.duration, args.warmup,
              "; servers, generator and fail-over client at nice %+d" % args.nice
              if args.nice else ""))
    print()
    print("| workload | metric | ZooKeeper x3 | Paddock x3 | Paddock vs ZK | target | met |")
    print("|---|---|---:|---:|---:|---|---|")
    for label, m, zk, pd, better, key in rows_for(raw):
        r = ratio(zk, pd, better) if better else None
        tgt, met = "", ""
        if key in TARGETS:
            tgt, check = TARGETS[key]
            met = "yes" if check(zk, pd, r) else "no"
        print("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, m, fmt(zk), fmt(pd), "-" if r is None else "%.2fx" % r, tgt, met))
    print()
    for name in ORDER:
        if name in LOADS and name in raw:
            label, _, _, metrics = LOADS[name]
            for kind in KINDS:
                docs = [d for d in raw[name][kind] if d]
                print("- %s, %s: ops/s per round %s; p50 ms %s; p99 ms %s; server CPU s/1k ops "
                      "(all 3) %s%s"
                      % (label, LABEL[kind],
                         ", ".join(fmt(d.get("throughput")) for d in docs),
                         ", ".join(fmt(scaled(field(d, "latency_us.p50"), "ms")) for d in docs),
                         ", ".join(fmt(scaled(field(d, "latency_us.p99"), "ms")) for d in docs),
                         fmt(median([d.get("server_cpu_s_per_1k_ops") for d in docs])),
                         "" if not any("fsync_busy_p50_us" in d for d in docs) else
                         "; disk flush p50 us probed before each run: busy CPU %s, idle %s" % (
                             ", ".join(fmt(d.get("fsync_busy_p50_us")) for d in docs),
                             ", ".join(fmt(d.get("fsync_idle_p50_us")) for d in docs))))
    if "failover" in raw:
        for kind in KINDS:
            rs = raw["failover"][kind]
            if rs:
                print("- fail-over, %s: ms per trial %s; acked creates per trial %s; lost %s"
                      % (LABEL[kind], ", ".join("%.0f" % r["ms"] for r in rs),
                         ", ".join(str(r["acked"]) for r in rs),
                         ", ".join(str(r["lost"]) for r in rs)))
    if "snapsync" in raw:
        for kind in KINDS:
            s = raw["snapsync"].get(kind)
            if s:
                print("- SNAP sync, %s: fill %s znodes at %s creates/s (%.0f s); leader RSS "
                      "%.0f MiB before, peak %.0f MiB during the sync; joiner peak %.0f MiB, "
                      "%.0f MiB after; SNAP %s; zxid leader %s joiner %s; nodes %s / %s" % (
                          LABEL[kind], fmt(s["fill"]), fmt(s["fill_ops_per_s"]), s["fill_s"],
                          s["leader_rss_before_mib"], s["leader_peak_mib"],
                          s["joiner_peak_mib"], s["joiner_rss_mib"], s["snap_sent"],
                          s["leader_zxid"], s["joiner_zxid"], s["leader_nodes"],
                          s["joiner_nodes"]))
                print("  a client reading from the leader meanwhile waited %.1f ms at the "
                      "longest (%s reads); a child of the leader peaked at %.0f MiB private%s" % (
                          s.get("leader_max_read_ms", float("nan")), fmt(s.get("leader_reads", 0)),
                          s.get("leader_child_private_peak_mib", 0.0),
                          "; the leader paused %.1f ms for the body" % s["snap_pause_ms"]
                          if "snap_pause_ms" in s else ""))
